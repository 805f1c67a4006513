package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/errs"
	"github.com/conveyorhq/conveyor/store"
)

const userKey = "conveyor.user"

func currentUser(c *gin.Context) store.User { return c.MustGet(userKey).(store.User) }

func viewer(u store.User) store.Viewer {
	return store.Viewer{Login: u.Login, Admin: u.Has(store.RoleAdmin)}
}

// authenticate accepts a bearer token issued by /auth/token.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="conveyor"`)
		problem(c, http.StatusUnauthorized, "missing bearer token")
		return
	}
	u, err := s.Store.UserByToken(c.Request.Context(), auth.HashToken(token))
	if errors.Is(err, errs.ErrNotFound) {
		c.Header("WWW-Authenticate", `Bearer realm="conveyor", error="invalid_token"`)
		problem(c, http.StatusUnauthorized, "invalid or expired token")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(userKey, u)
	c.Next()
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// login exchanges a login and password for a token. A wrong login and a wrong
// password look the same from outside.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	hash, active, err := s.Store.PasswordHash(ctx, req.Login)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		s.fail(c, err)
		return
	}
	if err != nil || !active || !auth.CheckPassword(hash, req.Password) {
		problem(c, http.StatusUnauthorized, "wrong login or password")
		return
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		s.fail(c, err)
		return
	}
	expires := time.Now().Add(s.TokenTTL).UTC().Truncate(time.Second)
	if err := s.Store.CreateToken(ctx, tokenHash, req.Login, expires); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenResponse{Token: token, ExpiresAt: expires})
}

// requireRole lets the request on when the user has one of roles; an admin
// always may.
func requireRole(c *gin.Context, roles ...string) bool {
	u := currentUser(c)
	if u.Has(store.RoleAdmin) {
		return true
	}
	for _, r := range roles {
		if u.Has(r) {
			return true
		}
	}
	problem(c, http.StatusForbidden, "this needs the role "+strings.Join(append(roles, store.RoleAdmin), " or "))
	return false
}
