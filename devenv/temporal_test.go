package devenv

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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

	// WAL is really on (file format bytes 18/19 are 2 in WAL mode) and the
	// schema temp file was renamed away.
	hdr := make([]byte, 20)
	f, err := os.Open(filepath.Join(dir, "temporal.db"))
	require.NoError(t, err)
	_, err = f.ReadAt(hdr, 0)
	require.NoError(t, f.Close())
	require.NoError(t, err)
	require.Equal(t, []byte{2, 2}, hdr[18:20], "journal_mode=wal not applied")
	leftovers, err := filepath.Glob(filepath.Join(dir, "temporal.db.setup-*"))
	require.NoError(t, err)
	require.Empty(t, leftovers)

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

const killHelperEnv = "DEVENV_TEMPORAL_KILL_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(killHelperEnv); dir != "" {
		os.Exit(runKillHelper(dir))
	}
	os.Exit(m.Run())
}

// runKillHelper runs in a child process: it starts Temporal on dir, starts a
// workflow (no worker, so it stays open), reports it on stdout and then waits
// to be killed.
func runKillHelper(dir string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("proc", "helper")
	tmp, err := StartTemporal(ctx, TemporalOptions{Dir: dir, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	c, err := client.Dial(client.Options{HostPort: tmp.Address(), Namespace: tmp.Namespace(), Logger: sdklog.NewStructuredLogger(logger)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "killed", TaskQueue: "test"}, pingWorkflow)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	fmt.Printf("READY %s %s\n", run.GetID(), run.GetRunID())
	select {} // until SIGKILL
}

func TestTemporalSurvivesKill9(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "helper did not report READY")
	var wfID, runID string
	_, err = fmt.Sscanf(line, "READY %s %s", &wfID, &runID)
	require.NoError(t, err, line)

	// The lock also works across processes.
	_, err = StartTemporal(ctx, TemporalOptions{Dir: dir})
	require.ErrorIs(t, err, ErrLocked)
	require.Contains(t, err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	// The kernel dropped the flock; the committed data is in the db/WAL.
	tmp := startTemporal(t, ctx, dir)
	c := dialClient(t, tmp)
	desc, err := c.DescribeWorkflowExecution(ctx, wfID, runID)
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.GetWorkflowExecutionInfo().GetStatus())

	// And the workflow carries on after the crash.
	w := worker.New(c, "test", worker.Options{})
	w.RegisterWorkflow(pingWorkflow)
	require.NoError(t, w.Start())
	defer w.Stop()
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wfID, RunID: runID, UpdateName: "ping", WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	require.NoError(t, err)
	var pong string
	require.NoError(t, h.Get(ctx, &pong))
	require.Equal(t, "pong", pong)
	var result string
	require.NoError(t, c.GetWorkflow(ctx, wfID, runID).Get(ctx, &result))
	require.Equal(t, "done", result)
}
