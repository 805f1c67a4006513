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

// login exchanges a login and password for a token.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	token, expires, err := s.SignIn(c, req.Login, req.Password)
	var limited *auth.LimitedError
	switch {
	case errors.As(err, &limited):
		tooManyAttempts(c, limited.Wait, limited.Reason)
	case errors.Is(err, auth.ErrBadCredentials):
		problem(c, http.StatusUnauthorized, "wrong login or password")
	case err != nil:
		s.fail(c, err)
	default:
		c.JSON(http.StatusOK, tokenResponse{Token: token, ExpiresAt: expires})
	}
}

// SignIn checks a login and password and starts a session, for the API and
// the web UI alike. A limited attempt (see loginFailureLimit) is refused
// before the password is looked at, so it costs no hashing and tells nothing
// by its timing; every sign-in and failed sign-in is audited.
func (s *Server) SignIn(c *gin.Context, login, password string) (string, time.Time, error) {
	if wait, ok := s.limits.addresses.take(c.ClientIP()); !ok {
		return "", time.Time{}, &auth.LimitedError{Wait: wait, Reason: "too many sign-in attempts from this address"}
	}
	// The attempt counts as a failure from the start, so that concurrent
	// guesses cannot all pass before the first of them fails; a success
	// clears the count.
	if wait, ok := s.limits.logins.take(login); !ok {
		return "", time.Time{}, &auth.LimitedError{Wait: wait, Reason: "too many failed sign-ins for this login"}
	}
	ctx := c.Request.Context()
	hash, active, err := s.Store.PasswordHash(ctx, login)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return "", time.Time{}, err
	}
	if err != nil || !active || !auth.CheckPassword(hash, password) {
		if err := s.Store.RecordFailedLogin(ctx, login, c.ClientIP()); err != nil {
			return "", time.Time{}, err
		}
		return "", time.Time{}, auth.ErrBadCredentials
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return "", time.Time{}, err
	}
	expires := time.Now().Add(s.TokenTTL).UTC().Truncate(time.Second)
	if err := s.Store.StartSession(ctx, tokenHash, login, expires, c.ClientIP()); err != nil {
		return "", time.Time{}, err
	}
	s.limits.logins.reset(login)
	return token, expires, nil
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
