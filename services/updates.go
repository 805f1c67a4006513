package services

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// The workflow's Updates. Each is sent only after the method calling it has
// applied its rules, so that a refused action leaves no trace in the
// process's history. updateID makes a client's retry the same Update.

// complete sends a completion to the item's process and waits until the
// next item is written.
func (s *Services) complete(ctx context.Context, item store.WorkItem, req workflows.CompleteRequest, updateID string) (workflows.CompleteResult, error) {
	req.ItemID = item.ID
	var res workflows.CompleteResult
	err := s.update(ctx, item.ProcessID, workflows.UpdateComplete, updateID, req, &res)
	return res, err
}

// cancel ends a process at once.
func (s *Services) cancel(ctx context.Context, processID, by, reason, updateID string) error {
	return s.update(ctx, processID, workflows.UpdateCancel, updateID, workflows.CancelRequest{By: by, Reason: reason}, nil)
}

// reassign gives an open item to another user.
func (s *Services) reassign(ctx context.Context, item store.WorkItem, to, by, note, updateID string) error {
	return s.update(ctx, item.ProcessID, workflows.UpdateReassign, updateID,
		workflows.ReassignRequest{ItemID: item.ID, To: to, By: by, Note: note}, nil)
}

// move closes the process's open item (if any) and opens stage to for
// assignee, or reaches end to.
func (s *Services) move(ctx context.Context, processID, to, assignee, by, updateID string) (workflows.CompleteResult, error) {
	v, err := s.Store.ProcessSyncView(ctx, processID)
	if err != nil {
		return workflows.CompleteResult{}, err
	}
	req := workflows.MoveRequest{To: to, Assignee: assignee, By: by}
	if v.Open != nil {
		req.ItemID = v.Open.ID
	}
	var res workflows.CompleteResult
	err = s.update(ctx, processID, workflows.UpdateMove, updateID, req, &res)
	return res, err
}

// update sends a workflow Update and waits for its outcome; the workflow's
// refusals come back as a *refusal.Error.
func (s *Services) update(ctx context.Context, processID, name, updateID string, arg, result any) error {
	if updateID == "" {
		updateID = NewID()
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: processID, UpdateID: updateID, UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	return fromTemporal(err)
}

// fromTemporal: the workflow's refusals come back as *refusal.Error
// (wire.Refused decodes them); anything else is a failure to reach it.
func fromTemporal(err error) error {
	if err = wire.Refused(err); err == nil || refusal.KindOf(err) != nil {
		return err
	}
	return fmt.Errorf("workflow update: %w", err)
}
