package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/workflows/wire"
)

// A step commits in PostgreSQL inside a workflow task; if that task is lost
// (the worker or Temporal dies before Temporal records it), the read model
// is one step ahead of the workflow. The workflow then adopts the committed
// step from the read model: the step was decided by this very workflow, so
// taking it is replaying a decision, not making a new one. Two things bring
// it about: a completion of the item the lost step opened, and the
// reconciler (reconcile/), which asks with UpdateSync about every step
// whose Update Temporal does not know.

// UpdateSync asks the workflow to compare itself with the read model.
const UpdateSync = "sync"

// TypeInSync is the refusal of a sync that finds nothing to adopt: a
// refused Update leaves no trace in the history.
const TypeInSync = "InSync"

// SyncRequest is what the read model held when the reconciler looked.
type SyncRequest struct {
	State    string `json:"state"`
	ItemID   string `json:"itemId,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	By       string `json:"by"`
}

func (p *process) validateSync(ctx workflow.Context, req SyncRequest) error {
	if p.busy || !p.inSync(req) {
		return nil
	}
	return temporal.NewApplicationError("process "+p.in.ProcessID+" agrees with the read model", TypeInSync)
}

func (p *process) inSync(req SyncRequest) bool {
	if req.State != wire.Running || p.finished {
		// A finished workflow has nothing left to adopt.
		return p.finished || req.State == wire.Running
	}
	var id, assignee string
	if p.current != nil {
		id, assignee = p.current.ID, p.current.Assignee
	}
	return id == req.ItemID && assignee == req.Assignee
}

// sync adopts what the read model has and the workflow lacks.
func (p *process) sync(ctx workflow.Context, _ SyncRequest) error {
	if err := workflow.Await(ctx, func() bool { return !p.busy }); err != nil {
		return err
	}
	return p.syncFromReadModel(ctx)
}

func (p *process) syncFromReadModel(ctx workflow.Context) error {
	p.busy = true
	defer func() { p.busy = false }()
	v, err := readProcess(ctx, p.in.ProcessID)
	if err != nil {
		return err
	}
	p.adopt(ctx, v)
	return nil
}

// adopt moves the workflow forward to the read model's state. The lost
// Update's answer is remembered, so the completer's retry with the same
// Idempotency-Key gets it.
func (p *process) adopt(ctx workflow.Context, v wire.SyncView) {
	switch {
	case p.finished:
	case v.State != wire.Running:
		p.finished, p.current = true, nil
		p.steps++
		p.rememberID(v.UpdateID, CompleteResult{Item: v.Closed, Next: []wire.WorkItem{}, End: v.End, State: v.State})
	case v.Open == nil:
		// Running with no open item: waiting for a supervisor.
	case p.current == nil || v.Open.Seq > p.current.Seq:
		p.moved(v.Open)
		p.rememberID(v.UpdateID, CompleteResult{Item: v.Closed, Next: []wire.WorkItem{*v.Open}, State: v.State})
	case v.Open.Seq == p.current.Seq:
		p.current.Assignee = v.Open.Assignee // a reassignment whose Update was lost
	default:
		workflow.GetLogger(ctx).Error("the read model is behind the workflow; the workflow keeps its state",
			"process", p.in.ProcessID, "workflowItem", p.current.ID, "readModelItem", v.Open.ID)
	}
}
