package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/activities"
	"github.com/conveyorhq/conveyor/store"
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
	By string `json:"by"`
}

func (p *process) validateReassign(ctx workflow.Context, req ReassignRequest) error {
	if p.finished || p.current == nil || p.current.ID != req.ItemID || p.busy {
		return conflict("work item " + req.ItemID + " is not open")
	}
	return nil
}

// reassign changes who works the open item; `same` later follows the new
// assignee.
func (p *process) reassign(ctx workflow.Context, req ReassignRequest) error {
	if err := p.validateReassign(ctx, req); err != nil {
		return err
	}
	p.busy = true
	defer func() { p.busy = false }()
	var w store.WorkItem
	if err := workflow.ExecuteLocalActivity(local(ctx), activities.ReassignName,
		activities.ReassignInput{ItemID: req.ItemID, To: req.To, By: req.By}).Get(ctx, &w); err != nil {
		return err
	}
	p.current.Assignee = w.Assignee
	return nil
}
