package server

import (
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

type userRequest struct {
	Login           string    `json:"login"`
	Name            *string   `json:"name"`
	Password        *string   `json:"password"`
	CurrentPassword *string   `json:"currentPassword"`
	Roles           *[]string `json:"roles"`
	Teams           *[]string `json:"teams"`
	Supervisor      *string   `json:"supervisor"`
	Active          *bool     `json:"active"`
}

func (r userRequest) input() services.UserInput {
	return services.UserInput{Name: r.Name, Password: r.Password, CurrentPassword: r.CurrentPassword,
		Roles: r.Roles, Teams: r.Teams, Supervisor: r.Supervisor, Active: r.Active}
}

func (s *Server) listUsers(c *gin.Context) {
	users, next, err := s.Services.Users(c.Request.Context(), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.User]{Items: users, Next: next})
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.Services.User(c.Request.Context(), c.Param("login"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) createUser(c *gin.Context) {
	var req userRequest
	if !bindJSON(c, &req) {
		return
	}
	created, err := s.Services.CreateUser(c.Request.Context(), currentUser(c), req.Login, req.input())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

// patchUser: see services.UpdateUser; the request's token is the session a
// new password of one's own keeps.
func (s *Server) patchUser(c *gin.Context) {
	var req userRequest
	if !bindJSON(c, &req) {
		return
	}
	from := services.Caller{Token: bearerToken(c), Address: c.ClientIP()}
	u, err := s.Services.UpdateUser(c.Request.Context(), currentUser(c), from, c.Param("login"), req.input())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type absenceRequest struct {
	Deputy string    `json:"deputy"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until"`
}

// putAbsence: while login is away, new work for them goes to the deputy.
func (s *Server) putAbsence(c *gin.Context) {
	var req absenceRequest
	if !bindJSON(c, &req) {
		return
	}
	u, err := s.Services.SetAbsence(c.Request.Context(), currentUser(c), c.Param("login"),
		&services.Absence{Deputy: req.Deputy, From: req.From, Until: req.Until})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) deleteAbsence(c *gin.Context) {
	u, err := s.Services.SetAbsence(c.Request.Context(), currentUser(c), c.Param("login"), nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type transferRequest struct {
	To string `json:"to"`
}

func (s *Server) transferPortfolio(c *gin.Context) {
	var req transferRequest
	if !bindJSON(c, &req) {
		return
	}
	t, err := s.Services.TransferPortfolio(c.Request.Context(), currentUser(c), c.Param("login"), req.To)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

func (s *Server) getSignInLock(c *gin.Context) {
	wait, err := s.Services.SignInWait(currentUser(c), c.Param("login"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"waitSeconds": int(math.Ceil(wait.Seconds()))})
}

func (s *Server) unlockSignIns(c *gin.Context) {
	if err := s.Services.UnlockSignIns(c.Request.Context(), currentUser(c), c.Param("login")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
