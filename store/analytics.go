package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// StageFigures are a funnel's figures of one stage over the processes it
// counts: how many reached it, left it done or were cancelled there, and
// the time spent in it by those that left it done.
type StageFigures struct {
	Stage                    string
	Reached, Left, Cancelled int
	P50, P90                 time.Duration
	// Sum is the total of the numeric form field asked for (the deal
	// amount) in the data of those that left it done.
	Sum float64
}

// Funnel counts, from the stage log, the processes of definition started in
// [from, to) that viewer may see: the figures of each stage they reached
// (with the sum of the numeric form field sum, if not "") and how many
// ended at each end.
func (s *Store) Funnel(ctx context.Context, viewer Viewer, definition string, from, to time.Time, sum string) (processes int, stages []StageFigures, ends map[string]int, err error) {
	args := viewer.args(pgx.NamedArgs{"definition": definition, "from": from, "to": to, "sum": sum})
	counted := viewerScope + grantScope + `,
	counted(id) AS (SELECT p.id FROM processes p WHERE p.definition_id = @definition
		AND p.started_at >= @from AND p.started_at < @to AND ` + processVisible + `)`
	if err = s.pool.QueryRow(ctx, counted+` SELECT count(*) FROM counted`, args).Scan(&processes); err != nil {
		return 0, nil, nil, err
	}
	rows, _ := s.pool.Query(ctx, counted+`,
	visits AS (
		SELECT e.stage, e.process_id, e.at AS entered, l.at AS gone, l.event AS outcome,
			CASE WHEN @sum <> '' AND jsonb_typeof(l.data -> @sum) = 'number' THEN (l.data ->> @sum)::numeric END AS amount
		FROM stage_log e LEFT JOIN stage_log l ON l.item_id = e.item_id AND l.event IN ('left', 'cancelled')
		WHERE e.event = 'entered' AND e.process_id IN (SELECT id FROM counted))
	SELECT stage, count(DISTINCT process_id),
		count(DISTINCT process_id) FILTER (WHERE outcome = 'left'),
		count(DISTINCT process_id) FILTER (WHERE outcome = 'cancelled'),
		coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gone - entered)) FILTER (WHERE outcome = 'left'), 0),
		coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM gone - entered)) FILTER (WHERE outcome = 'left'), 0),
		coalesce(sum(amount) FILTER (WHERE outcome = 'left'), 0)::float8
	FROM visits GROUP BY stage ORDER BY stage`, args)
	var f StageFigures
	var p50, p90 float64
	_, err = pgx.ForEachRow(rows, []any{&f.Stage, &f.Reached, &f.Left, &f.Cancelled, &p50, &p90, &f.Sum}, func() error {
		f.P50, f.P90 = time.Duration(p50*float64(time.Second)), time.Duration(p90*float64(time.Second))
		stages = append(stages, f)
		return nil
	})
	if err != nil {
		return 0, nil, nil, err
	}
	rows, _ = s.pool.Query(ctx, counted+` SELECT end_id, count(*) FROM stage_log
		WHERE event = 'ended' AND process_id IN (SELECT id FROM counted) GROUP BY end_id`, args)
	ends = map[string]int{}
	var end string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&end, &n}, func() error {
		ends[end] = n
		return nil
	})
	return processes, stages, ends, err
}
