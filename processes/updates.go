package processes

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// MayAct tells whether me may act on (start, complete, reassign) item: its
// assignee, a supervisor above them, or an admin.
func MayAct(ctx context.Context, st *store.Store, me store.User, item store.WorkItem) (bool, error) {
	if me.Has(store.RoleAdmin) || item.Assignee == me.Login {
		return true, nil
	}
	return st.IsAbove(ctx, me.Login, item.Assignee)
}

// Complete sends a completion to the item's process and waits until the
// next item is written. updateID makes a client's retry the same Update.
func Complete(ctx context.Context, tc client.Client, item store.WorkItem, req workflows.CompleteRequest, updateID string) (workflows.CompleteResult, error) {
	req.ItemID = item.ID
	var res workflows.CompleteResult
	err := update(ctx, tc, item.ProcessID, workflows.UpdateComplete, updateID, req, &res)
	return res, err
}

// Cancel ends a process at once.
func Cancel(ctx context.Context, tc client.Client, processID, by, updateID string) error {
	return update(ctx, tc, processID, workflows.UpdateCancel, updateID, workflows.CancelRequest{By: by}, nil)
}

// Reassign gives an open item to another user.
func Reassign(ctx context.Context, tc client.Client, item store.WorkItem, to, by, note, updateID string) error {
	if bad := limits.Note.Check("/note", note); bad != nil {
		return &refusal.Error{Kind: refusal.ErrInvalid, Message: bad.Error(),
			Fields: []definitions.FieldError{{Path: bad.Path, Message: bad.Message()}}}
	}
	return update(ctx, tc, item.ProcessID, workflows.UpdateReassign, updateID,
		workflows.ReassignRequest{ItemID: item.ID, To: to, By: by, Note: note}, nil)
}

// Move moves a process on past a rule of its definition that failed: the
// open item (if any) is closed by me and stage `to` opened for assignee
// (someone me may give the process's work to), or end `to` reached. The
// read model names the open item.
func Move(ctx context.Context, st *store.Store, tc client.Client, me store.User, processID, to, assignee, updateID string) (workflows.CompleteResult, error) {
	if assignee != "" {
		if err := CheckTarget(ctx, st, me, processID, assignee); err != nil {
			return workflows.CompleteResult{}, err
		}
	}
	v, err := st.ProcessSyncView(ctx, processID)
	if err != nil {
		return workflows.CompleteResult{}, err
	}
	req := workflows.MoveRequest{To: to, Assignee: assignee, By: me.Login}
	if v.Open != nil {
		req.ItemID = v.Open.ID
	}
	var res workflows.CompleteResult
	err = update(ctx, tc, processID, workflows.UpdateMove, updateID, req, &res)
	return res, err
}

// update sends a workflow Update and waits for its outcome; the workflow's
// refusals come back as a *refusal.Error.
func update(ctx context.Context, tc client.Client, processID, name, updateID string, arg, result any) error {
	if updateID == "" {
		updateID = NewID()
	}
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
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
