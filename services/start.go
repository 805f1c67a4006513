package services

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

// StartRequest is what a start asks for.
type StartRequest struct {
	Definition  string          `json:"definition"`
	Version     int             `json:"version,omitempty"` // 0: the latest
	BusinessKey string          `json:"businessKey,omitempty"`
	Client      string          `json:"client,omitempty"`
	Variables   json.RawMessage `json:"variables,omitempty"`
}

// Started is a process just started, or found by its business key, with
// the work item it has open once it has entered its first stage.
type Started struct {
	store.Process
	OpenItem *store.WorkItem `json:"openItem,omitempty"`
	// Created: the process is new, not found by its business key.
	Created bool `json:"-"`
}

// enterWait is how long a start waits for the process to enter its first
// stage, so that its answer names the first work item; a start that waits
// longer (the database slow to take the first step) answers without it.
const enterWait = 10 * time.Second

// StartProcess starts a process for me (a manager, a supervisor or an
// admin): the read-model row first, then the workflow, so that a repeated
// request heals a start that crashed between the two. With a business key
// the conveyor already has, it returns that process (created false) and
// makes sure its workflow runs. Variables that fail the definition's schema
// are a definitions.DataError; a client me may not see is not found. An
// existing process me may not see is ErrConflict and nothing of it is
// returned: a business key must not open a way around the visibility rule.
func (s *Services) StartProcess(ctx context.Context, me store.User, req StartRequest) (Started, error) {
	p, created, err := s.start(ctx, me, req)
	if err != nil || p.State != store.ProcessRunning {
		return Started{Process: p, Created: created}, err
	}
	// The workflow runs: wait for its first step, then read what it opened.
	wait, cancel := context.WithTimeout(ctx, enterWait)
	defer cancel()
	if err := s.update(wait, p.ID, workflows.UpdateEntered, "", workflows.EnteredRequest{}, nil); err != nil {
		if ctx.Err() != nil {
			return Started{}, ctx.Err()
		}
		return Started{Process: p, Created: created}, nil // slow: the answer has no item yet
	}
	out := Started{Created: created}
	if out.Process, err = s.Store.Process(ctx, p.ID); err != nil {
		return Started{}, err
	}
	v, err := s.Store.ProcessSyncView(ctx, p.ID)
	out.OpenItem = v.Open
	return out, err
}

func (s *Services) start(ctx context.Context, me store.User, req StartRequest) (store.Process, bool, error) {
	if !MayStartProcesses(me) {
		return store.Process{}, false, refusal.New(refusal.ErrForbidden, "starting a process needs the role manager, supervisor or admin")
	}
	st, by := s.Store, viewerOf(me)
	if req.Definition == "" {
		return store.Process{}, false, fmt.Errorf("definition is required: %w", refusal.ErrInvalid)
	}
	v, err := st.DefinitionVersion(ctx, req.Definition, req.Version)
	if err != nil {
		return store.Process{}, false, err
	}
	rt, err := definitions.NewRuntime(v.Plan)
	if err != nil {
		return store.Process{}, false, err
	}
	if err := rt.CheckVars(req.Variables); err != nil {
		return store.Process{}, false, err
	}
	if req.Client != "" {
		if err := st.CanSeeClient(ctx, by, req.Client); err != nil {
			return store.Process{}, false, err
		}
	}
	p, created, err := st.CreateProcess(ctx, store.Process{
		ID: NewID(), Definition: v.DefinitionID, Version: v.Version, BusinessKey: req.BusinessKey,
		Client: req.Client, Vars: req.Variables, StartedBy: by.Login,
	})
	if err != nil {
		return store.Process{}, false, err
	}
	if !created {
		visible, err := st.CanSeeProcess(ctx, by, p.ID)
		if err != nil {
			return store.Process{}, false, err
		}
		if !visible {
			return store.Process{}, false, fmt.Errorf("a process of %s with this business key already exists: %w", p.Definition, refusal.ErrConflict)
		}
	}
	if p.State != store.ProcessRunning {
		return p, created, nil
	}
	subject, err := s.subjectOf(ctx, p.Client)
	if err != nil {
		return store.Process{}, false, err
	}
	if p.Version != v.Version { // an earlier start with this key ran on another version
		if v, err = st.DefinitionVersion(ctx, p.Definition, p.Version); err != nil {
			return store.Process{}, false, err
		}
	}
	_, err = s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: p.ID, TaskQueue: s.taskQueue(),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.ProcessWorkflow, workflows.Input{
		ProcessID: p.ID, Plan: v.Plan, Version: p.Version, BusinessKey: p.BusinessKey,
		Client: subject, Vars: p.Vars, StartedAt: p.StartedAt,
	})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return store.Process{}, false, fmt.Errorf("start workflow of process %s: %w", p.ID, err)
	}
	return p, created, nil
}

// MayStartProcesses tells whether u may start processes: managers,
// supervisors and admins.
func MayStartProcesses(u store.User) bool {
	return u.Has(store.RoleAdmin) || u.Has(store.RoleSupervisor) || u.Has(store.RoleManager)
}

// NewID is a random identifier, for processes and updates.
func NewID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// subjectOf is what expressions see as `client`: the process's client as it
// is when the process starts.
func (s *Services) subjectOf(ctx context.Context, id string) (definitions.Client, error) {
	if id == "" {
		return definitions.Client{}, nil
	}
	c, err := s.Store.Client(ctx, store.Viewer{Admin: true}, id)
	return definitions.Client{ID: c.ID, Name: c.Name, Owner: c.Owner, Segments: c.Segments, ProductGroups: c.ProductGroups}, err
}
