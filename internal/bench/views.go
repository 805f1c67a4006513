package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

// Saved views and analytics over a large department: the clients of
// fillClients, and processes of the sales conveyor on them with their work
// items and stage log, as the steps would have left them. The work is
// written in bulk by SQL with the triggers off (session_replication_role):
// a million audit rows would measure the fill, not the views.
func fillConveyorWork(ctx context.Context, st *store.Store, processes, items, clients, managers int) error {
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)      //nolint:errcheck
	four := items - 3*processes // processes with a fourth item; the rest have three
	if four < 0 || four > processes {
		return fmt.Errorf("%d items do not make 3 or 4 for each of %d processes", items, processes)
	}
	for _, q := range []string{
		`SET LOCAL session_replication_role = replica`,
		fmt.Sprintf(`CREATE TEMP TABLE bp ON COMMIT DROP AS
			SELECT n, 'bp' || n AS id, c.id AS client, c.owner,
				CASE WHEN n <= %d THEN 4 ELSE 3 END AS k,
				CASE WHEN n %% 10 < 6 THEN 'running' WHEN n %% 10 < 9 THEN 'completed' ELSE 'cancelled' END AS state,
				timestamptz '2026-01-05 09:00+00' + (n %% 330) * interval '1 day' + (n %% 480) * interval '1 minute' AS started
			FROM generate_series(1, %d) n JOIN clients c ON c.id = 'c' || (1 + (hashint4(n) & 2147483647) %% %d)`, four, processes, clients),
		fmt.Sprintf(`CREATE TEMP TABLE bw ON COMMIT DROP AS
			SELECT bp.n, bp.id AS process, s AS seq, bp.id || '.' || s AS id,
				CASE s WHEN 1 THEN 'cold_call' WHEN 4 THEN 'service' ELSE 'deal' END AS stage,
				CASE s WHEN 1 THEN bp.owner ELSE 'm' || (1 + (hashint4(bp.n * 7 + s) & 2147483647) %% %d) END AS assignee,
				CASE WHEN s < bp.k THEN 'done' WHEN bp.state = 'running' THEN (CASE WHEN bp.n %% 2 = 0 THEN 'attention' ELSE 'in_progress' END)
					WHEN bp.state = 'completed' THEN 'done' ELSE 'cancelled' END AS state,
				bp.started + (s - 1) * interval '2 days' AS planned
			FROM bp, generate_series(1, 4) s WHERE s <= bp.k`, managers),
		`INSERT INTO processes (id, definition_id, version, client_id, vars, state, end_id, stage, assignee, planned_start, due, overdue,
				progress, started_by, started_at, completed_at, data)
			SELECT bp.id, 'sales', 1, bp.client, '{"source": "cold-base"}', bp.state,
				CASE WHEN bp.state = 'completed' THEN (CASE WHEN bp.n % 3 = 0 THEN 'won' ELSE 'lost' END) END,
				CASE WHEN bp.state = 'running' THEN last.stage END, CASE WHEN bp.state = 'running' THEN last.assignee END,
				CASE WHEN bp.state = 'running' THEN last.planned END, CASE WHEN bp.state = 'running' THEN last.planned + interval '2 days' END,
				bp.state = 'running' AND bp.n % 5 = 0, CASE WHEN bp.state = 'running' THEN 20 * bp.k ELSE 100 END,
				bp.owner, bp.started, CASE WHEN bp.state <> 'running' THEN last.planned + interval '1 day' END,
				jsonb_build_object('amount', (bp.n % 1000) * 100)
			FROM bp JOIN bw last ON last.process = bp.id AND last.seq = bp.k`,
		`INSERT INTO work_items (id, process_id, seq, stage, title, assignee, state, planned_start, due, overdue, created_at,
				started_at, completed_at, completed_by, data)
			SELECT bw.id, bw.process, bw.seq, bw.stage, initcap(replace(bw.stage, '_', ' ')), bw.assignee, bw.state, bw.planned,
				bw.planned + interval '2 days', bw.state IN ('attention', 'in_progress') AND bw.n % 5 = 0, bw.planned,
				CASE WHEN bw.state <> 'attention' THEN bw.planned + interval '1 hour' END,
				CASE WHEN bw.state IN ('done', 'cancelled') THEN bw.planned + interval '1 day' + (bw.n % 600) * interval '1 minute' END,
				CASE WHEN bw.state = 'done' THEN bw.assignee END,
				CASE WHEN bw.state = 'done' THEN jsonb_build_object('result', 'next_step', 'amount', (bw.n % 1000) * 100) END
			FROM bw`,
		`INSERT INTO stage_log (at, event, process_id, definition_id, version, stage, item_id, assignee, previous_assignee)
			SELECT w.created_at, 'entered', w.process_id, 'sales', 1, w.stage, w.id, w.assignee,
				(SELECT prev.assignee FROM work_items prev WHERE prev.process_id = w.process_id AND prev.seq = w.seq - 1)
			FROM work_items w WHERE w.process_id LIKE 'bp%'`,
		`INSERT INTO stage_log (at, event, process_id, definition_id, version, stage, item_id, assignee, data)
			SELECT w.completed_at, CASE w.state WHEN 'done' THEN 'left' ELSE 'cancelled' END, w.process_id, 'sales', 1, w.stage, w.id,
				w.assignee, w.data
			FROM work_items w WHERE w.process_id LIKE 'bp%' AND w.state IN ('done', 'cancelled')`,
		`INSERT INTO stage_log (at, event, process_id, definition_id, version, end_id)
			SELECT p.completed_at, 'ended', p.id, 'sales', 1, p.end_id FROM processes p WHERE p.id LIKE 'bp%' AND p.state = 'completed'`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q[:min(60, len(q))], err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	_, err = st.Pool().Exec(ctx, `ANALYZE`)
	return err
}

// viewSpecs are the views measured: each a filter and a sort, as a manager
// and an admin would keep them.
var viewSpecs = []struct {
	name, list string
	spec       services.ViewSpec
}{
	{"overdue open work by deadline", services.ListWorkItems, services.ViewSpec{
		Columns: []string{"title", "client", "assignee", "due", "form.amount"}, Definition: "sales",
		Filter: &services.ViewFilter{All: []services.ViewFilter{
			{Column: "state", Op: "in", Value: []any{"attention", "in_progress"}},
			{Column: "overdue", Op: "eq", Value: true}}},
		Sort: []services.ViewSortKey{{Column: "due"}}}},
	{"deals by amount, largest first", services.ListProcesses, services.ViewSpec{
		Columns: []string{"client", "stage", "assignee", "due", "form.amount"}, Definition: "sales",
		Filter: &services.ViewFilter{All: []services.ViewFilter{{Column: "stage", Op: "eq", Value: "deal"}}},
		Sort:   []services.ViewSortKey{{Column: "form.amount", Desc: true}}}},
	{"clients by name", services.ListClients, services.ViewSpec{
		Columns: []string{"name", "owner", "segments"},
		Filter:  &services.ViewFilter{Column: "name", Op: "contains", Value: "Client 0"},
		Sort:    []services.ViewSortKey{{Column: "name"}}}},
}

type viewFigures struct {
	processes, items int
	fill             time.Duration
	rows             []viewFigure
	export           []exportFigure
	page             []pageFigure
}

type viewFigure struct {
	name, who, what string
	p50, p99        time.Duration
}

type exportFigure struct {
	format  string
	rows    int
	rate    float64
	bytes   int64
	heapMiB float64
}

type pageFigure struct {
	name, failed string
	p50, p99     time.Duration
}

// measureViews times the first page and the grouped counts of each view
// for random managers and for an admin, the export of 100,000 rows, and
// the analytics page.
func measureViews(ctx context.Context, svc *services.Services, base, token string, processes, items, clients, managers, queries int) (viewFigures, error) {
	f := viewFigures{processes: processes, items: items}
	start := time.Now()
	if err := fillConveyorWork(ctx, svc.Store, processes, items, clients, managers); err != nil {
		return f, err
	}
	f.fill = time.Since(start)
	rng := rand.New(rand.NewPCG(3, 4))
	admin := services.User{Login: "admin", Roles: []string{services.RoleAdmin}}
	manager := func() services.User {
		return services.User{Login: fmt.Sprintf("m%d", 1+rng.IntN(managers)), Roles: []string{services.RoleManager}}
	}
	for _, v := range viewSpecs {
		for _, who := range []string{"manager", "admin"} {
			pick := func() services.User {
				if who == "admin" {
					return admin
				}
				return manager()
			}
			lat, err := timed(queries, func() error {
				_, err := svc.RunView(ctx, pick(), v.list, v.spec, "")
				return err
			})
			if err != nil {
				return f, fmt.Errorf("%s: %w", v.name, err)
			}
			f.rows = append(f.rows, viewFigure{v.name, who, "first page, count", percentile(lat, 50), percentile(lat, 99)})
			grouped := v.spec
			grouped.Group = []string{"assignee"}
			if v.list == services.ListClients {
				grouped.Group = []string{"owner"}
			}
			lat, err = timed(queries/4, func() error {
				_, err := svc.RunView(ctx, pick(), v.list, grouped, "")
				return err
			})
			if err != nil {
				return f, fmt.Errorf("%s grouped: %w", v.name, err)
			}
			f.rows = append(f.rows, viewFigure{v.name, who, "grouped counts (and page)", percentile(lat, 50), percentile(lat, 99)})
		}
	}
	var err error
	if f.export, err = measureExport(ctx, svc, admin); err != nil {
		return f, err
	}
	for _, path := range []string{"/analytics?definition=sales&from=2026-01-01&to=2026-12-31"} {
		t0 := time.Now()
		lat, err := timed(5, func() error { return getPage(base+path, token) })
		if err != nil { // a page past the statement timeout is a figure too
			f.page = append(f.page, pageFigure{name: path, failed: fmt.Sprintf("failed after %s: %v", time.Since(t0).Round(time.Second), err)})
			continue
		}
		f.page = append(f.page, pageFigure{name: path, p50: percentile(lat, 50), p99: percentile(lat, 99)})
	}
	return f, nil
}

// measureExport streams the 100,000 service items (every fourth item
// of a process is one) to CSV, counting its lines, and to XLSX, with the
// heap before and after each.
func measureExport(ctx context.Context, svc *services.Services, admin services.User) ([]exportFigure, error) {
	spec := services.ViewSpec{Columns: []string{"title", "client", "stage", "assignee", "plannedStart", "due", "overdue", "form.amount"},
		Definition: "sales", Filter: &services.ViewFilter{Column: "stage", Op: "eq", Value: "service"},
		Sort: []services.ViewSortKey{{Column: "plannedStart"}}}
	var out []exportFigure
	for _, format := range []string{services.FormatCSV, services.FormatXLSX} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		sink := &lineCounter{}
		start := time.Now()
		if err := svc.WriteView(ctx, admin, services.ListWorkItems, spec, format, "bench", func(c services.ViewColumn) string { return c.Key }, sink); err != nil {
			return nil, err
		}
		elapsed := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		rows := sink.lines - 1 // the header; the XLSX's rows are the CSV's
		if format == services.FormatXLSX {
			rows = out[0].rows
		}
		out = append(out, exportFigure{format: format, rows: rows, rate: float64(rows) / elapsed.Seconds(), bytes: sink.bytes,
			heapMiB: (float64(after.HeapInuse) - float64(before.HeapInuse)) / (1 << 20)})
	}
	return out, nil
}

// lineCounter is an export's destination that keeps nothing: it counts
// bytes and lines.
type lineCounter struct {
	lines int
	bytes int64
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return len(p), nil
}

func timed(n int, fn func() error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t0))
	}
	return lat, nil
}

// getPage reads a page of the UI signed in with token (a session is a
// token).
func getPage(u, token string) error {
	req, _ := http.NewRequest("GET", u, nil)
	req.AddCookie(&http.Cookie{Name: "conveyor_session", Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	return nil
}

func (f viewFigures) print(out io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(out, "\nSaved views over %d work items, %d processes (filled in %s):\n", f.items, f.processes, f.fill.Round(time.Second))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "view\tasked by\tmeasure\tp50\tp99\t")
	for _, r := range f.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.name, r.who, r.what, ms(r.p50), ms(r.p99))
	}
	tw.Flush()
	fmt.Fprintln(out, "\nExport of a view, streamed:")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "format\trows\trows/s\tMiB written\theap kept after - before\t")
	for _, e := range f.export {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%+.1f MiB\t\n", e.format, e.rows, e.rate, float64(e.bytes)/(1<<20), e.heapMiB)
	}
	tw.Flush()
	fmt.Fprintln(out, "\nAnalytics page, server side:")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "page\tp50\tp99\t")
	for _, p := range f.page {
		if p.failed != "" {
			fmt.Fprintf(tw, "%s\t%s\t\t\n", p.name, p.failed)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", p.name, ms(p.p50), ms(p.p99))
	}
	tw.Flush()
}
