package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

func (s *Server) failList(c *gin.Context, err error) {
	if errors.Is(err, store.ErrBadCursor) {
		problem(c, http.StatusBadRequest, err.Error(), FieldError{Path: "after", Message: "not a cursor of this list"})
		return
	}
	if errors.Is(err, store.ErrBadSort) {
		problem(c, http.StatusBadRequest, err.Error(), FieldError{Path: "sort", Message: "not a sort order of this list"})
		return
	}
	s.fail(c, err)
}

// listWorkItems: `assignee=me` is the caller's own work ("my work").
func (s *Server) listWorkItems(c *gin.Context) {
	me := currentUser(c)
	f := store.ItemFilter{Assignee: c.Query("assignee"), State: c.Query("state"), Page: page(c)}
	if f.Assignee == "me" {
		f.Assignee = me.Login
	}
	items, next, err := s.Store.WorkItems(c.Request.Context(), viewer(me), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.WorkItem]{Items: items, Next: next})
}

// item loads a work item the caller may act on: its assignee, a supervisor
// above them, or an admin. One the caller may not see is a 404; one they see
// (through its client) but may not act on is a 403.
func (s *Server) item(c *gin.Context) (store.WorkItem, bool) {
	ctx := c.Request.Context()
	me := currentUser(c)
	w, err := s.Store.VisibleWorkItem(ctx, viewer(me), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return w, false
	}
	allowed, err := processes.MayAct(ctx, s.Store, me, w)
	if err != nil {
		s.fail(c, err)
		return w, false
	}
	if !allowed {
		problem(c, http.StatusForbidden, "only the assignee, a supervisor above them or an admin acts on this work item")
		return w, false
	}
	return w, true
}

func (s *Server) getWorkItem(c *gin.Context) {
	w, err := s.Store.VisibleWorkItem(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// startWorkItem: its executor opened it (attention -> in_progress).
func (s *Server) startWorkItem(c *gin.Context) {
	if _, ok := s.item(c); !ok {
		return
	}
	w, err := s.Store.StartWorkItem(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

type completeRequest struct {
	Data json.RawMessage        `json:"data"`
	Next workflows.NextOverride `json:"next"`
}

// completeWorkItem sends the completion to the process's workflow, which
// validates it, closes the item and opens the next in one step.
func (s *Server) completeWorkItem(c *gin.Context) {
	w, ok := s.item(c)
	if !ok {
		return
	}
	var req completeRequest
	if !bindJSON(c, &req) {
		return
	}
	if len(req.Data) > definitions.MaxDataBytes {
		problem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("completion data larger than %d bytes", definitions.MaxDataBytes),
			FieldError{Path: "/data", Message: "too large"})
		return
	}
	// Whether the item is still open is the workflow's to say: the read
	// model may be a step ahead after a crash, and a retry with the same
	// Idempotency-Key must get its first answer.
	started := time.Now()
	res, err := processes.Complete(c.Request.Context(), s.Temporal, w,
		workflows.CompleteRequest{Data: req.Data, By: currentUser(c).Login, Next: req.Next}, c.GetHeader("Idempotency-Key"))
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
	w, ok := s.item(c)
	if !ok {
		return
	}
	me := currentUser(c)
	if w.Assignee == me.Login && !me.Has(store.RoleAdmin) {
		problem(c, http.StatusForbidden, "only a supervisor above the assignee, or an admin, reassigns work")
		return
	}
	var req reassignRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Assignee == "" {
		problem(c, http.StatusUnprocessableEntity, "assignee is required", FieldError{Path: "/assignee", Message: "required"})
		return
	}
	if !w.Open() {
		problem(c, http.StatusConflict, "work item "+w.ID+" is "+w.State)
		return
	}
	if err := processes.CheckReassign(c.Request.Context(), s.Store, me, w, req.Assignee); err != nil {
		s.fail(c, err)
		return
	}
	err := processes.Reassign(c.Request.Context(), s.Temporal, w, req.Assignee, me.Login, req.Note, c.GetHeader("Idempotency-Key"))
	if err != nil {
		s.fail(c, err)
		return
	}
	moved, err := s.Store.WorkItem(c.Request.Context(), w.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, moved)
}

func (s *Server) listEscalations(c *gin.Context) {
	escs, next, err := s.Store.Escalations(c.Request.Context(), viewer(currentUser(c)), c.Query("state"), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.Escalation]{Items: escs, Next: next})
}
