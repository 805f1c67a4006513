package server

import (
	"errors"
	"github.com/conveyorhq/conveyor/services"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
)

const userKey = "conveyor.user"

func currentUser(c *gin.Context) services.User { return c.MustGet(userKey).(services.User) }

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
	u, err := s.Services.Session(c.Request.Context(), token)
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
	c.Request = c.Request.WithContext(services.AsActor(c.Request.Context(), u.Login))
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

func fieldErrors(bad limits.Checks) []FieldError {
	out := make([]FieldError, len(bad))
	for i, v := range bad {
		out[i] = FieldError{Path: v.Path, Message: v.Message()}
	}
	return out
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

// login exchanges a login and password for a token (services.SignIn: the
// limits, the audit).
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	token, expires, err := s.Services.SignIn(c.Request.Context(), req.Login, req.Password, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenResponse{Token: token, ExpiresAt: expires})
}

// logout revokes the token the request was made with: from then on it is
// refused like an unknown one. Tokens also expire by themselves (TokenTTL).
func (s *Server) logout(c *gin.Context) {
	if err := s.Services.SignOut(c.Request.Context(), bearerToken(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
