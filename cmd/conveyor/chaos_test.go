package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/workflows"
)

// The chaos test drives a load of processes through the HTTP API of a real
// `conveyor dev` and kills it with SIGKILL at random moments under that
// load, restarting it each time. Clients behave as careful clients do: a
// request that got no answer is sent again with the same Idempotency-Key.
// In the end every process must have reached its end, every stage been done
// exactly once, and every completion been answered 200 and be in the
// workflow's history. CI runs a short version; `make chaos` a long one
// (CONVEYOR_CHAOS_PROCESSES, CONVEYOR_CHAOS_KILLS).
func TestChaosKillsUnderLoadLoseNothing(t *testing.T) {
	processes := envInt("CONVEYOR_CHAOS_PROCESSES", 100)
	kills := envInt("CONVEYOR_CHAOS_KILLS", 3)
	const inFlight = 16

	dataDir, httpPort, temporalPort := devPlace(t)
	ch := &chaos{t: t, dev: startDev(t, dataDir, httpPort, temporalPort), tokens: map[string]string{}, pids: make([]string, processes)}
	for _, u := range []string{"olga", "ivan", "maria", "sergey"} {
		ch.tokens[u] = ch.dev.login(t, u, "demo")
	}
	ch.base = ch.dev.url

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	ids := make(chan int)
	var wg sync.WaitGroup
	for range inFlight {
		wg.Go(func() {
			for n := range ids {
				ch.runProcess(ctx, n)
			}
		})
	}
	loadDone := make(chan struct{})
	go func() {
		for n := range processes {
			ids <- n
		}
		close(ids)
		wg.Wait()
		close(loadDone)
	}()

	// Kill at random moments spread over the load: after a random share of
	// the steps of each slice is done, so every kill lands mid-load.
	total := int64(processes * 3)
	for k := range kills {
		at := total * int64(k*10+2+rand.IntN(7)) / int64(kills*10+1)
		for ch.steps.Load() < at && ctx.Err() == nil {
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		}
		require.NoError(t, ctx.Err(), "the load stalled at %d of %d steps", ch.steps.Load(), total)
		ch.kill()
		t.Logf("kill %d at %d of %d steps", k+1, ch.steps.Load(), total)
		ch.restart(dataDir, httpPort, temporalPort)
	}
	select {
	case <-loadDone:
	case <-ctx.Done():
		t.Fatalf("the load did not finish: %d of %d steps answered", ch.steps.Load(), total)
	}
	require.Zero(t, ch.refused.Load(), "no completion is refused: %s", ch.firstRefusal.Load())

	// The read model: every process at its end, each stage done once.
	dev := ch.current()
	admin := dev.login(t, "admin", "admin")
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", temporalPort), Namespace: "default"})
	require.NoError(t, err)
	defer tc.Close()
	adopted := 0
	for n := range processes {
		pid := ch.pids[n]
		var p struct {
			State, End string
			History    []devItem
		}
		require.Equal(t, http.StatusOK, dev.call(t, "GET", "/api/v1/processes/"+pid, admin, nil, &p))
		require.Equal(t, "completed", p.State, "process %d", n)
		require.Equal(t, "won", p.End, "process %d", n)
		require.Len(t, p.History, 3, "process %d: three stages, each once", n)
		for i, w := range p.History {
			require.Equal(t, fmt.Sprintf("%s.%d", pid, i+1), w.ID)
			require.Equal(t, "done", w.State)
		}
		// The workflow agrees: it finished, and its history holds the
		// completion of every item, under the key its completer used.
		desc, err := tc.DescribeWorkflowExecution(ctx, pid, "")
		require.NoError(t, err)
		require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.WorkflowExecutionInfo.Status, "process %d", n)
		done, synced := completedUpdates(t, ctx, tc, pid)
		adopted += synced
		for i := 1; i <= 3; i++ {
			require.True(t, done[fmt.Sprintf("%s.%d", pid, i)], "process %d: the completion of item %d is in the history", n, i)
		}
	}
	t.Logf("%d steps whose Update a kill lost were adopted by the reconciler", adopted)
}

type chaos struct {
	t      *testing.T
	mu     sync.Mutex
	dev    *devProcess
	base   string
	tokens map[string]string
	pids   []string // by process number, written by its runner

	steps, refused atomic.Int64
	firstRefusal   atomic.Value
}

func (ch *chaos) current() *devProcess {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.dev
}

func (ch *chaos) kill() {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	require.NoError(ch.t, ch.dev.cmd.Process.Signal(syscall.SIGKILL))
	_ = ch.dev.cmd.Wait()
}

func (ch *chaos) restart(dir string, httpPort, temporalPort int) {
	d := startDev(ch.t, dir, httpPort, temporalPort)
	ch.mu.Lock()
	ch.dev = d
	ch.mu.Unlock()
}

// runProcess starts process n and works its three stages as ivan, maria
// and sergey would, each completion keyed by its item.
func (ch *chaos) runProcess(ctx context.Context, n int) {
	var p struct{ ID string }
	if !ch.until(ctx, "POST", "/api/v1/processes", "olga", "",
		map[string]any{"definition": "sales", "businessKey": fmt.Sprintf("chaos-%d", n), "variables": map[string]any{"source": "website"}}, &p) {
		return
	}
	ch.pids[n] = p.ID
	steps := []struct {
		who  string
		body map[string]any
	}{
		{"ivan", map[string]any{"data": map[string]any{"result": "interested"}}},
		{"maria", map[string]any{"data": map[string]any{"result": "won", "amount": 100}, "next": map[string]any{"assignee": "sergey"}}},
		{"sergey", map[string]any{"data": map[string]any{"result": "done"}}},
	}
	for i, s := range steps {
		item := fmt.Sprintf("%s.%d", p.ID, i+1)
		if !ch.until(ctx, "POST", "/api/v1/work-items/"+item+"/complete", s.who, item, s.body, nil) {
			return
		}
		ch.steps.Add(1)
	}
}

// until sends a request until it is answered 2xx; a refusal (4xx but 404,
// which an item not yet opened gets) is counted and ends the process's run.
func (ch *chaos) until(ctx context.Context, method, path, who, key string, body, out any) bool {
	raw, _ := json.Marshal(body)
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, method, ch.base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+ch.tokens[who])
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			time.Sleep(100 * time.Millisecond) // down: being killed or restarting
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			if out != nil {
				require.NoError(ch.t, json.Unmarshal(b, out))
			}
			return true
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode >= 500:
			time.Sleep(100 * time.Millisecond)
		default:
			if ch.refused.Add(1) == 1 {
				ch.firstRefusal.Store(fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, b))
			}
			return false
		}
	}
	return false
}

// completedUpdates are the IDs of the Updates the workflow's history shows
// as completed successfully, and how many of them were the reconciler's.
func completedUpdates(t *testing.T, ctx context.Context, tc client.Client, workflowID string) (map[string]bool, int) {
	t.Helper()
	out := map[string]bool{}
	syncs := 0
	iter := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		if a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes(); a != nil && a.GetOutcome().GetSuccess() != nil {
			out[a.GetMeta().GetUpdateId()] = true
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetInput().GetName() == workflows.UpdateSync {
			syncs++
		}
	}
	return out, syncs
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
