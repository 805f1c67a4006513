package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReportQuery is what an analytics report counts: the processes of
// Definition (all versions when Version is 0) started in [From, To), those
// of a client in Segment or Group (or a node below it) when given, and of
// them the stages worked by a member of Team and by Manager when given.
// Order is the stages in the plan's order, for the funnel passed in order;
// Zone names the time zone weeks and months are counted in; Sum and
// Reasons name form fields (a number summed, a text whose values are the
// reasons of an end).
type ReportQuery struct {
	Definition string
	Version    int
	From, To   time.Time
	Team       string
	Segment    string
	Group      string
	Manager    string
	Sum        string
	Reasons    string
	Zone       string
	Order      []string
}

// ReportFigures are a report's figures as counted, before the services put
// them in the plan's order and words.
type ReportFigures struct {
	AsOf      time.Time // the moment the figures are true of
	Processes int
	Stages    []ReportStageFigures
	InOrder   map[string]int // stage: processes that reached it having passed every stage before it in Order
	Handoffs  []HandoffFigures
	Chains    []ChainFigures
	Executors []ExecutorFigures
	Weekly    []WeekFigures // left and entered stages per week
	Ends      []CountOf     // Key: the end
	Reasons   []ReasonFigures
	Cancelled []CountOf // Key: the cancel reason ("" when none was given)
	Cohorts   []CohortFigures
}

// ReportStageFigures are a stage's funnel figures (processes) and its work
// items: how many were opened and how many of those went overdue.
type ReportStageFigures struct {
	StageFigures
	Items, Overdue int
}

// HandoffFigures are the stages entered by To after From worked the one
// before: how many, how many of those To left done, and the median time
// from From leaving to To's stage being entered (Gap) and from that to To
// first starting the work (ToStart, over the Started ones).
type HandoffFigures struct {
	From, To           string
	Count, Converted   int
	Started            int
	GapP50, ToStartP50 time.Duration
}

// ChainFigures are how many processes were worked by People in turn (a
// person once for a run of stages they worked one after another).
type ChainFigures struct {
	People []string
	Count  int
}

// ExecutorFigures are one person's work items among those counted: how
// many were opened for them, went overdue, and were left done by them.
type ExecutorFigures struct {
	Login                     string
	Items, Overdue, Completed int
}

// WeekFigures are the stages of one stage and one person (the one who
// worked it) entered and left done in the week starting on Monday Week
// (YYYY-MM-DD, in the report's zone).
type WeekFigures struct {
	Week, Stage, Login string
	Entered, Left      int
}

// CountOf is a count by a key.
type CountOf struct {
	Key   string
	Count int
}

// ReasonFigures are how many processes ended at End with Value in the
// Reasons field of their last stage left done (Stage).
type ReasonFigures struct {
	End, Stage, Value string
	Count             int
}

// CohortFigures are one month's cohort (the processes started in Month,
// YYYY-MM in the report's zone): how many started, and per stage (Key, in
// Stages) how many reached it with the sum of the Sum field of those who
// left it done, and per end how many ended there.
type CohortFigures struct {
	Month   string
	Started int
	Stages  []CohortStage
	Ends    []CountOf
}

// CohortStage is a cohort's figures at one stage.
type CohortStage struct {
	Stage   string
	Reached int
	Sum     float64
}

// The report's sets, each made once per report as a temporary table of
// its transaction and read by every section: counted is the processes
// counted, visits each stage they entered by the one who works or worked it
// (the work item's assignee) narrowed to the team and manager, with how it
// was left. reportTrees, after viewerScope and grantScope, are the
// segments, product groups and team members they narrow by.
const reportTrees = `,
	seg_tree(id) AS (
		SELECT id FROM segments WHERE id = @segment::text
		UNION SELECT t.id FROM segments t JOIN seg_tree s ON t.parent = s.id),
	group_tree(id) AS (
		SELECT id FROM product_groups WHERE id = @group::text
		UNION SELECT t.id FROM product_groups t JOIN group_tree g ON t.parent = g.id),
	team_members(login) AS (
		SELECT login FROM users WHERE @team::text <> '' AND teams @> ARRAY[@team::text])`

const reportCounted = `
		SELECT p.id, p.started_at FROM processes p
		WHERE p.definition_id = @definition AND (@version::int = 0 OR p.version = @version::int)
			AND p.started_at >= @from AND p.started_at < @to AND ` + processVisible + `
			AND (@segment = '' OR EXISTS (SELECT 1 FROM client_segments xs WHERE xs.client_id = p.client_id AND xs.segment_id IN (SELECT id FROM seg_tree)))
			AND (@group = '' OR EXISTS (SELECT 1 FROM client_product_groups xg WHERE xg.client_id = p.client_id AND xg.group_id IN (SELECT id FROM group_tree)))
			AND (@team = '' AND @manager = '' OR EXISTS (SELECT 1 FROM work_items xw WHERE xw.process_id = p.id
				AND (@team = '' OR xw.assignee IN (SELECT login FROM team_members)) AND (@manager = '' OR xw.assignee = @manager)))`

const reportVisits = `
		SELECT * FROM (
			SELECT e.id, e.stage, e.process_id, e.item_id, w.seq, w.assignee AS worker, e.assignee, e.previous_assignee,
				e.at AS entered, l.at AS gone, l.event AS outcome, w.overdue, w.started_at,
				CASE WHEN @sum::text <> '' AND jsonb_typeof(l.data -> @sum::text) = 'number' THEN (l.data ->> @sum::text)::numeric END AS amount,
				-- when the process last left a stage done before this one,
				-- whoever worked it (steps follow each other in time)
				max(l.at) FILTER (WHERE l.event = 'left') OVER (PARTITION BY e.process_id ORDER BY w.seq
					ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_left
			FROM stage_log e JOIN work_items w ON w.id = e.item_id
				LEFT JOIN stage_log l ON l.process_id = e.process_id AND l.item_id = e.item_id AND l.event IN ('left', 'cancelled')
			WHERE e.event = 'entered' AND e.process_id IN (SELECT id FROM counted)) v
		WHERE (@team = '' OR v.worker IN (SELECT login FROM team_members)) AND (@manager = '' OR v.worker = @manager)`

// Report counts, from the stage log, everything an analytics report shows
// over the processes of q that viewer may see, in one snapshot.
func (s *Store) Report(ctx context.Context, viewer Viewer, q ReportQuery) (ReportFigures, error) {
	var out ReportFigures
	// One snapshot for every figure; rolled back, so its temporary tables
	// go with it.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return out, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	args := viewer.args(pgx.NamedArgs{"definition": q.Definition, "version": q.Version, "from": q.From, "to": q.To,
		"team": q.Team, "segment": q.Segment, "group": q.Group, "manager": q.Manager, "sum": q.Sum,
		"reasons": q.Reasons, "zone": q.Zone, "order": q.Order})
	// counted and visits are made once: every section reads them, and made
	// again in each they were most of its cost.
	for _, make := range []string{
		`CREATE TEMP TABLE counted (id text, started_at timestamptz) ON COMMIT DROP`,
		`CREATE TEMP TABLE visits (id bigint, stage text, process_id text, item_id text, seq int, worker text, assignee text,
			previous_assignee text, entered timestamptz, gone timestamptz, outcome text, overdue boolean, started_at timestamptz,
			amount numeric, prev_left timestamptz) ON COMMIT DROP`,
		`INSERT INTO counted ` + viewerScope + grantScope + reportTrees + reportCounted,
		`INSERT INTO visits ` + viewerScope + grantScope + reportTrees + reportVisits,
		`ANALYZE counted`, `ANALYZE visits`,
	} {
		if _, err := tx.Exec(ctx, make, args); err != nil {
			return out, err
		}
	}
	const with = `WITH report AS (SELECT 1)`
	if err := tx.QueryRow(ctx, with+` SELECT now(), (SELECT count(*) FROM counted)`, args).Scan(&out.AsOf, &out.Processes); err != nil {
		return out, err
	}

	// The funnel, the time in stage and the overdue share by stage.
	rows, _ := tx.Query(ctx, with+` SELECT stage, count(DISTINCT process_id),
		count(DISTINCT process_id) FILTER (WHERE outcome = 'left'),
		count(DISTINCT process_id) FILTER (WHERE outcome = 'cancelled'),
		coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gone - entered)) FILTER (WHERE outcome = 'left'), 0),
		coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM gone - entered)) FILTER (WHERE outcome = 'left'), 0),
		coalesce(sum(amount) FILTER (WHERE outcome = 'left'), 0)::float8,
		count(*), count(*) FILTER (WHERE overdue)
	FROM visits GROUP BY stage ORDER BY stage`, args)
	var f ReportStageFigures
	var p50, p90 float64
	if _, err := pgx.ForEachRow(rows, []any{&f.Stage, &f.Reached, &f.Left, &f.Cancelled, &p50, &p90, &f.Sum, &f.Items, &f.Overdue}, func() error {
		f.P50, f.P90 = seconds(p50), seconds(p90)
		out.Stages = append(out.Stages, f)
		return nil
	}); err != nil {
		return out, err
	}

	// Passed in order: a process counts at the k-th stage when it reached
	// it having left every stage before it done.
	rows, _ = tx.Query(ctx, with+`,
	left_done AS (
		SELECT l.process_id, array_agg(DISTINCT l.stage) AS passed
		FROM stage_log l JOIN counted c ON c.id = l.process_id WHERE l.event = 'left' GROUP BY 1),
	per AS (
		SELECT v.process_id, array_agg(DISTINCT v.stage) AS reached, coalesce(min(d.passed), '{}') AS passed
		FROM visits v LEFT JOIN left_done d ON d.process_id = v.process_id GROUP BY v.process_id)
	SELECT (@order::text[])[k], count(*) FROM per, generate_subscripts(@order::text[], 1) AS k
	WHERE (@order::text[])[k] = ANY (per.reached) AND per.passed @> (@order::text[])[1:k-1]
	GROUP BY k ORDER BY k`, args)
	out.InOrder = map[string]int{}
	var key string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&key, &n}, func() error {
		out.InOrder[key] = n
		return nil
	}); err != nil {
		return out, err
	}

	// Handoffs: a stage entered by someone else than who worked the one
	// before; the gap runs from that one being left.
	rows, _ = tx.Query(ctx, with+` SELECT v.previous_assignee, v.assignee, count(*),
		count(*) FILTER (WHERE v.outcome = 'left'), count(v.started_at),
		coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM v.entered - v.prev_left)), 0),
		coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM v.started_at - v.entered)), 0)
	FROM visits v
	WHERE v.previous_assignee IS NOT NULL AND v.previous_assignee <> v.assignee
	GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`, args)
	var h HandoffFigures
	var gap, toStart float64
	if _, err := pgx.ForEachRow(rows, []any{&h.From, &h.To, &h.Count, &h.Converted, &h.Started, &gap, &toStart}, func() error {
		h.GapP50, h.ToStartP50 = seconds(gap), seconds(toStart)
		out.Handoffs = append(out.Handoffs, h)
		return nil
	}); err != nil {
		return out, err
	}

	// The chains of people who worked each process in turn.
	rows, _ = tx.Query(ctx, with+`,
	turns AS (
		SELECT process_id, seq, worker, lag(worker) OVER (PARTITION BY process_id ORDER BY seq) AS before FROM visits),
	chains AS (
		SELECT process_id, array_agg(worker ORDER BY seq) AS people FROM turns
		WHERE before IS DISTINCT FROM worker GROUP BY process_id)
	SELECT people, count(*) FROM chains GROUP BY people ORDER BY 2 DESC, 1`, args)
	var ch ChainFigures
	if _, err := pgx.ForEachRow(rows, []any{&ch.People, &ch.Count}, func() error {
		out.Chains = append(out.Chains, ch)
		return nil
	}); err != nil {
		return out, err
	}

	// The overdue share and the completions of each person.
	rows, _ = tx.Query(ctx, with+` SELECT worker, count(*), count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE outcome = 'left')
	FROM visits GROUP BY worker ORDER BY worker`, args)
	var x ExecutorFigures
	if _, err := pgx.ForEachRow(rows, []any{&x.Login, &x.Items, &x.Overdue, &x.Completed}, func() error {
		out.Executors = append(out.Executors, x)
		return nil
	}); err != nil {
		return out, err
	}

	// The weeks: stages entered and left done in the period, by the week
	// they were entered and left in.
	rows, _ = tx.Query(ctx, with+`,
	moments AS (
		SELECT stage, worker, entered AS at, 1 AS entered, 0 AS left_done FROM visits
		UNION ALL SELECT stage, worker, gone, 0, 1 FROM visits WHERE outcome = 'left')
	SELECT to_char(date_trunc('week', at AT TIME ZONE @zone::text), 'YYYY-MM-DD') AS week, stage, worker, sum(entered)::int, sum(left_done)::int
	FROM moments WHERE at >= @from AND at < @to GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, args)
	var wk WeekFigures
	if _, err := pgx.ForEachRow(rows, []any{&wk.Week, &wk.Stage, &wk.Login, &wk.Entered, &wk.Left}, func() error {
		out.Weekly = append(out.Weekly, wk)
		return nil
	}); err != nil {
		return out, err
	}

	// The ends, and the reason of each: the Reasons field of the last
	// stage left done before the end.
	rows, _ = tx.Query(ctx, with+` SELECT d.end_id, coalesce(last.stage, ''), coalesce(last.reason, ''), count(*)
	FROM stage_log d LEFT JOIN LATERAL (
		SELECT l.stage, CASE WHEN @reasons::text <> '' THEN l.data ->> @reasons::text END AS reason FROM stage_log l
		WHERE l.process_id = d.process_id AND l.event = 'left' AND l.id < d.id ORDER BY l.id DESC LIMIT 1) last ON true
	WHERE d.event = 'ended' AND d.process_id IN (SELECT id FROM counted)
	GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3`, args)
	var r ReasonFigures
	ends := map[string]int{}
	var endOrder []string
	if _, err := pgx.ForEachRow(rows, []any{&r.End, &r.Stage, &r.Value, &r.Count}, func() error {
		if _, ok := ends[r.End]; !ok {
			endOrder = append(endOrder, r.End)
		}
		ends[r.End] += r.Count
		out.Reasons = append(out.Reasons, r)
		return nil
	}); err != nil {
		return out, err
	}
	for _, e := range endOrder {
		out.Ends = append(out.Ends, CountOf{Key: e, Count: ends[e]})
	}

	// The cancelled processes by the reason given.
	rows, _ = tx.Query(ctx, with+` SELECT coalesce(p.cancel_reason, ''), count(*) FROM processes p
	WHERE p.id IN (SELECT id FROM counted) AND p.state = 'cancelled' GROUP BY 1 ORDER BY 2 DESC, 1`, args)
	var c CountOf
	if _, err := pgx.ForEachRow(rows, []any{&c.Key, &c.Count}, func() error {
		out.Cancelled = append(out.Cancelled, c)
		return nil
	}); err != nil {
		return out, err
	}

	return out, s.cohorts(ctx, tx, with, args, &out)
}

// cohorts counts the processes by the month they started in.
func (s *Store) cohorts(ctx context.Context, tx pgx.Tx, with string, args pgx.NamedArgs, out *ReportFigures) error {
	const month = `to_char(date_trunc('month', c.started_at AT TIME ZONE @zone::text), 'YYYY-MM')`
	rows, _ := tx.Query(ctx, with+` SELECT `+month+`, count(*) FROM counted c GROUP BY 1 ORDER BY 1`, args)
	index := map[string]int{}
	var m string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&m, &n}, func() error {
		index[m] = len(out.Cohorts)
		out.Cohorts = append(out.Cohorts, CohortFigures{Month: m, Started: n})
		return nil
	}); err != nil {
		return err
	}
	rows, _ = tx.Query(ctx, with+` SELECT `+month+`, v.stage, count(DISTINCT v.process_id),
		coalesce(sum(v.amount) FILTER (WHERE v.outcome = 'left'), 0)::float8
	FROM visits v JOIN counted c ON c.id = v.process_id GROUP BY 1, 2 ORDER BY 1, 2`, args)
	var st CohortStage
	if _, err := pgx.ForEachRow(rows, []any{&m, &st.Stage, &st.Reached, &st.Sum}, func() error {
		co := &out.Cohorts[index[m]]
		co.Stages = append(co.Stages, st)
		return nil
	}); err != nil {
		return err
	}
	rows, _ = tx.Query(ctx, with+` SELECT `+month+`, d.end_id, count(*)
	FROM stage_log d JOIN counted c ON c.id = d.process_id WHERE d.event = 'ended' GROUP BY 1, 2 ORDER BY 1, 2`, args)
	var e CountOf
	_, err := pgx.ForEachRow(rows, []any{&m, &e.Key, &e.Count}, func() error {
		co := &out.Cohorts[index[m]]
		co.Ends = append(co.Ends, e)
		return nil
	})
	return err
}

// ReportNamesUnknown says which of the names a report narrows by are not
// known: a team no user is in, a segment, a product group, a user.
func (s *Store) ReportNamesUnknown(ctx context.Context, team, segment, group, manager string) (unknown []string, err error) {
	var t, sg, g, m bool
	err = s.pool.QueryRow(ctx, `SELECT
		@team = '' OR EXISTS (SELECT 1 FROM users WHERE teams @> ARRAY[@team::text]),
		@segment = '' OR EXISTS (SELECT 1 FROM segments WHERE id = @segment),
		@group = '' OR EXISTS (SELECT 1 FROM product_groups WHERE id = @group),
		@manager = '' OR EXISTS (SELECT 1 FROM users WHERE login = @manager)`,
		pgx.NamedArgs{"team": team, "segment": segment, "group": group, "manager": manager}).Scan(&t, &sg, &g, &m)
	for _, k := range []struct {
		name  string
		known bool
	}{{"team", t}, {"segment", sg}, {"group", g}, {"manager", m}} {
		if !k.known {
			unknown = append(unknown, k.name)
		}
	}
	return unknown, err
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
