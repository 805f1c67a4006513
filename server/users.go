package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/store"
)

type userRequest struct {
	Login      string    `json:"login"`
	Name       *string   `json:"name"`
	Password   *string   `json:"password"`
	Roles      *[]string `json:"roles"`
	Teams      *[]string `json:"teams"`
	Supervisor *string   `json:"supervisor"`
	Active     *bool     `json:"active"`
}

// listUsers shows the organisation to everyone signed in: completers choose
// next executors from it. Password hashes never leave the store.
func (s *Server) listUsers(c *gin.Context) {
	users, next, err := s.Store.UsersPage(c.Request.Context(), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.User]{Items: users, Next: next})
}

func (s *Server) getUser(c *gin.Context) {
	u, err := s.Store.User(c.Request.Context(), c.Param("login"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) createUser(c *gin.Context) {
	if !requireRole(c) {
		return
	}
	var req userRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Login == "" || req.Password == nil || *req.Password == "" {
		problem(c, http.StatusUnprocessableEntity, "a user needs a login and a password",
			FieldError{Path: "/login", Message: "required"}, FieldError{Path: "/password", Message: "required"})
		return
	}
	hash, err := auth.HashPassword(*req.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	u := store.User{Login: req.Login, Name: deref(req.Name), Supervisor: deref(req.Supervisor)}
	if req.Roles != nil {
		u.Roles = *req.Roles
	}
	if req.Teams != nil {
		u.Teams = *req.Teams
	}
	created, err := s.Store.CreateUser(c.Request.Context(), u, hash)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

// patchUser: admins change anything; a user may change their own name and
// password.
func (s *Server) patchUser(c *gin.Context) {
	me := currentUser(c)
	var req userRequest
	if !bindJSON(c, &req) {
		return
	}
	self := me.Login == c.Param("login") && req.Roles == nil && req.Teams == nil && req.Supervisor == nil && req.Active == nil
	if !self && !requireRole(c) {
		return
	}
	patch := store.UserPatch{Name: req.Name, Roles: req.Roles, Teams: req.Teams, Supervisor: req.Supervisor, Active: req.Active}
	if req.Password != nil {
		hash, err := auth.HashPassword(*req.Password)
		if err != nil {
			s.fail(c, err)
			return
		}
		patch.PasswordHash = &hash
	}
	u, err := s.Store.UpdateUser(c.Request.Context(), c.Param("login"), patch)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type absenceRequest struct {
	Deputy string    `json:"deputy"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until"`
}

// mayManage: the user themself, a supervisor above them, or an admin.
func (s *Server) mayManage(c *gin.Context, login string) bool {
	me := currentUser(c)
	if me.Login == login || me.Has(store.RoleAdmin) {
		return true
	}
	above, err := s.Store.IsAbove(c.Request.Context(), me.Login, login)
	if err != nil {
		s.fail(c, err)
		return false
	}
	if !above {
		problem(c, http.StatusForbidden, "only the user, a supervisor above them or an admin manages their absence")
	}
	return above
}

// putAbsence: while login is away, new work for them goes to the deputy.
func (s *Server) putAbsence(c *gin.Context) {
	login := c.Param("login")
	if !s.mayManage(c, login) {
		return
	}
	var req absenceRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Deputy == "" {
		problem(c, http.StatusUnprocessableEntity, "a deputy is required", FieldError{Path: "/deputy", Message: "required"})
		return
	}
	if !req.Until.After(req.From) {
		problem(c, http.StatusUnprocessableEntity, "the absence must end after it starts", FieldError{Path: "/until", Message: "must be after from"})
		return
	}
	u, err := s.Store.SetAbsence(c.Request.Context(), login, &store.Absence{Deputy: req.Deputy, From: req.From, Until: req.Until})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) deleteAbsence(c *gin.Context) {
	login := c.Param("login")
	if !s.mayManage(c, login) {
		return
	}
	u, err := s.Store.SetAbsence(c.Request.Context(), login, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

type transferRequest struct {
	To string `json:"to"`
}

// transferPortfolio moves a departing manager's clients and open work to
// another user at once: an admin, or a supervisor above both.
func (s *Server) transferPortfolio(c *gin.Context) {
	from := c.Param("login")
	var req transferRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.To == "" {
		problem(c, http.StatusUnprocessableEntity, "to is required", FieldError{Path: "/to", Message: "required"})
		return
	}
	me := currentUser(c)
	if !me.Has(store.RoleAdmin) {
		ctx := c.Request.Context()
		aboveFrom, err1 := s.Store.IsAbove(ctx, me.Login, from)
		aboveTo, err2 := s.Store.IsAbove(ctx, me.Login, req.To)
		if err := errors.Join(err1, err2); err != nil {
			s.fail(c, err)
			return
		}
		if !aboveFrom || !(aboveTo || req.To == me.Login) {
			problem(c, http.StatusForbidden, "only an admin, or a supervisor above both users, transfers a portfolio")
			return
		}
	}
	if _, err := s.Store.User(c.Request.Context(), from); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.Store.TransferPortfolio(c.Request.Context(), from, req.To)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}
