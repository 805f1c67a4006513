package services_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

// A planned visit of a stage: who it was logged for at entry (assignee),
// who worked it (worker: another after a reassignment), after whom it was
// entered (previous, "" for the first), and how it was left.
type plannedVisit struct {
	stage, assignee, worker, previous string
	entered, gone                     time.Time
	outcome                           string // "left", "cancelled" or "" (open)
	data                              map[string]any
	overdue                           bool
	started                           *time.Time
}

type plannedProcess struct {
	id, client, startedBy string
	version               int
	started               time.Time
	visits                []plannedVisit
	end                   string
	endAt                 time.Time
	cancelled             bool
	reason                *string
}

var moscow = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

// planProcesses is the known dataset: n processes two hours and ten
// minutes apart from 25 August 2026, of two versions, three kinds of client
// (acme in Moscow selling pipes, kbr in Kazakhstan selling food, none),
// each a cold call (called back at times, reassigned at times) going on to
// a deal (with next steps) and to service, or stopping, being cancelled or
// lost at any stage; a few start at the deal, never having called; a few
// are strangers' that olga may not see.
func planProcesses(n int) []plannedProcess {
	r := rand.New(rand.NewPCG(11, 12))
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo)) * time.Minute }
	base := time.Date(2026, 8, 25, 20, 0, 0, 0, time.UTC)
	reasons := []*string{new("no budget"), new("duplicate"), nil}
	var out []plannedProcess
	for i := range n {
		p := plannedProcess{id: fmt.Sprintf("r%04d", i), version: 1, startedBy: "olga",
			started: base.Add(time.Duration(i) * (2*time.Hour + 10*time.Minute)).Add(minutes(0, 50))}
		if i%7 == 0 {
			p.version = 2
		}
		p.client = []string{"acme", "kbr", ""}[i%3]
		caller, dealer, server := "ivan", "maria", "sergey"
		if i%2 == 1 {
			caller = "petr"
		}
		if i%4 == 3 {
			dealer = "dasha"
		}
		if i%50 == 1 {
			p.startedBy, p.client, caller, dealer, server = "stranger", "kbr", "sam", "sam", "sam"
		}
		at := p.started
		prev := ""
		visit := func(stage, assignee, worker string) *plannedVisit {
			v := plannedVisit{stage: stage, assignee: assignee, worker: worker, previous: prev, entered: at, overdue: r.IntN(5) == 0}
			if r.IntN(3) != 0 {
				s := at.Add(minutes(1, 240))
				v.started = &s
			}
			p.visits = append(p.visits, v)
			return &p.visits[len(p.visits)-1]
		}
		leave := func(v *plannedVisit, data map[string]any) {
			at = at.Add(minutes(30, 72*60))
			if v.started != nil && v.started.After(at) {
				s := at
				v.started = &s
			}
			v.gone, v.outcome, v.data = at, "left", data
			prev = v.worker
		}
		cancel := func(v *plannedVisit) {
			at = at.Add(minutes(30, 72*60))
			v.gone, v.outcome = at, "cancelled"
			p.cancelled, p.reason = true, reasons[r.IntN(len(reasons))]
		}
		end := func(e string) { p.end, p.endAt = e, at }

		kind := r.IntN(100)
		deal := kind < 5 // moved straight to the deal
		if !deal {
			for range r.IntN(3) / 2 { // called back, by the same caller
				leave(visit("cold_call", caller, caller), map[string]any{"result": "call_back", "callBackAt": at.Format(time.RFC3339)})
			}
			worker := caller
			if caller == "petr" && i%11 == 3 {
				worker = "ivan" // reassigned to ivan, who works it
			}
			v := visit("cold_call", caller, worker)
			switch {
			case kind < 20: // still calling
			case kind < 30:
				cancel(v)
			case kind < 50:
				leave(v, map[string]any{"result": "refused"})
				end("lost")
			default:
				leave(v, map[string]any{"result": "interested"})
				deal = true
			}
		}
		if !deal {
			out = append(out, p)
			continue
		}
		for range r.IntN(3) {
			leave(visit("deal", dealer, dealer), map[string]any{"result": "next_step", "nextStepAt": at.Format(time.RFC3339)})
		}
		v := visit("deal", dealer, dealer)
		switch k := r.IntN(100); {
		case k < 15:
		case k < 25:
			cancel(v)
		case k < 55:
			leave(v, map[string]any{"result": "lost"})
			end("lost")
		default:
			leave(v, map[string]any{"result": "won", "amount": 100 * (1 + r.IntN(50))})
			if r.IntN(10) == 0 {
				at = at.Add(90 * time.Minute) // a handoff that waited
			}
			s := visit("service", server, server)
			if r.IntN(10) >= 3 {
				leave(s, map[string]any{"result": "done"})
				end("won")
			}
		}
		out = append(out, p)
	}
	return out
}

// insertPlanned writes the plan into the tables as the steps would have.
func insertPlanned(t *testing.T, st *store.Store, plan []plannedProcess) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.Pool().Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `SELECT set_config('conveyor.actor', 'test', true)`)
	require.NoError(t, err)
	var procs, items, log [][]any
	for _, p := range plan {
		state, stage, assignee := "running", any(nil), any(nil)
		var end, completed, reason, by any
		switch {
		case p.end != "":
			state, end, completed = "completed", p.end, p.endAt
		case p.cancelled:
			state, completed, by = "cancelled", p.visits[len(p.visits)-1].gone, "olga"
			if p.reason != nil {
				reason = *p.reason
			}
		default:
			last := p.visits[len(p.visits)-1]
			stage, assignee = last.stage, last.worker
		}
		client := any(nil)
		if p.client != "" {
			client = p.client
		}
		procs = append(procs, []any{p.id, "sales", p.version, client, state, end, stage, assignee, p.startedBy, p.started, completed, reason, by})
		for i, v := range p.visits {
			item := fmt.Sprintf("%s.%d", p.id, i+1)
			istate := map[string]string{"left": "done", "cancelled": "cancelled", "": "attention"}[v.outcome]
			var gone, data any
			if v.outcome != "" {
				gone = v.gone
			}
			raw, _ := json.Marshal(v.data)
			if v.data != nil {
				data = string(raw)
			}
			var started any
			if v.started != nil {
				started = *v.started
			}
			items = append(items, []any{item, p.id, i + 1, v.stage, v.stage, v.worker, istate, v.entered, v.overdue, v.entered, started, gone, data})
			var previous any
			if v.previous != "" {
				previous = v.previous
			}
			log = append(log, []any{v.entered, "entered", p.id, "sales", p.version, v.stage, item, v.assignee, previous, nil, nil})
			if v.outcome != "" {
				log = append(log, []any{v.gone, v.outcome, p.id, "sales", p.version, v.stage, item, v.worker, nil, nil, data})
			}
		}
		if p.end != "" {
			log = append(log, []any{p.endAt, "ended", p.id, "sales", p.version, nil, nil, nil, nil, p.end, nil})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"processes", []string{"id", "definition_id", "version", "client_id", "state", "end_id", "stage", "assignee", "started_by", "started_at", "completed_at", "cancel_reason", "cancelled_by"}, procs},
		{"work_items", []string{"id", "process_id", "seq", "stage", "title", "assignee", "state", "planned_start", "overdue", "created_at", "started_at", "completed_at", "data"}, items},
		{"stage_log", []string{"at", "event", "process_id", "definition_id", "version", "stage", "item_id", "assignee", "previous_assignee", "end_id", "data"}, log},
	} {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows))
		require.NoError(t, err, c.table)
	}
	require.NoError(t, tx.Commit(ctx))
	_, err = st.Pool().Exec(ctx, `ANALYZE processes, work_items, stage_log`)
	require.NoError(t, err)
}

// reportServices has the organisation of the dataset: olga supervises the
// callers ivan and petr (cold-callers), the deal makers maria and dasha
// (deal-makers) and sergey (service); sam and stranger are nobody's, root
// an admin; acme (ivan's) is in Moscow, below Russia, selling pipes, below
// steel; kbr (stranger's) in Kazakhstan selling food. Two versions of the
// sales conveyor are published.
func reportServices(t *testing.T) (*services.Services, func(string) store.User) {
	t.Helper()
	st := store.New(pgtest.NewMigratedDB(t))
	ctx := store.WithActor(context.Background(), "test")
	for _, u := range []store.User{
		{Login: "root", Name: "Root", Roles: []string{store.RoleAdmin}},
		{Login: "olga", Name: "Olga", Roles: []string{store.RoleSupervisor}},
		{Login: "ivan", Name: "Ivan", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}, Supervisor: "olga"},
		{Login: "petr", Name: "Petr", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}, Supervisor: "olga"},
		{Login: "maria", Name: "Maria", Roles: []string{store.RoleManager}, Teams: []string{"deal-makers"}, Supervisor: "olga"},
		{Login: "dasha", Name: "Dasha", Roles: []string{store.RoleManager}, Teams: []string{"deal-makers"}, Supervisor: "olga"},
		{Login: "sergey", Name: "Sergey", Roles: []string{store.RoleManager}, Teams: []string{"service"}, Supervisor: "olga"},
		{Login: "sam", Name: "Sam", Roles: []string{store.RoleManager}, Teams: []string{"deal-makers"}},
		{Login: "stranger", Name: "Stranger", Roles: []string{store.RoleManager}},
	} {
		_, err := st.CreateUser(ctx, u, "x")
		require.NoError(t, err)
	}
	for _, n := range []struct {
		tree store.Tree
		node store.Node
	}{
		{store.Segments, store.Node{ID: "ru", Name: "Russia", Kind: "geography"}},
		{store.Segments, store.Node{ID: "ru-msk", Name: "Moscow", Kind: "geography", Parent: "ru"}},
		{store.Segments, store.Node{ID: "kz", Name: "Kazakhstan", Kind: "geography"}},
		{store.ProductGroups, store.Node{ID: "steel", Name: "Steel"}},
		{store.ProductGroups, store.Node{ID: "steel-pipes", Name: "Pipes", Parent: "steel"}},
		{store.ProductGroups, store.Node{ID: "food", Name: "Food"}},
	} {
		_, err := st.CreateNode(ctx, n.tree, n.node)
		require.NoError(t, err)
	}
	for _, c := range []store.Client{
		{ID: "acme", Name: "Acme", Owner: "ivan", Segments: []string{"ru-msk"}, ProductGroups: []string{"steel-pipes"}},
		{ID: "kbr", Name: "KBR", Owner: "stranger", Segments: []string{"kz"}, ProductGroups: []string{"food"}},
	} {
		_, err := st.CreateClient(ctx, c)
		require.NoError(t, err)
	}
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	for _, s := range []string{string(src), strings.Replace(string(src), "due: 2d", "due: 3d", 1)} {
		plan, err := definitions.Compile([]byte(s))
		require.NoError(t, err)
		_, _, err = st.Publish(ctx, []byte(s), plan, "olga")
		require.NoError(t, err)
	}
	svc := services.New(st, nil)
	svc.Location = moscow
	return svc, func(login string) store.User {
		u, err := st.User(ctx, login)
		require.NoError(t, err)
		return u
	}
}

// narrowing is what a report is narrowed by in the model.
type narrowing struct {
	admin                         bool
	version                       int
	team, segment, group, manager string
	from, to                      time.Time
	teams                         map[string]string // login: team
	segmentOf, groupOf            map[string]string // client: its node
	segmentParent, groupParent    map[string]string
	stages                        []string
}

func (n narrowing) worked(login string) bool {
	return (n.team == "" || n.teams[login] == n.team) && (n.manager == "" || login == n.manager)
}

func under(node, top string, parent map[string]string) bool {
	for ; node != ""; node = parent[node] {
		if node == top {
			return true
		}
	}
	return false
}

// visible is whether olga (or an admin) may see the process: olga started
// it or her people worked it, or it is acme's (ivan owns acme).
func (n narrowing) visible(p plannedProcess) bool {
	if n.admin || p.startedBy == "olga" || p.client == "acme" {
		return true
	}
	return slices.ContainsFunc(p.visits, func(v plannedVisit) bool { return n.teams[v.worker] != "" && v.worker != "sam" })
}

func (n narrowing) counted(p plannedProcess) bool {
	return n.visible(p) && (n.version == 0 || p.version == n.version) && !p.started.Before(n.from) && p.started.Before(n.to) &&
		(n.segment == "" || p.client != "" && under(n.segmentOf[p.client], n.segment, n.segmentParent)) &&
		(n.group == "" || p.client != "" && under(n.groupOf[p.client], n.group, n.groupParent)) &&
		slices.ContainsFunc(p.visits, func(v plannedVisit) bool { return n.worked(v.worker) })
}

// percentile is PostgreSQL's percentile_cont: linear between the closest
// ranks.
func percentile(values []float64, f float64) float64 {
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	pos := f * float64(len(values)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return values[int(lo)] + (pos-lo)*(values[int(hi)]-values[int(lo)])
}

func monday(t time.Time) string {
	d := t.In(moscow)
	return time.Date(d.Year(), d.Month(), d.Day()-(int(d.Weekday())+6)%7, 0, 0, 0, 0, moscow).Format(time.DateOnly)
}

// expectedReport is the report computed from the plan, figure by figure,
// as services.Report documents them.
func expectedReport(plan []plannedProcess, n narrowing) services.Report {
	out := services.Report{Processes: 0, Names: map[string]string{}}
	type stageAcc struct {
		reached, left, cancelled, inOrder map[string]bool
		spans                             []float64
		sum                               float64
		items, overdue                    int
	}
	acc := map[string]*stageAcc{}
	for _, s := range n.stages {
		acc[s] = &stageAcc{reached: map[string]bool{}, left: map[string]bool{}, cancelled: map[string]bool{}, inOrder: map[string]bool{}}
	}
	type pair struct{ from, to string }
	type handAcc struct {
		count, converted, started int
		gaps, waits               []float64
	}
	hands := map[pair]*handAcc{}
	execs := map[string]*services.ReportExecutor{}
	first, _ := time.ParseInLocation(time.DateOnly, monday(n.from), moscow)
	for d := first; d.Before(n.to); d = d.AddDate(0, 0, 7) {
		out.Weeks = append(out.Weeks, d.Format(time.DateOnly))
	}
	weekIndex := func(t time.Time) int {
		if t.Before(n.from) || !t.Before(n.to) {
			return -1
		}
		return slices.Index(out.Weeks, monday(t))
	}
	completions := map[string][]int{}
	heat := map[string][]int{}
	for _, s := range n.stages {
		heat[s] = make([]int, len(out.Weeks))
	}
	ends := map[string]*services.ReportEnd{}
	cancelled := map[string]int{}
	cohorts := map[string]*services.ReportCohort{}
	cohortStage := map[string]map[string]map[string]bool{}
	cohortSum := map[string]map[string]float64{}
	chains := map[string]int{}
	for _, p := range plan {
		if !n.counted(p) {
			continue
		}
		out.Processes++
		month := p.started.In(moscow).Format("2006-01")
		co := cohorts[month]
		if co == nil {
			co = &services.ReportCohort{Month: month, Ends: map[string]int{}}
			cohorts[month], cohortStage[month], cohortSum[month] = co, map[string]map[string]bool{}, map[string]float64{}
		}
		co.Started++
		var chain []string
		for _, v := range p.visits {
			if n.worked(v.worker) && (len(chain) == 0 || chain[len(chain)-1] != v.worker) {
				chain = append(chain, v.worker)
			}
		}
		key := strings.Join(chain, " ")
		chains[key]++
		passed := map[string]bool{}
		for _, v := range p.visits {
			if v.outcome == "left" {
				passed[v.stage] = true
			}
		}
		for i, v := range p.visits {
			if !n.worked(v.worker) {
				continue
			}
			a := acc[v.stage]
			a.reached[p.id] = true
			a.items++
			if v.overdue {
				a.overdue++
			}
			if cohortStage[month][v.stage] == nil {
				cohortStage[month][v.stage] = map[string]bool{}
			}
			cohortStage[month][v.stage][p.id] = true
			x := execs[v.worker]
			if x == nil {
				x = &services.ReportExecutor{Login: v.worker}
				execs[v.worker] = x
			}
			x.Items++
			if v.overdue {
				x.Overdue++
			}
			k := slices.Index(n.stages, v.stage)
			if !slices.ContainsFunc(n.stages[:k], func(s string) bool { return !passed[s] }) {
				a.inOrder[p.id] = true
			}
			if w := weekIndex(v.entered); w >= 0 {
				heat[v.stage][w]++
			}
			switch v.outcome {
			case "left":
				a.left[p.id] = true
				a.spans = append(a.spans, v.gone.Sub(v.entered).Seconds())
				x.Completed++
				if amount, ok := v.data["amount"].(int); ok {
					a.sum += float64(amount)
					cohortSum[month][v.stage] += float64(amount)
				}
				if w := weekIndex(v.gone); w >= 0 {
					if completions[v.worker] == nil {
						completions[v.worker] = make([]int, len(out.Weeks))
					}
					completions[v.worker][w]++
				}
			case "cancelled":
				a.cancelled[p.id] = true
			}
			if v.previous != "" && v.previous != v.assignee {
				h := hands[pair{v.previous, v.assignee}]
				if h == nil {
					h = &handAcc{}
					hands[pair{v.previous, v.assignee}] = h
				}
				h.count++
				if v.outcome == "left" {
					h.converted++
				}
				if v.started != nil {
					h.started++
					h.waits = append(h.waits, v.started.Sub(v.entered).Seconds())
				}
				h.gaps = append(h.gaps, v.entered.Sub(p.visits[i-1].gone).Seconds())
			}
		}
		if p.end != "" {
			e := ends[p.end]
			if e == nil {
				e = &services.ReportEnd{End: p.end, Title: map[string]string{"won": "Won", "lost": "Lost"}[p.end]}
				ends[p.end] = e
			}
			e.Count++
			co.Ends[p.end]++
			var last plannedVisit
			for _, v := range p.visits {
				if v.outcome == "left" {
					last = v
				}
			}
			value, _ := last.data["result"].(string)
			i := slices.IndexFunc(e.Reasons, func(r services.ReportReason) bool { return r.Stage == last.stage && r.Value == value })
			if i < 0 {
				e.Reasons = append(e.Reasons, services.ReportReason{Stage: last.stage, Value: value})
				i = len(e.Reasons) - 1
			}
			e.Reasons[i].Count++
		}
		if p.cancelled {
			reason := ""
			if p.reason != nil {
				reason = *p.reason
			}
			cancelled[reason]++
			out.Cancelled.Count++
		}
	}
	for i, s := range n.stages {
		a := acc[s]
		st := services.ReportStage{Stage: s, Reached: len(a.reached), InOrder: len(a.inOrder), Left: len(a.left),
			DropOff: len(a.reached) - len(a.left), Cancelled: len(a.cancelled), P50Seconds: percentile(a.spans, 0.5),
			P90Seconds: percentile(a.spans, 0.9), Sum: a.sum, Items: a.items, Overdue: a.overdue}
		if st.Reached > 0 {
			st.Conversion = float64(st.Left) / float64(st.Reached)
		}
		if st.Items > 0 {
			st.OverdueShare = float64(st.Overdue) / float64(st.Items)
		}
		if i > 0 && out.Stages[i-1].InOrder > 0 {
			out.Stages[i-1].ToNext = float64(st.InOrder) / float64(out.Stages[i-1].InOrder)
		}
		out.Stages = append(out.Stages, st)
		out.HeatMap = append(out.HeatMap, services.ReportHeatRow{Stage: s, Counts: heat[s]})
	}
	for k, h := range hands {
		out.Handoffs = append(out.Handoffs, services.ReportHandoff{From: k.from, To: k.to, Count: h.count, Converted: h.converted,
			Conversion: float64(h.converted) / float64(h.count), Started: h.started,
			GapP50Seconds: percentile(h.gaps, 0.5), ToStartP50Seconds: percentile(h.waits, 0.5)})
	}
	slices.SortFunc(out.Handoffs, func(a, b services.ReportHandoff) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
	for key, c := range chains {
		out.Chains = append(out.Chains, services.ReportChain{People: strings.Fields(key), Count: c})
	}
	slices.SortFunc(out.Chains, func(a, b services.ReportChain) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), slices.Compare(a.People, b.People))
	})
	out.Chains = out.Chains[:min(len(out.Chains), 20)]
	for _, x := range execs {
		x.OverdueShare = float64(x.Overdue) / float64(x.Items)
		out.Executors = append(out.Executors, *x)
	}
	slices.SortFunc(out.Executors, func(a, b services.ReportExecutor) int { return strings.Compare(a.Login, b.Login) })
	for login, counts := range completions {
		total := 0
		for _, c := range counts {
			total += c
		}
		out.Completions = append(out.Completions, services.ReportCompletion{Login: login, Counts: counts, Total: total})
	}
	slices.SortFunc(out.Completions, func(a, b services.ReportCompletion) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Login, b.Login))
	})
	for _, e := range ends {
		slices.SortFunc(e.Reasons, func(a, b services.ReportReason) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Stage, b.Stage), strings.Compare(a.Value, b.Value))
		})
		out.Ends = append(out.Ends, *e)
	}
	slices.SortFunc(out.Ends, func(a, b services.ReportEnd) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.End, b.End))
	})
	for reason, c := range cancelled {
		out.Cancelled.Reasons = append(out.Cancelled.Reasons, services.ReportCount{Reason: reason, Count: c})
	}
	slices.SortFunc(out.Cancelled.Reasons, func(a, b services.ReportCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Reason, b.Reason))
	})
	for _, co := range cohorts {
		for _, s := range n.stages {
			co.Stages = append(co.Stages, services.ReportCohortStage{Stage: s, Reached: len(cohortStage[co.Month][s]), Sum: cohortSum[co.Month][s]})
		}
		out.Cohorts = append(out.Cohorts, *co)
	}
	slices.SortFunc(out.Cohorts, func(a, b services.ReportCohort) int { return strings.Compare(a.Month, b.Month) })
	return out
}

// sameReport compares the figures of a report with the model's, the
// fractions and times to within rounding.
func sameReport(t *testing.T, want, got services.Report) {
	t.Helper()
	require.Equal(t, want.Processes, got.Processes, "processes")
	require.Len(t, got.Stages, len(want.Stages))
	for i, w := range want.Stages {
		g := got.Stages[i]
		for _, f := range []struct {
			name string
			w, g float64
		}{{"conversion", w.Conversion, g.Conversion}, {"toNext", w.ToNext, g.ToNext}, {"p50", w.P50Seconds, g.P50Seconds},
			{"p90", w.P90Seconds, g.P90Seconds}, {"sum", w.Sum, g.Sum}, {"overdueShare", w.OverdueShare, g.OverdueShare}} {
			require.InDelta(t, f.w, f.g, 1e-6, "%s of %s", f.name, w.Stage)
		}
		w.Conversion, w.ToNext, w.P50Seconds, w.P90Seconds, w.Sum, w.OverdueShare = 0, 0, 0, 0, 0, 0
		g.Conversion, g.ToNext, g.P50Seconds, g.P90Seconds, g.Sum, g.OverdueShare, g.Title = 0, 0, 0, 0, 0, 0, ""
		require.Equal(t, w, g, "the stage %s", w.Stage)
	}
	require.Len(t, got.Handoffs, len(want.Handoffs))
	for i, w := range want.Handoffs {
		g := got.Handoffs[i]
		require.InDelta(t, w.GapP50Seconds, g.GapP50Seconds, 1e-6, "%s -> %s", w.From, w.To)
		require.InDelta(t, w.ToStartP50Seconds, g.ToStartP50Seconds, 1e-6, "%s -> %s", w.From, w.To)
		require.InDelta(t, w.Conversion, g.Conversion, 1e-9)
		w.GapP50Seconds, w.ToStartP50Seconds, w.Conversion = 0, 0, 0
		g.GapP50Seconds, g.ToStartP50Seconds, g.Conversion = 0, 0, 0
		require.Equal(t, w, g)
	}
	require.Equal(t, want.Chains, got.Chains)
	require.Len(t, got.Executors, len(want.Executors))
	for i, w := range want.Executors {
		require.InDelta(t, w.OverdueShare, got.Executors[i].OverdueShare, 1e-9)
		g := got.Executors[i]
		w.OverdueShare, g.OverdueShare = 0, 0
		require.Equal(t, w, g)
	}
	require.Equal(t, want.Weeks, got.Weeks)
	require.Equal(t, want.Completions, got.Completions)
	require.Equal(t, want.HeatMap, got.HeatMap)
	for i := range got.Ends {
		for j := range got.Ends[i].Reasons {
			got.Ends[i].Reasons[j].Title, got.Ends[i].Reasons[j].Titles = "", nil
		}
	}
	require.Equal(t, want.Ends, got.Ends)
	require.Equal(t, want.Cancelled, got.Cancelled)
	require.Len(t, got.Cohorts, len(want.Cohorts))
	for i, w := range want.Cohorts {
		g := got.Cohorts[i]
		for j := range w.Stages {
			require.InDelta(t, w.Stages[j].Sum, g.Stages[j].Sum, 1e-6)
			w.Stages[j].Sum, g.Stages[j].Sum = 0, 0
		}
		require.Equal(t, w, g)
	}
}

// A report over a thousand planned processes says what the plan makes of
// them, figure by figure, however it is narrowed: by version, by team, by
// manager, by segment and product group (a node's subtree); for olga, who
// sees her people's work, and for an admin, who sees all.
func TestAReportCountsAThousandPlannedProcesses(t *testing.T) {
	svc, user := reportServices(t)
	plan := planProcesses(1000)
	insertPlanned(t, svc.Store, plan)
	from := time.Date(2026, 9, 1, 0, 0, 0, 0, moscow)
	to := time.Date(2026, 11, 20, 0, 0, 0, 0, moscow)
	base := narrowing{from: from, to: to, stages: []string{"cold_call", "deal", "service"},
		teams:     map[string]string{"ivan": "cold-callers", "petr": "cold-callers", "maria": "deal-makers", "dasha": "deal-makers", "sergey": "service", "sam": "deal-makers"},
		segmentOf: map[string]string{"acme": "ru-msk", "kbr": "kz"}, groupOf: map[string]string{"acme": "steel-pipes", "kbr": "food"},
		segmentParent: map[string]string{"ru-msk": "ru"}, groupParent: map[string]string{"steel-pipes": "steel"}}
	params := services.ReportParams{Definition: "sales", From: "2026-09-01", To: "2026-11-19", Sum: "amount"}
	for _, c := range []struct {
		name  string
		who   string
		edit  func(*services.ReportParams, *narrowing)
		check func(t *testing.T, r services.Report)
	}{
		{"all of olga's", "olga", func(*services.ReportParams, *narrowing) {}, func(t *testing.T, r services.Report) {
			require.Equal(t, r.Stages[0].Reached, r.Stages[0].InOrder, "nothing comes before the first stage")
			require.Greater(t, r.Stages[1].Reached, r.Stages[1].InOrder, "some went to the deal without calling")
			require.NotZero(t, r.Stages[0].DropOff)
			require.NotEmpty(t, r.Handoffs)
			require.Greater(t, len(r.Cohorts), 2)
			require.Equal(t, "Maria", r.Names["maria"])
			require.Equal(t, "Europe/Moscow", r.Zone)
		}},
		{"all, for an admin", "root", func(_ *services.ReportParams, n *narrowing) { n.admin = true }, nil},
		{"version 2", "olga", func(p *services.ReportParams, n *narrowing) { p.Version, n.version = "2", 2 }, nil},
		{"the deal makers", "olga", func(p *services.ReportParams, n *narrowing) { p.Team, n.team = "deal-makers", "deal-makers" }, func(t *testing.T, r services.Report) {
			require.Zero(t, r.Stages[0].Reached, "the deal makers make no calls")
		}},
		{"ivan's", "olga", func(p *services.ReportParams, n *narrowing) { p.Manager, n.manager = "ivan", "ivan" }, nil},
		{"Russia", "olga", func(p *services.ReportParams, n *narrowing) { p.Segment, n.segment = "ru", "ru" }, nil},
		{"food, for an admin", "root", func(p *services.ReportParams, n *narrowing) { p.Group, n.group, n.admin = "food", "food", true }, nil},
		{"steel by the cold callers", "olga", func(p *services.ReportParams, n *narrowing) {
			p.Group, n.group, p.Team, n.team = "steel", "steel", "cold-callers", "cold-callers"
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, n := params, base
			c.edit(&p, &n)
			got, err := svc.Report(t.Context(), user(c.who), p)
			require.NoError(t, err)
			want := expectedReport(plan, n)
			require.NotZero(t, want.Processes, "the case counts something")
			sameReport(t, want, got)
			if c.check != nil {
				c.check(t, got)
			}
		})
	}

	// The reasons are the choices' titles, as the form labels them.
	r, err := svc.Report(t.Context(), user("olga"), params)
	require.NoError(t, err)
	lost := r.Ends[slices.IndexFunc(r.Ends, func(e services.ReportEnd) bool { return e.End == "lost" })]
	refused := lost.Reasons[slices.IndexFunc(lost.Reasons, func(x services.ReportReason) bool { return x.Value == "refused" })]
	require.Equal(t, "cold_call", refused.Stage)
	require.Equal(t, "Отказ", refused.Titles["ru"])
}

// Every parameter of a report is checked before anything is counted, each
// fault at its path, all at once; a name nobody knows is refused rather
// than counted as nothing.
func TestAReportRefusesItsParametersWithTheirPaths(t *testing.T) {
	svc, user := reportServices(t)
	for _, c := range []struct {
		name   string
		params services.ReportParams
		want   map[string]string
	}{
		{"no conveyor", services.ReportParams{}, map[string]string{"/definition": "required"}},
		{"a bad version and dates", services.ReportParams{Definition: "sales", Version: "two", From: "01.09.2026", To: "tomorrow"},
			map[string]string{"/version": "must be a version number from 1", "/from": "must be a date YYYY-MM-DD", "/to": "must be a date YYYY-MM-DD"}},
		{"a period backwards", services.ReportParams{Definition: "sales", From: "2026-09-10", To: "2026-09-01"}, map[string]string{"/to": "must not be before from"}},
		{"four years", services.ReportParams{Definition: "sales", From: "2022-01-01", To: "2026-01-01"}, map[string]string{"/to": "at most three years after from"}},
		{"unknown names", services.ReportParams{Definition: "sales", Team: "nobody", Segment: "mars", Group: "cheese", Manager: "ghost"},
			map[string]string{"/team": "unknown team", "/segment": "unknown segment", "/group": "unknown product group", "/manager": "unknown user"}},
		{"fields no form has", services.ReportParams{Definition: "sales", Sum: "result", Reasons: "amount"},
			map[string]string{"/sum": "not a number field of any stage's form", "/reasons": "not a text field of any stage's form"}},
		{"a version that is not", services.ReportParams{Definition: "sales", Version: "9"}, map[string]string{"/version": "the conveyor has no such version"}},
		{"a name too long", services.ReportParams{Definition: "sales", Team: strings.Repeat("t", 64)}, map[string]string{"/team": "must be at most 63 characters"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Report(t.Context(), user("olga"), c.params)
			require.ErrorIs(t, err, refusal.ErrInvalid)
			got := map[string]string{}
			for _, f := range refusal.Fields(err) {
				got[f.Path] = f.Message
			}
			require.Equal(t, c.want, got)
		})
	}
	_, err := svc.Report(t.Context(), user("olga"), services.ReportParams{Definition: "nothing"})
	require.ErrorIs(t, err, refusal.ErrNotFound)

	// A conveyor whose forms have no result gives its ends no reasons
	// unless a field is named.
	src := "id: tiny\ntitle: Tiny\nstart: a\nstages:\n  a:\n    title: A\n    assignee: {user: ivan}\n" +
		"    form: {type: object, properties: {note: {type: string}}}\n    transitions:\n      - to: done\nends:\n  done: {title: Done}\n"
	plan, err := definitions.Compile([]byte(src))
	require.NoError(t, err)
	_, _, err = svc.Store.Publish(store.WithActor(context.Background(), "test"), []byte(src), plan, "olga")
	require.NoError(t, err)
	r, err := svc.Report(t.Context(), user("olga"), services.ReportParams{Definition: "tiny"})
	require.NoError(t, err)
	require.Empty(t, r.ReasonsOf)
	r, err = svc.Report(t.Context(), user("olga"), services.ReportParams{Definition: "tiny", Reasons: "note"})
	require.NoError(t, err)
	require.Equal(t, "note", r.ReasonsOf)
}
