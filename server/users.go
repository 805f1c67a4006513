package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/store"
)

type userRequest struct {
	Login    string  `json:"login"`
	Name     *string `json:"name"`
	Password *string `json:"password"`
	// CurrentPassword proves, when users change their own password, that
	// they are who their token says: a stolen token or an unlocked screen
	// must not be enough to take the account over.
	CurrentPassword *string   `json:"currentPassword"`
	Roles           *[]string `json:"roles"`
	Teams           *[]string `json:"teams"`
	Supervisor      *string   `json:"supervisor"`
	Active          *bool     `json:"active"`
}

// checkLimits lists the fields out of their bounds, the new password's
// rules (for login) included.
func (r *userRequest) checkLimits(login string) limits.Checks {
	var c limits.Checks
	c.Add(limits.UserName, "/name", r.Name)
	if r.Password != nil {
		if v := auth.CheckNewPassword("/password", login, *r.Password); v != nil {
			c = append(c, v)
		}
	}
	c.Add(limits.Password, "/currentPassword", r.CurrentPassword)
	c.AddEach(limits.Key, "/roles", r.Roles)
	c.AddEach(limits.Key, "/teams", r.Teams)
	if r.Supervisor != nil && *r.Supervisor != "" { // "" clears it
		c.Add(limits.Login, "/supervisor", r.Supervisor)
	}
	return c
}

// outOfBounds answers 422 naming every field out of its bounds, if any, and
// says whether it did: nothing has been written then.
func outOfBounds(c *gin.Context, bad limits.Checks) bool {
	if len(bad) == 0 {
		return false
	}
	problem(c, http.StatusUnprocessableEntity, "some fields are invalid", fieldErrors(bad)...)
	return true
}

func fieldErrors(bad limits.Checks) []FieldError {
	out := make([]FieldError, len(bad))
	for i, v := range bad {
		out[i] = FieldError{Path: v.Path, Message: v.Message()}
	}
	return out
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
	if req.Password == nil {
		req.Password = new(string) // required
	}
	var bad limits.Checks
	bad.Add(limits.Login, "/login", &req.Login)
	if outOfBounds(c, append(bad, req.checkLimits(req.Login)...)) {
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
// password. Changing one's own password (admins too) takes the current one;
// an admin resetting someone else's does not. A new password signs its user
// out everywhere but in the request that set it.
func (s *Server) patchUser(c *gin.Context) {
	me := currentUser(c)
	login := c.Param("login")
	var req userRequest
	if !bindJSON(c, &req) {
		return
	}
	own := me.Login == login
	self := own && req.Roles == nil && req.Teams == nil && req.Supervisor == nil && req.Active == nil
	if !self && !requireRole(c) {
		return
	}
	if outOfBounds(c, req.checkLimits(login)) {
		return
	}
	patch := store.UserPatch{Name: req.Name, Roles: req.Roles, Teams: req.Teams, Supervisor: req.Supervisor, Active: req.Active}
	if req.Password != nil {
		if own && !s.provedPassword(c, me.Login, deref(req.CurrentPassword)) {
			return
		}
		hash, err := auth.HashPassword(*req.Password)
		if err != nil {
			s.fail(c, err)
			return
		}
		patch.PasswordHash = &hash
		if own {
			patch.KeepToken = auth.HashToken(bearerToken(c))
		}
	}
	u, err := s.Store.UpdateUser(c.Request.Context(), login, patch)
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
	var bad limits.Checks
	bad.Add(limits.Login, "/deputy", &req.Deputy)
	if outOfBounds(c, bad) {
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
	var bad limits.Checks
	bad.Add(limits.Login, "/to", &req.To)
	if outOfBounds(c, bad) {
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
