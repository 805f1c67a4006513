package server

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/errs"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

type startRequest struct {
	Definition  string          `json:"definition"`
	Version     int             `json:"version"`
	BusinessKey string          `json:"businessKey"`
	Client      string          `json:"client"`
	Variables   json.RawMessage `json:"variables"`
}

// startProcess starts a process on a published version (the latest unless
// one is named). Its row is written first, then its workflow is started
// with "use existing" on conflict: repeating a request with the same
// businessKey returns the same process and heals a start that crashed
// between the two.
func (s *Server) startProcess(c *gin.Context) {
	if !requireRole(c, store.RoleSupervisor, store.RoleManager) {
		return
	}
	var req startRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	if req.Definition == "" {
		problem(c, http.StatusUnprocessableEntity, "definition is required", FieldError{Path: "/definition", Message: "required"})
		return
	}
	v, err := s.Store.DefinitionVersion(ctx, req.Definition, req.Version)
	if err != nil {
		s.fail(c, err)
		return
	}
	rt, err := definitions.NewRuntime(v.Plan)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := rt.CheckVars(req.Variables); err != nil {
		problem(c, http.StatusUnprocessableEntity, "variables do not fit the definition", dataFields("/variables", err)...)
		return
	}
	p, created, err := s.Store.CreateProcess(ctx, store.Process{
		ID: newID(), Definition: v.DefinitionID, Version: v.Version, BusinessKey: req.BusinessKey,
		Client: req.Client, Vars: req.Variables, StartedBy: currentUser(c).Login,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	if p.Definition != v.DefinitionID || (!created && p.Version != v.Version && req.Version != 0) {
		s.fail(c, errs.ErrConflict)
		return
	}
	if p.State == store.ProcessRunning {
		_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: p.ID, TaskQueue: workflows.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, workflows.ProcessWorkflow, workflows.Input{
			ProcessID: p.ID, Plan: v.Plan, Version: p.Version, BusinessKey: p.BusinessKey,
			Client: definitions.Client{ID: p.Client}, Vars: p.Vars, StartedAt: p.StartedAt,
		})
		if err != nil && !isAlreadyStarted(err) {
			s.fail(c, err)
			return
		}
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.JSON(status, p)
}

func dataFields(prefix string, err error) []FieldError {
	de, ok := err.(definitions.DataError)
	if !ok {
		return []FieldError{{Path: prefix, Message: err.Error()}}
	}
	out := make([]FieldError, len(de))
	for i, f := range de {
		out[i] = FieldError{Path: prefix + f.Path, Message: f.Message}
	}
	return out
}

func (s *Server) listProcesses(c *gin.Context) {
	f := store.ProcessFilter{Definition: c.Query("definition"), State: c.Query("state"), Assignee: c.Query("assignee"), Page: page(c)}
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
		err = errs.ErrNotFound
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
	if err := s.update(c.Request.Context(), p.ID, workflows.UpdateCancel, c.GetHeader("Idempotency-Key"),
		workflows.CancelRequest{By: currentUser(c).Login}, nil); err != nil {
		s.failUpdate(c, err)
		return
	}
	p, err := s.Store.Process(c.Request.Context(), p.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
