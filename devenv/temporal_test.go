package devenv

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// pingWorkflow waits for one "ping" update, answers "pong", then completes.
func pingWorkflow(ctx workflow.Context) (string, error) {
	pinged := false
	if err := workflow.SetUpdateHandler(ctx, "ping", func(ctx workflow.Context) (string, error) {
		pinged = true
		return "pong", nil
	}); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return pinged && workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	return "done", nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("test", t.Name())
}

func startTemporal(t *testing.T, ctx context.Context, dir string) *Temporal {
	t.Helper()
	begin := time.Now()
	tmp, err := StartTemporal(ctx, TemporalOptions{Dir: dir, Logger: testLogger(t)})
	require.NoError(t, err)
	t.Logf("temporal ready at %s in %s", tmp.Address(), time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() { _ = tmp.Stop() })
	return tmp
}

func dialClient(t *testing.T, tmp *Temporal) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  tmp.Address(),
		Namespace: tmp.Namespace(),
		Logger:    sdklog.NewStructuredLogger(testLogger(t)),
	})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestTemporal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()

	// First run: fresh dir, schema set up, workflow with an update.
	tmp := startTemporal(t, ctx, dir)
	require.Equal(t, "default", tmp.Namespace())
	require.FileExists(t, filepath.Join(dir, "temporal.db"))
	clusterID, err := os.ReadFile(filepath.Join(dir, "cluster-id"))
	require.NoError(t, err)

	c := dialClient(t, tmp)
	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: tmp.Namespace()})
	require.NoError(t, err)
	require.Equal(t, 7*24*time.Hour, ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())

	w := worker.New(c, "test", worker.Options{})
	w.RegisterWorkflow(pingWorkflow)
	require.NoError(t, w.Start())

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ping", TaskQueue: "test"}, pingWorkflow)
	require.NoError(t, err)
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   run.GetID(),
		RunID:        run.GetRunID(),
		UpdateName:   "ping",
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	require.NoError(t, err)
	var pong string
	require.NoError(t, h.Get(ctx, &pong))
	require.Equal(t, "pong", pong)
	var result string
	require.NoError(t, run.Get(ctx, &result))
	require.Equal(t, "done", result)

	w.Stop()
	c.Close()
	require.NoError(t, tmp.Stop())
	require.NoError(t, tmp.Stop()) // idempotent

	// Second run on the same dir: data survived, cluster ID is stable.
	tmp2 := startTemporal(t, ctx, dir)
	c2 := dialClient(t, tmp2)
	desc, err := c2.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.GetWorkflowExecutionInfo().GetStatus())
	clusterID2, err := os.ReadFile(filepath.Join(dir, "cluster-id"))
	require.NoError(t, err)
	require.Equal(t, string(clusterID), string(clusterID2))

	// A second server on the same dir while tmp2 runs is refused.
	_, err = StartTemporal(ctx, TemporalOptions{Dir: dir, Logger: testLogger(t)})
	require.ErrorIs(t, err, ErrLocked)
	t.Logf("second start: %v", err)

	require.NoError(t, tmp2.Stop())
}
