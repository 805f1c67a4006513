package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/services"
)

// startProcess starts a process on a published version (the latest unless
// one is named). The same businessKey returns the same process: 201 for a new
// one, 200 for the existing one.
func (s *Server) startProcess(c *gin.Context) {
	var req services.StartRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.Services.StartProcess(c.Request.Context(), currentUser(c), req)
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
	if !p.Created {
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
	f := services.ProcessFilter{Definition: c.Query("definition"), State: c.Query("state"), Assignee: c.Query("assignee"),
		Q: c.Query("q"), Sort: c.Query("sort"), Page: page(c)}
	if o := c.Query("overdue"); o != "" {
		b := o == "true"
		f.Overdue = &b
	}
	items, next, err := s.Services.Processes(c.Request.Context(), currentUser(c), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Process]{Items: items, Next: next})
}

// getProcess is a process with its history; one the caller may not see is
// a 404, so its existence does not leak.
func (s *Server) getProcess(c *gin.Context) {
	p, err := s.Services.Process(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

// cancelProcess: an admin, or a supervisor who sees the process, for a
// reason.
func (s *Server) cancelProcess(c *gin.Context) {
	var req cancelRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.Services.CancelProcess(c.Request.Context(), currentUser(c), c.Param("id"), req.Reason, c.GetHeader("Idempotency-Key"))
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
	var req moveRequest
	if !bindJSON(c, &req) {
		return
	}
	res, err := s.Services.MoveProcess(c.Request.Context(), currentUser(c), c.Param("id"), req.To, req.Assignee,
		c.GetHeader("Idempotency-Key"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
