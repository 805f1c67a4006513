package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// FieldError locates one reason for a refusal: a JSON pointer into the
// request body, or a line and column of a YAML definition.
type FieldError struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details body, the one error shape of the API.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

func problem(c *gin.Context, status int, detail string, fields ...FieldError) {
	body, _ := json.Marshal(Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields,
	})
	c.Data(status, "application/problem+json", body)
	c.Abort()
}

// busyRetryAfter is the Retry-After, in seconds, of a request the database
// did not answer in time: about the pool's acquire timeout.
const busyRetryAfter = "5"

// fail maps an error from the layers below to its status: the one place
// where a refusal (refusal.Error, or an error wrapping one of its kinds)
// becomes a problem, with the fields at fault. Only refusals say something
// to the client (a sign-in over its limits is a 429 to retry, wrong
// credentials a 401, a document too large or of a type not accepted a 413
// or 415); a database that did not answer in
// time is a 503 to retry; anything else is logged and is a 500 with no
// internals in it.
func (s *Server) fail(c *gin.Context, err error) {
	var status int
	var limited *auth.LimitedError
	var document *services.DocumentError
	switch {
	case services.Busy(err):
		s.Log.WarnContext(c.Request.Context(), "database timed out", slog.String("path", c.FullPath()), slog.Any("error", err))
		c.Header("Retry-After", busyRetryAfter)
		problem(c, http.StatusServiceUnavailable, "the database is busy; try again shortly")
		return
	case errors.As(err, &limited):
		c.Header("Retry-After", strconv.Itoa(retryAfter(limited.Wait)))
		problem(c, http.StatusTooManyRequests, limited.Reason+"; try again later")
		return
	case errors.Is(err, auth.ErrBadCredentials):
		problem(c, http.StatusUnauthorized, "wrong login or password")
		return
	case errors.As(err, &document) && document.Reason == services.DocumentTooLarge:
		problem(c, http.StatusRequestEntityTooLarge, err.Error())
		return
	case errors.As(err, &document) && document.Reason == services.DocumentType:
		problem(c, http.StatusUnsupportedMediaType, err.Error())
		return
	case errors.As(err, &document):
		problem(c, http.StatusUnprocessableEntity, err.Error(), FieldError{Path: "file", Message: "empty"})
		return
	case services.Unstorable(err):
		s.Log.WarnContext(c.Request.Context(), "a value the database cannot store", slog.String("path", c.FullPath()), slog.Any("error", err))
		problem(c, http.StatusUnprocessableEntity, "a value is too long or holds a character that cannot be stored")
		return
	case errors.Is(err, refusal.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, refusal.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, refusal.ErrInvalid):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, refusal.ErrForbidden):
		status = http.StatusForbidden
	default:
		s.Log.ErrorContext(c.Request.Context(), "request failed", slog.String("path", c.FullPath()), slog.Any("error", err))
		problem(c, http.StatusInternalServerError, "internal error")
		return
	}
	fields := refusal.Fields(err)
	out := make([]FieldError, len(fields))
	for i, f := range fields {
		out[i] = FieldError{Path: f.Path, Message: f.Message}
	}
	problem(c, status, err.Error(), out...)
}
