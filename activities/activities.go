// Package activities holds the database side of a conveyor step. Each method
// is an activity taking one struct, safe to retry: the store's unique keys
// make a second run find the first one's rows.
package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Names under which the activities are registered and called.
const (
	ApplyStepName     = "ApplyStep"
	MarkOverdueName   = "MarkOverdue"
	CancelProcessName = "CancelProcess"
	FailProcessName   = "FailProcess"
	ReassignName      = "Reassign"
	ReadProcessName   = "ReadProcess"
	AttentionName     = "NeedAttention"
)

// Error types carried by application errors, for the HTTP layer to map.
const (
	TypeInvalid  = "Invalid"
	TypeConflict = "Conflict"
	TypeNotFound = "NotFound"
)

type Activities struct {
	Store *store.Store
}

type StepOutput struct {
	Closed *store.WorkItem
	Next   *store.WorkItem
}

// The actors the runtime writes as when no user acts.
const (
	ActorWorkflow = "system:workflow"
	ActorDeadline = "system:deadline"
)

// ApplyStep closes the completed item and opens the next in one transaction.
// The completer is its actor; the first item's is the workflow.
func (a *Activities) ApplyStep(ctx context.Context, in store.Step) (StepOutput, error) {
	actor := ActorWorkflow
	if in.Close != nil {
		actor = in.Close.By
	}
	res, err := a.Store.ApplyStep(store.WithActor(ctx, actor), in)
	return StepOutput{Closed: res.Closed, Next: res.Next}, classify(err)
}

type OverdueInput struct{ ItemID string }

type OverdueOutput struct{ Escalated bool }

// MarkOverdue flags a late item and escalates it once.
func (a *Activities) MarkOverdue(ctx context.Context, in OverdueInput) (OverdueOutput, error) {
	escalated, err := a.Store.MarkOverdue(store.WithActor(ctx, ActorDeadline), in.ItemID)
	return OverdueOutput{Escalated: escalated}, classify(err)
}

type ProcessInput struct {
	ProcessID string
	Reason    string
	By        string // who cancels; empty: the workflow itself
	UpdateID  string // the Update the change is made for, if any
}

func (in ProcessInput) actor() string {
	if in.By == "" {
		return ActorWorkflow
	}
	return in.By
}

// CancelProcess cancels the process and its open item in the read model.
func (a *Activities) CancelProcess(ctx context.Context, in ProcessInput) error {
	return classify(a.Store.CancelProcess(store.WithActor(ctx, in.actor()), in.ProcessID, in.UpdateID))
}

// FailProcess records why a process could not go on.
func (a *Activities) FailProcess(ctx context.Context, in ProcessInput) error {
	return classify(a.Store.FailProcess(store.WithActor(ctx, in.actor()), in.ProcessID, in.Reason))
}

// classify makes refusals final (retrying cannot make them succeed) and
// typed, so the workflow can pass them on and the API can map them.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, refusal.ErrInvalid):
		return temporal.NewNonRetryableApplicationError(err.Error(), TypeInvalid, nil)
	case errors.Is(err, refusal.ErrConflict):
		return temporal.NewNonRetryableApplicationError(err.Error(), TypeConflict, nil)
	case errors.Is(err, refusal.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(err.Error(), TypeNotFound, nil)
	}
	return err
}

type ReassignInput struct {
	ItemID, To, By string
	UpdateID       string
}

// Reassign gives the open item to another user.
func (a *Activities) Reassign(ctx context.Context, in ReassignInput) (store.WorkItem, error) {
	w, err := a.Store.ReassignWorkItem(store.WithActor(ctx, in.By), in.ItemID, in.To, in.UpdateID)
	return w, classify(err)
}

// NeedAttention records on the process why one of its rules failed.
func (a *Activities) NeedAttention(ctx context.Context, in ProcessInput) error {
	return classify(a.Store.NeedAttention(store.WithActor(ctx, ActorWorkflow), in.ProcessID, in.Reason))
}

// ReadProcess reads the process as the read model has it, for the workflow
// to adopt a step whose Update was lost (see workflows/sync.go).
func (a *Activities) ReadProcess(ctx context.Context, in ProcessInput) (store.SyncView, error) {
	v, err := a.Store.ProcessSyncView(ctx, in.ProcessID)
	return v, classify(err)
}
