package server

import (
	"encoding/json"
	"errors"
	"github.com/conveyorhq/conveyor/services"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/workflows"
)

func (s *Server) failList(c *gin.Context, err error) {
	if errors.Is(err, services.ErrBadCursor) {
		problem(c, http.StatusBadRequest, err.Error(), FieldError{Path: "after", Message: "not a cursor of this list"})
		return
	}
	if errors.Is(err, services.ErrBadSort) {
		problem(c, http.StatusBadRequest, err.Error(), FieldError{Path: "sort", Message: "not a sort order of this list"})
		return
	}
	s.fail(c, err)
}

// listWorkItems: `assignee=me` is the caller's own work ("my work").
func (s *Server) listWorkItems(c *gin.Context) {
	f := services.ItemFilter{Assignee: c.Query("assignee"), State: c.Query("state"), Q: c.Query("q"), Page: page(c)}
	items, next, err := s.Services.WorkItems(c.Request.Context(), currentUser(c), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.WorkItem]{Items: items, Next: next})
}

func (s *Server) getWorkItem(c *gin.Context) {
	w, err := s.Services.WorkItem(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// startWorkItem: its assignee opened it (attention -> in_progress).
func (s *Server) startWorkItem(c *gin.Context) {
	w, err := s.Services.StartWorkItem(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// completeRequest is the API's body of a completion: its own type, so a
// change to the API cannot change what is written into a workflow history.
type completeRequest struct {
	Data json.RawMessage `json:"data"`
	Next struct {
		Assignee     string     `json:"assignee,omitempty"`
		PlannedStart *time.Time `json:"plannedStart,omitempty"`
		Due          *time.Time `json:"due,omitempty"`
	} `json:"next"`
}

// completeWorkItem sends the completion to the process's workflow, which
// validates it, closes the item and opens the next in one step.
func (s *Server) completeWorkItem(c *gin.Context) {
	var req completeRequest
	if !bindJSON(c, &req) {
		return
	}
	started := time.Now()
	next := workflows.NextOverride{Assignee: req.Next.Assignee, PlannedStart: req.Next.PlannedStart, Due: req.Next.Due}
	res, err := s.Services.CompleteWorkItem(c.Request.Context(), currentUser(c), c.Param("id"), req.Data, next,
		c.GetHeader("Idempotency-Key"))
	s.Metrics.completion(err, time.Since(started))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

type reassignRequest struct {
	Assignee string `json:"assignee"`
	Note     string `json:"note"`
}

// reassignWorkItem: a supervisor above the assignee, or an admin, moves
// open work to another user.
func (s *Server) reassignWorkItem(c *gin.Context) {
	var req reassignRequest
	if !bindJSON(c, &req) {
		return
	}
	w, err := s.Services.ReassignWorkItem(c.Request.Context(), currentUser(c), c.Param("id"), req.Assignee, req.Note,
		c.GetHeader("Idempotency-Key"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) listEscalations(c *gin.Context) {
	escs, next, err := s.Services.Escalations(c.Request.Context(), currentUser(c), c.Query("state"), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Escalation]{Items: escs, Next: next})
}
