package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/examples"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

const bareQueue = "bench-bare"

var bareOptions = workflow.RegisterOptions{Name: "BareUpdate"}

// bareWorkflow answers "ping" updates until told to stop: the floor any
// conveyor step stands on.
func bareWorkflow(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, "ping", func(ctx workflow.Context, stop bool) (string, error) {
		done = stop
		return "pong", nil
	}); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return done }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

type bench struct {
	tc    client.Client
	st    *store.Store
	url   string
	token string
}

func (b *bench) prepare(ctx context.Context) error {
	ctx = store.WithActor(ctx, "system:bench")
	hash, err := auth.HashPassword("bench")
	if err != nil {
		return err
	}
	for _, u := range []store.User{
		{Login: "admin", Roles: []string{store.RoleAdmin}},
		{Login: "ivan", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}},
	} {
		if _, err := b.st.CreateUser(ctx, u, hash); err != nil {
			return err
		}
	}
	plan, err := definitions.Compile(examples.SalesConveyor)
	if err != nil {
		return err
	}
	if _, _, err := b.st.Publish(ctx, examples.SalesConveyor, plan, "admin"); err != nil {
		return err
	}
	var tok struct{ Token string }
	if err := b.post("/api/v1/auth/token", map[string]string{"login": "admin", "password": "bench"}, &tok); err != nil {
		return err
	}
	b.token = tok.Token
	return nil
}

func (b *bench) post(path string, body, out any) error {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.url+path, bytes.NewReader(j))
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

// runner is one in-flight sequence of operations: bare updates on one
// workflow, or steps of one process.
type runner func(ctx context.Context, n int, lat *[]time.Duration) error

func (b *bench) bare(ctx context.Context, n int, lat *[]time.Duration) error {
	run, err := b.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: services.NewID(), TaskQueue: bareQueue}, bareOptions.Name)
	if err != nil {
		return err
	}
	for i := range n {
		start := time.Now()
		h, err := b.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: run.GetID(), UpdateName: "ping", Args: []any{i == n-1},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			var pong string
			err = h.Get(ctx, &pong)
		}
		if err != nil {
			return err
		}
		*lat = append(*lat, time.Since(start))
	}
	return run.Get(ctx, nil)
}

// conveyor completes n cold calls of one process over HTTP, each a
// "call back" that plans the next call: HTTP complete -> Update -> local
// activity commits the next item -> reply naming it.
func (b *bench) conveyor(ctx context.Context, n int, lat *[]time.Duration) error {
	itemID, err := b.newProcess(ctx)
	if err != nil {
		return err
	}
	return b.steps(ctx, itemID, n, lat)
}

// newProcess starts a process and waits for its first work item.
func (b *bench) newProcess(ctx context.Context) (string, error) {
	p, err := services.New(b.st, b.tc).StartProcess(store.WithActor(ctx, "admin"), store.User{Login: "admin", Roles: []string{store.RoleAdmin}}, services.StartRequest{Definition: "sales"})
	if err != nil {
		return "", err
	}
	itemID := p.ID + ".1"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := b.st.WorkItem(ctx, itemID); err == nil {
			return itemID, nil
		} else if time.Now().After(deadline) {
			return "", fmt.Errorf("first work item of %s did not appear: %w", p.ID, err)
		}
	}
}

func (b *bench) steps(ctx context.Context, itemID string, n int, lat *[]time.Duration) error {
	// A call back names its time (the form asks for it); now keeps the
	// loop going at once.
	back := map[string]any{"result": "call_back", "callBackAt": time.Now().UTC().Format(time.RFC3339)}
	for range n {
		var res struct{ Next []store.WorkItem }
		start := time.Now()
		if err := b.post("/api/v1/work-items/"+itemID+"/complete", map[string]any{"data": back}, &res); err != nil {
			return err
		}
		*lat = append(*lat, time.Since(start))
		if len(res.Next) != 1 {
			return fmt.Errorf("completion of %s named no next item", itemID)
		}
		itemID = res.Next[0].ID
	}
	return nil
}

type figures struct {
	p50, p99       time.Duration // one in flight
	p50c, p99c     time.Duration // many in flight
	perSecond      float64
	txnsPerStep    float64
	sequentialRuns int
}

type results struct{ bare, conveyor figures }

func (b *bench) measure(ctx context.Context, o options) (results, error) {
	var r results
	var err error
	if r.bare, err = b.figures(ctx, o, b.bare); err != nil {
		return r, fmt.Errorf("bare update: %w", err)
	}
	if r.conveyor, err = b.figures(ctx, o, b.conveyor); err != nil {
		return r, fmt.Errorf("conveyor step: %w", err)
	}
	r.conveyor.txnsPerStep, err = b.transactionsPerStep(ctx)
	return r, err
}

// transactionsPerStep counts PostgreSQL commits over steps alone (no starts,
// no waiting for first items): each HTTP completion authenticates, loads the
// item and applies the step.
func (b *bench) transactionsPerStep(ctx context.Context) (float64, error) {
	const steps = 50
	itemID, err := b.newProcess(ctx)
	if err != nil {
		return 0, err
	}
	// A backend reports its commits at most once a second while busy, and an
	// idle pooled connection keeps them until it is used again, perhaps
	// inside the window by the reconciler: closing the connections makes
	// every backend report what it did before the count is read.
	settle := func() {
		b.st.Pool().Reset()
		time.Sleep(1500 * time.Millisecond)
	}
	settle()
	before, err := b.commits(ctx)
	if err != nil {
		return 0, err
	}
	var lat []time.Duration
	if err := b.steps(ctx, itemID, steps, &lat); err != nil {
		return 0, err
	}
	settle()
	after, err := b.commits(ctx)
	if err != nil {
		return 0, err
	}
	return float64(after-before-1) / steps, nil // -1: the first count's own query
}

func (b *bench) figures(ctx context.Context, o options, op runner) (figures, error) {
	var f figures
	var seq []time.Duration
	if err := op(ctx, o.sequential, &seq); err != nil {
		return f, err
	}
	f.p50, f.p99 = percentile(seq, 50), percentile(seq, 99)

	lats := make([][]time.Duration, o.inFlight)
	errs := make([]error, o.inFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range o.inFlight {
		wg.Go(func() { errs[i] = op(ctx, o.perProcess, &lats[i]) })
	}
	wg.Wait()
	wall := time.Since(start)
	var all []time.Duration
	for i, err := range errs {
		if err != nil {
			return f, err
		}
		all = append(all, lats[i]...)
	}
	f.p50c, f.p99c = percentile(all, 50), percentile(all, 99)
	f.perSecond = float64(len(all)) / wall.Seconds()
	return f, nil
}

func (b *bench) commits(ctx context.Context) (int64, error) {
	var n int64
	err := b.st.Pool().QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n, err
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func (r results) print(out io.Writer, o options) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "measure\tbare Temporal Update\tconveyor step (HTTP complete -> next item in PostgreSQL)\t")
	fmt.Fprintf(tw, "p50 latency, 1 in flight\t%s\t%s\t\n", ms(r.bare.p50), ms(r.conveyor.p50))
	fmt.Fprintf(tw, "p99 latency, 1 in flight\t%s\t%s\t\n", ms(r.bare.p99), ms(r.conveyor.p99))
	fmt.Fprintf(tw, "p50 latency, %d in flight\t%s\t%s\t\n", o.inFlight, ms(r.bare.p50c), ms(r.conveyor.p50c))
	fmt.Fprintf(tw, "p99 latency, %d in flight\t%s\t%s\t\n", o.inFlight, ms(r.bare.p99c), ms(r.conveyor.p99c))
	fmt.Fprintf(tw, "steps per second, %d in flight\t%.0f\t%.0f\t\n", o.inFlight, r.bare.perSecond, r.conveyor.perSecond)
	fmt.Fprintf(tw, "PostgreSQL transactions per step\t-\t%.1f\t\n", r.conveyor.txnsPerStep)
	tw.Flush()
}

// quietSDK drops the SDK's logs: the table is the output.
type quietSDK struct{}

func (quietSDK) Debug(string, ...any)     {}
func (quietSDK) Info(string, ...any)      {}
func (quietSDK) Warn(string, ...any)      {}
func (quietSDK) Error(string, ...any)     {}
func (q quietSDK) With(...any) log.Logger { return q }
