// Package activities holds the database side of a conveyor step. Each method
// is an activity taking one struct of workflows/wire, safe to retry: the
// store's unique keys make a second run find the first one's rows. They
// translate between the wire's payloads and the store's rows, so neither
// depends on the other; refusals leave as wire.Refuse encodes them.
package activities

import (
	"context"

	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

type Activities struct {
	Store *store.Store
}

// The actors the runtime writes as when no user acts.
const (
	ActorWorkflow = "system:workflow"
	ActorDeadline = "system:deadline"
)

// ApplyStep closes the completed item and opens the next in one transaction.
// The completer is its actor; the first item's is the workflow.
func (a *Activities) ApplyStep(ctx context.Context, in wire.Step) (wire.StepOutput, error) {
	actor := ActorWorkflow
	if in.Close != nil {
		actor = in.Close.By
	}
	res, err := a.Store.ApplyStep(store.WithActor(ctx, actor), storeStep(in))
	return wire.StepOutput{Closed: wireItem(res.Closed), Next: wireItem(res.Next)}, wire.Refuse(err)
}

// MarkOverdue flags a late item and escalates it once.
func (a *Activities) MarkOverdue(ctx context.Context, in wire.OverdueInput) (wire.OverdueOutput, error) {
	escalated, err := a.Store.MarkOverdue(store.WithActor(ctx, ActorDeadline), in.ItemID)
	return wire.OverdueOutput{Escalated: escalated}, wire.Refuse(err)
}

func actor(in wire.ProcessInput) string {
	if in.By == "" {
		return ActorWorkflow
	}
	return in.By
}

// CancelProcess cancels the process and its open item in the read model.
func (a *Activities) CancelProcess(ctx context.Context, in wire.ProcessInput) error {
	return wire.Refuse(a.Store.CancelProcess(store.WithActor(ctx, actor(in)), in.ProcessID, in.By, in.Reason, in.UpdateID))
}

// FailProcess records why a process could not go on.
func (a *Activities) FailProcess(ctx context.Context, in wire.ProcessInput) error {
	return wire.Refuse(a.Store.FailProcess(store.WithActor(ctx, actor(in)), in.ProcessID, in.Reason))
}

// Reassign gives the open item to another user.
func (a *Activities) Reassign(ctx context.Context, in wire.ReassignInput) (wire.WorkItem, error) {
	w, err := a.Store.ReassignWorkItem(store.WithActor(ctx, in.By), in.ItemID, in.To, in.By, in.Note, in.UpdateID)
	if err != nil {
		return wire.WorkItem{}, wire.Refuse(err)
	}
	return *wireItem(&w), nil
}

// NeedAttention records on the process why one of its rules failed.
func (a *Activities) NeedAttention(ctx context.Context, in wire.ProcessInput) error {
	return wire.Refuse(a.Store.NeedAttention(store.WithActor(ctx, ActorWorkflow), in.ProcessID, in.Reason))
}

// ReadProcess reads the process as the read model has it, for the workflow
// to adopt a step whose Update was lost (see workflows/sync.go).
func (a *Activities) ReadProcess(ctx context.Context, in wire.ProcessInput) (wire.SyncView, error) {
	v, err := a.Store.ProcessSyncView(ctx, in.ProcessID)
	if err != nil {
		return wire.SyncView{}, wire.Refuse(err)
	}
	return wire.SyncView{State: v.State, End: v.End, Open: wireItem(v.Open), Closed: wireItem(v.Closed),
		UpdateID: v.UpdateID, Attention: v.Attention}, nil
}
