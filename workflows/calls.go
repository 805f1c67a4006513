package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/workflows/wire"
)

// The activities, each called from one typed function with its wire types:
// the workflow's only dependency on what runs outside it.

// local runs the short database writes of a step as local activities: no
// round trip through the server, so a completion costs about one Update.
func local(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 10},
	})
}

// remote runs the activities that need not answer an Update at once.
func remote(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
}

func applyStep(ctx workflow.Context, st wire.Step) (wire.StepOutput, error) {
	var out wire.StepOutput
	err := workflow.ExecuteLocalActivity(local(ctx), wire.ApplyStep, st).Get(ctx, &out)
	return out, err
}

func cancelInReadModel(ctx workflow.Context, in wire.ProcessInput) error {
	return workflow.ExecuteLocalActivity(local(ctx), wire.CancelProcess, in).Get(ctx, nil)
}

func reassignInReadModel(ctx workflow.Context, in wire.ReassignInput) (wire.WorkItem, error) {
	var w wire.WorkItem
	err := workflow.ExecuteLocalActivity(local(ctx), wire.Reassign, in).Get(ctx, &w)
	return w, err
}

func readProcess(ctx workflow.Context, processID string) (wire.SyncView, error) {
	var v wire.SyncView
	err := workflow.ExecuteLocalActivity(local(ctx), wire.ReadProcess, wire.ProcessInput{ProcessID: processID}).Get(ctx, &v)
	return v, err
}

func recordAttention(ctx workflow.Context, processID, reason string) error {
	return workflow.ExecuteLocalActivity(local(ctx), wire.NeedAttention,
		wire.ProcessInput{ProcessID: processID, Reason: reason}).Get(ctx, nil)
}

func failProcess(ctx workflow.Context, processID, reason string) error {
	return workflow.ExecuteActivity(remote(ctx), wire.FailProcess, wire.ProcessInput{ProcessID: processID, Reason: reason}).Get(ctx, nil)
}

func markOverdue(ctx workflow.Context, itemID string) error {
	return workflow.ExecuteActivity(remote(ctx), wire.MarkOverdue, wire.OverdueInput{ItemID: itemID}).Get(ctx, nil)
}
