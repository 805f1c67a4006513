// Package reconcile brings a process's workflow and its read model back
// into agreement after a crash, by itself, without anybody retrying.
//
// Every step a workflow applies for an Update commits in PostgreSQL with a
// mark naming that Update (store/sync.go). If Temporal then records the
// Update, the step is in both places; if the workflow task carrying it was
// lost (a worker, a Temporal server or the whole `conveyor dev` killed), the
// read model holds a step the workflow never took. The reconciler looks at
// every mark older than a grace period: if Temporal knows the Update's
// outcome, the mark goes; if Temporal has never heard of it, the workflow
// is asked to adopt what the read model holds (workflows/sync.go).
package reconcile

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

// Actor is the `by` of the reconciler's Updates.
const Actor = "system:reconciler"

// Reconciler checks the marks of one database against one Temporal
// namespace. Several may run (one per worker): what they do is idempotent.
type Reconciler struct {
	Store    *store.Store
	Temporal client.Client
	Log      *slog.Logger
	// Grace is how old a mark must be before it is looked at: younger ones
	// belong to Updates still on their way. Interval is the pause between
	// rounds, Batch the most marks a round takes.
	Grace, Interval time.Duration
	Batch           int
}

// New returns a reconciler with the defaults.
func New(st *store.Store, tc client.Client, log *slog.Logger) *Reconciler {
	return &Reconciler{Store: st, Temporal: tc, Log: log, Grace: 5 * time.Second, Interval: 2 * time.Second, Batch: 100}
}

// Run reconciles until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		if _, err := r.Round(ctx); err != nil && ctx.Err() == nil {
			r.Log.WarnContext(ctx, "reconciling processes", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round looks at the marks once and tells how many steps were adopted. The
// marks settled are cleared together: a round costs two statements however
// many steps it looks at.
func (r *Reconciler) Round(ctx context.Context) (adopted int, err error) {
	marks, err := r.Store.SyncMarks(ctx, r.Grace, r.Batch)
	if err != nil {
		return 0, err
	}
	var errs []error
	settled := marks[:0:0]
	for _, m := range marks {
		did, err := r.one(ctx, m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		settled = append(settled, m)
		if did {
			adopted++
		}
	}
	errs = append(errs, r.Store.ClearSyncMarks(ctx, settled))
	return adopted, errors.Join(errs...)
}

// one settles a mark: Temporal has its Update, or the workflow adopts the
// step.
func (r *Reconciler) one(ctx context.Context, m store.SyncMark) (adopted bool, err error) {
	known, err := r.recorded(ctx, m)
	if err != nil || known {
		return false, err
	}
	if adopted, err = r.adopt(ctx, m); adopted {
		r.Log.InfoContext(ctx, "a process adopted a step whose update was lost", "process", m.ProcessID, "update", m.UpdateID)
	}
	return adopted, err
}

// recorded tells whether Temporal holds the outcome of the mark's Update.
func (r *Reconciler) recorded(ctx context.Context, m store.SyncMark) (bool, error) {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	h := r.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{WorkflowID: m.ProcessID, UpdateID: m.UpdateID})
	err := h.Get(pctx, nil)
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &notFound):
		return false, nil
	case pctx.Err() != nil && ctx.Err() == nil:
		return false, errors.New("the update of process " + m.ProcessID + " is still running")
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return true, nil // the Update ended with a refusal: Temporal has it
	}
	return false, err
}

// adopt asks the workflow to take the read model's state. A workflow that
// agrees refuses, which leaves no trace in its history.
func (r *Reconciler) adopt(ctx context.Context, m store.SyncMark) (bool, error) {
	h, err := r.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: m.ProcessID, UpdateName: workflows.UpdateSync, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.SyncRequest{State: m.State, ItemID: m.ItemID, Assignee: m.Assignee, By: Actor}},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &app) && app.Type() == workflows.TypeInSync:
		return false, nil
	case errors.As(err, &notFound):
		return false, nil // the workflow has finished: nothing left to take
	}
	return false, err
}
