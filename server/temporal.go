package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/errs"
	"github.com/conveyorhq/conveyor/processes"
)

// failUpdate maps a process's refusal to the API's statuses, with the
// fields at fault.
func (s *Server) failUpdate(c *gin.Context, err error) {
	var r *processes.Refusal
	if !errors.As(err, &r) {
		s.fail(c, err)
		return
	}
	status := http.StatusUnprocessableEntity
	switch r.Kind {
	case errs.ErrConflict:
		status = http.StatusConflict
	case errs.ErrNotFound:
		status = http.StatusNotFound
	}
	fields := make([]FieldError, len(r.Fields))
	for i, f := range r.Fields {
		fields[i] = FieldError{Path: f.Path, Message: f.Message}
	}
	problem(c, status, r.Message, fields...)
}
