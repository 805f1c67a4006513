package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
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
	if errors.Is(err, refusal.ErrNotFound) {
		c.Header("WWW-Authenticate", `Bearer realm="conveyor", error="invalid_token"`)
		problem(c, http.StatusUnauthorized, "invalid or expired token")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if !plainParameters(c) {
		return
	}
	c.Set(userKey, u)
	// Every change made for this request is audited as this user's.
	c.Request = c.Request.WithContext(store.WithActor(c.Request.Context(), u.Login))
	c.Next()
}

// plainParameters refuses, with 400, a request whose path or query holds a
// value that is not plain text (a NUL, another control character, bytes
// that are not UTF-8) or is absurdly long: such a value reaches SQL as an
// id or a filter, and could only fail there, as an internal error.
func plainParameters(c *gin.Context) bool {
	bad := limits.Parameters(pathParams(c), c.Request.URL.Query())
	if len(bad) == 0 {
		return true
	}
	problem(c, http.StatusBadRequest, "invalid parameters", fieldErrors(bad)...)
	return false
}

func pathParams(c *gin.Context) [][2]string {
	out := make([][2]string, len(c.Params))
	for i, p := range c.Params {
		out[i] = [2]string{p.Key, p.Value}
	}
	return out
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
	var bad *limits.Violation
	switch {
	case errors.As(err, &bad):
		outOfBounds(c, limits.Checks{bad})
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
// the web UI alike. A login or password out of its bounds is a
// *limits.Violation, refused before anything else: it is written nowhere,
// not even to the audit log. Every other sign-in and failed sign-in is
// audited.
func (s *Server) SignIn(c *gin.Context, login, password string) (string, time.Time, error) {
	if v := limits.Login.Check("/login", login); v != nil {
		return "", time.Time{}, v
	}
	if v := limits.Password.Check("/password", password); v != nil {
		return "", time.Time{}, v
	}
	if err := s.checkPassword(c, login, password); err != nil {
		return "", time.Time{}, err
	}
	token, tokenHash, err := auth.NewToken()
	if err != nil {
		return "", time.Time{}, err
	}
	expires := time.Now().Add(s.TokenTTL).UTC().Truncate(time.Second)
	if err := s.Store.StartSession(c.Request.Context(), tokenHash, login, expires, c.ClientIP()); err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// checkPassword tells whether password is login's, under the sign-in
// limits (see ratelimit.go): an attempt over them is a *auth.LimitedError,
// refused before the password is looked at, so it costs no hashing; a wrong
// password is auth.ErrBadCredentials, recorded in the audit log. An unknown
// or inactive login costs the same hash as a known one, so the time of the
// answer does not tell which logins exist. A right password clears the
// failures of login from this address.
func (s *Server) checkPassword(c *gin.Context, login, password string) error {
	address := c.ClientIP()
	if wait, ok := s.limits.addresses.take(address); !ok {
		return &auth.LimitedError{Wait: wait, Reason: "too many sign-in attempts from this address"}
	}
	// The attempt counts as a failure from the start, so that concurrent
	// guesses cannot all pass before the first of them fails.
	pair := pairKey(login, address)
	if wait, ok := s.limits.failures.fail(pair); !ok {
		return &auth.LimitedError{Wait: wait, Reason: "too many failed sign-ins for this login from this address"}
	}
	ctx := c.Request.Context()
	hash, active, err := s.Store.PasswordHash(ctx, login)
	known := err == nil
	if err != nil && !errors.Is(err, refusal.ErrNotFound) {
		return err
	}
	if !known {
		hash = auth.DecoyHash()
	}
	// The hash is checked whatever else is wrong: skipping it would answer
	// faster.
	if !s.limits.check(hash, password) || !known || !active {
		if err := s.Store.RecordFailedLogin(ctx, login, address); err != nil {
			return err
		}
		return auth.ErrBadCredentials
	}
	s.limits.failures.reset(pair)
	return nil
}

// provedPassword checks, before a change that needs it, that password is
// the signed-in login's current one, under the same limits as a sign-in (a
// stolen token must not become a way to guess the password); otherwise it
// answers the refusal itself.
func (s *Server) provedPassword(c *gin.Context, login, password string) bool {
	if password == "" {
		problem(c, http.StatusUnprocessableEntity, "changing your password takes your current one",
			FieldError{Path: "/currentPassword", Message: "required"})
		return false
	}
	err := s.checkPassword(c, login, password)
	var limited *auth.LimitedError
	switch {
	case err == nil:
		return true
	case errors.As(err, &limited):
		tooManyAttempts(c, limited.Wait, limited.Reason)
	case errors.Is(err, auth.ErrBadCredentials):
		problem(c, http.StatusForbidden, "the current password is wrong",
			FieldError{Path: "/currentPassword", Message: "wrong password"})
	default:
		s.fail(c, err)
	}
	return false
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
