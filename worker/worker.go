// Package worker wires the conveyor workflow and its activities into a
// Temporal worker.
package worker

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/activities"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// New returns a worker for the conveyor task queue; the caller runs it.
// Stop lets running tasks finish and takes no new ones. Updates not signed
// with key are refused.
func New(c client.Client, st *store.Store, key updateauth.Key) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, Options(key))
	Register(w, &activities.Activities{Store: st})
	return w
}

// Options are the worker options every conveyor worker runs with.
func Options(key updateauth.Key) sdkworker.Options {
	return sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{key.Worker()}}
}

// Register puts the workflow and activities on any registry (a worker, a
// test environment, a replayer).
func Register(r interface {
	sdkworker.WorkflowRegistry
	sdkworker.ActivityRegistry
}, acts *activities.Activities) {
	r.RegisterWorkflowWithOptions(workflows.Process, workflow.RegisterOptions{Name: workflows.ProcessWorkflow})
	for name, fn := range map[string]any{
		wire.ApplyStep:     acts.ApplyStep,
		wire.MarkOverdue:   acts.MarkOverdue,
		wire.CancelProcess: acts.CancelProcess,
		wire.FailProcess:   acts.FailProcess,
		wire.Reassign:      acts.Reassign,
		wire.ReadProcess:   acts.ReadProcess,
		wire.NeedAttention: acts.NeedAttention,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}
