package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// startProcess starts a process on a published version (the latest unless
// one is named). The same businessKey returns the same process: 201 for a new
// one, 200 for the existing one.
func (s *Server) startProcess(c *gin.Context) {
	if !requireRole(c, store.RoleSupervisor, store.RoleManager) {
		return
	}
	var req processes.Request
	if !bindJSON(c, &req) {
		return
	}
	p, created, err := processes.Start(c.Request.Context(), s.Store, s.Temporal, req, viewer(currentUser(c)))
	var de definitions.DataError
	if errors.As(err, &de) {
		problem(c, http.StatusUnprocessableEntity, "variables do not fit the definition", dataFields("/variables", de)...)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.JSON(status, p)
}

func dataFields(prefix string, de definitions.DataError) []FieldError {
	out := make([]FieldError, len(de))
	for i, f := range de {
		out[i] = FieldError{Path: prefix + f.Path, Message: f.Message}
	}
	return out
}

func (s *Server) listProcesses(c *gin.Context) {
	f := store.ProcessFilter{Definition: c.Query("definition"), State: c.Query("state"), Assignee: c.Query("assignee"),
		Sort: c.Query("sort"), Page: page(c)}
	if o := c.Query("overdue"); o != "" {
		b := o == "true"
		f.Overdue = &b
	}
	items, next, err := s.Store.Processes(c.Request.Context(), viewer(currentUser(c)), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.Process]{Items: items, Next: next})
}

type processDetail struct {
	store.Process
	History []store.WorkItem `json:"history"`
}

// visibleProcess loads a process the caller may see; one they may not is a
// 404, so its existence does not leak.
func (s *Server) visibleProcess(c *gin.Context, id string) (store.Process, bool) {
	ctx := c.Request.Context()
	ok, err := s.Store.CanSeeProcess(ctx, viewer(currentUser(c)), id)
	if err == nil && !ok {
		err = refusal.ErrNotFound
	}
	if err != nil {
		s.fail(c, err)
		return store.Process{}, false
	}
	p, err := s.Store.Process(ctx, id)
	if err != nil {
		s.fail(c, err)
		return store.Process{}, false
	}
	return p, true
}

func (s *Server) getProcess(c *gin.Context) {
	p, ok := s.visibleProcess(c, c.Param("id"))
	if !ok {
		return
	}
	items, err := s.Store.ProcessItems(c.Request.Context(), p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, processDetail{Process: p, History: items})
}

// cancelProcess: an admin, or a supervisor who sees the process.
func (s *Server) cancelProcess(c *gin.Context) {
	p, ok := s.visibleProcess(c, c.Param("id"))
	if !ok || !requireRole(c, store.RoleSupervisor) {
		return
	}
	if p.State != store.ProcessRunning {
		problem(c, http.StatusConflict, "process "+p.ID+" is "+p.State)
		return
	}
	if err := processes.Cancel(c.Request.Context(), s.Temporal, p.ID, currentUser(c).Login, c.GetHeader("Idempotency-Key")); err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Store.Process(c.Request.Context(), p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type moveRequest struct {
	To       string `json:"to"`
	Assignee string `json:"assignee"`
}

// moveProcess: a supervisor who sees the process, or an admin, moves it on
// past a rule that failed (or any time it must not wait): to a stage and
// its executor, or to an end.
func (s *Server) moveProcess(c *gin.Context) {
	p, ok := s.visibleProcess(c, c.Param("id"))
	if !ok || !requireRole(c, store.RoleSupervisor) {
		return
	}
	var req moveRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.To == "" {
		problem(c, http.StatusUnprocessableEntity, "to is required", FieldError{Path: "/to", Message: "a stage or an end"})
		return
	}
	res, err := processes.Move(c.Request.Context(), s.Store, s.Temporal, currentUser(c), p.ID, req.To, req.Assignee,
		c.GetHeader("Idempotency-Key"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
