package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/conveyorhq/conveyor/activities"
	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/processes"
)

// update sends a workflow Update and waits for its outcome. updateID dedups
// a client's retries of one request (the Idempotency-Key header); without
// one, every request is a new update.
func (s *Server) update(ctx context.Context, processID, name, updateID string, arg, result any) error {
	if updateID == "" {
		updateID = processes.NewID()
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: processID, UpdateID: updateID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, result)
}

// failUpdate maps a workflow's refusal to the API's statuses.
func (s *Server) failUpdate(c *gin.Context, err error) {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case activities.TypeInvalid:
			var details []definitions.FieldError
			fields := []FieldError{}
			if app.HasDetails() && app.Details(&details) == nil {
				for _, d := range details {
					fields = append(fields, FieldError{Path: d.Path, Message: d.Message})
				}
			}
			problem(c, http.StatusUnprocessableEntity, app.Message(), fields...)
			return
		case activities.TypeConflict:
			problem(c, http.StatusConflict, app.Message())
			return
		case activities.TypeNotFound:
			problem(c, http.StatusNotFound, app.Message())
			return
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		problem(c, http.StatusConflict, "the process is not running")
		return
	}
	s.fail(c, err)
}
