package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/workflows/wire"
)

// UpdateReassign moves the open work item to another user.
const UpdateReassign = "reassign"

type ReassignRequest struct {
	ItemID string `json:"itemId"`
	To     string `json:"to"`
	By     string `json:"by"`
	Note   string `json:"note,omitempty"`
}

// CancelRequest is the argument of the cancel update.
type CancelRequest struct {
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
}

func (p *process) validateReassign(ctx workflow.Context, req ReassignRequest) error {
	if p.busy {
		return nil // decided by the handler, once the step under way is done
	}
	return p.mayReassign(req)
}

func (p *process) mayReassign(req ReassignRequest) error {
	if p.finished || p.current == nil || p.current.ID != req.ItemID {
		return conflict("work item " + req.ItemID + " is not open")
	}
	return nil
}

// reassign changes who works the open item; `same` later follows the new
// assignee.
func (p *process) reassign(ctx workflow.Context, req ReassignRequest) error {
	if err := workflow.Await(ctx, func() bool { return !p.busy }); err != nil {
		return err
	}
	if err := p.mayReassign(req); err != nil {
		return err
	}
	p.busy = true
	defer func() { p.busy = false }()
	w, err := reassignInReadModel(ctx, wire.ReassignInput{ItemID: req.ItemID, To: req.To, By: req.By, Note: req.Note, UpdateID: updateID(ctx)})
	if err != nil {
		return err
	}
	p.current.Assignee = w.Assignee
	return nil
}
