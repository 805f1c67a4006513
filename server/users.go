package server

import (
	"net/http"

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
	users, err := s.Store.Users(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.User]{Items: users})
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
