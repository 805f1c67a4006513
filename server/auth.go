package server

import (
	"errors"
	"net/http"
	"strconv"
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

// bearerToken is the token of the Authorization header, "" if none.
func bearerToken(c *gin.Context) string {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return token
}

// authenticate accepts a bearer token issued by /auth/token.
func (s *Server) authenticate(c *gin.Context) {
	token := bearerToken(c)
	if token == "" {
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
	// Every change made for this request is audited as this user's.
	c.Request = c.Request.WithContext(store.WithActor(c.Request.Context(), u.Login))
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
// password look the same from outside, and so do their rate limits (see
// loginFailureLimit): a limited attempt is refused before the password is
// looked at, so it costs no hashing and tells nothing by its timing.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	limits := s.limits
	if wait, ok := limits.addresses.take(c.ClientIP()); !ok {
		tooManyAttempts(c, wait, "too many sign-in attempts from this address")
		return
	}
	// The attempt counts as a failure from the start, so that concurrent
	// guesses cannot all pass before the first of them fails; a success
	// clears the count.
	if wait, ok := limits.logins.take(req.Login); !ok {
		tooManyAttempts(c, wait, "too many failed sign-ins for this login")
		return
	}
	ctx := c.Request.Context()
	hash, active, err := s.Store.PasswordHash(ctx, req.Login)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		s.fail(c, err)
		return
	}
	if err != nil || !active || !auth.CheckPassword(hash, req.Password) {
		if err := s.Store.RecordFailedLogin(ctx, req.Login, c.ClientIP()); err != nil {
			s.fail(c, err)
			return
		}
		problem(c, http.StatusUnauthorized, "wrong login or password")
		return
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		s.fail(c, err)
		return
	}
	expires := time.Now().Add(s.TokenTTL).UTC().Truncate(time.Second)
	if err := s.Store.StartSession(ctx, tokenHash, req.Login, expires, c.ClientIP()); err != nil {
		s.fail(c, err)
		return
	}
	limits.logins.reset(req.Login)
	c.JSON(http.StatusOK, tokenResponse{Token: token, ExpiresAt: expires})
}

func tooManyAttempts(c *gin.Context, wait time.Duration, detail string) {
	c.Header("Retry-After", strconv.Itoa(retryAfter(wait)))
	problem(c, http.StatusTooManyRequests, detail+"; try again later")
}

// logout revokes the token the request was made with: from then on it is
// refused like an unknown one. Tokens also expire by themselves (TokenTTL).
func (s *Server) logout(c *gin.Context) {
	if err := s.Store.DeleteToken(c.Request.Context(), auth.HashToken(bearerToken(c))); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
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
