package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

type logRow struct {
	Event, Process, Stage, Item, Assignee, Previous, End, Data string
}

func stageLog(t *testing.T, s *store.Store) []logRow {
	t.Helper()
	rows, err := s.Pool().Query(context.Background(), `SELECT event, process_id, coalesce(stage, ''), coalesce(item_id, ''),
		coalesce(assignee, ''), coalesce(previous_assignee, ''), coalesce(end_id, ''), coalesce(data::text, '')
		FROM stage_log ORDER BY id`)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[logRow])
	require.NoError(t, err)
	return out
}

// Every step appends to the stage log in its own transaction: a stage
// entered for whom after whom (a handoff), left with its data, cancelled,
// the process ended; the log is never changed, and the backfill writes
// from the work items what the steps wrote.
func TestTheStageLogIsWrittenByEveryStepAndRebuiltByTheBackfill(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	ivan := definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}
	petr := definitions.Assignee{Kind: definitions.AssignUser, User: "petr"}

	newProcess(t, s, "p1")
	res, err := s.ApplyStep(ctx, openStep("p1", 1, ivan))
	require.NoError(t, err)
	deal := openStep("p1", 2, petr)
	deal.Open.Stage, deal.Close = "deal", &store.CloseItem{ItemID: res.Next.ID, By: "ivan", Data: json.RawMessage(`{"result":"interested"}`)}
	_, err = s.ApplyStep(ctx, deal)
	require.NoError(t, err)
	_, err = s.ApplyStep(ctx, deal)
	require.NoError(t, err, "a retried step writes nothing twice")
	_, err = s.ApplyStep(ctx, store.Step{ProcessID: "p1", End: "won",
		Close: &store.CloseItem{ItemID: "p1.2", By: "petr", Data: json.RawMessage(`{"result":"won","amount":1500}`)}})
	require.NoError(t, err)

	newProcess(t, s, "p2")
	_, err = s.ApplyStep(ctx, openStep("p2", 1, ivan))
	require.NoError(t, err)
	require.NoError(t, s.CancelProcess(ctx, "p2", "olga", "gone", "u-cancel"))

	live := stageLog(t, s)
	require.Equal(t, []logRow{
		{Event: "entered", Process: "p1", Stage: "cold_call", Item: "p1.1", Assignee: "ivan"},
		{Event: "left", Process: "p1", Stage: "cold_call", Item: "p1.1", Assignee: "ivan", Data: `{"result": "interested"}`},
		{Event: "entered", Process: "p1", Stage: "deal", Item: "p1.2", Assignee: "petr", Previous: "ivan"},
		{Event: "left", Process: "p1", Stage: "deal", Item: "p1.2", Assignee: "petr", Data: `{"amount": 1500, "result": "won"}`},
		{Event: "ended", Process: "p1", End: "won"},
		{Event: "entered", Process: "p2", Stage: "cold_call", Item: "p2.1", Assignee: "ivan"},
		{Event: "cancelled", Process: "p2", Stage: "cold_call", Item: "p2.1", Assignee: "ivan"},
	}, live)

	_, err = s.Pool().Exec(ctx, `UPDATE stage_log SET assignee = 'someone'`)
	require.Error(t, err, "the log is append-only")
	_, err = s.Pool().Exec(ctx, `DELETE FROM stage_log`)
	require.Error(t, err)

	// The backfill, run over the same work items, writes the same log.
	_, err = s.Pool().Exec(ctx, `TRUNCATE stage_log`)
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `SELECT stage_log_backfill()`)
	require.NoError(t, err)
	rebuilt := stageLog(t, s)
	key := func(r logRow) string {
		return strings.Join([]string{r.Process, r.Item, r.Event, r.Stage, r.Assignee, r.Previous, r.End, r.Data}, "|")
	}
	sorted := func(rows []logRow) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = key(r)
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, sorted(live), sorted(rebuilt))
}

// A funnel over a dataset with known answers: ten processes, six past the
// cold call (four cancelled there), three won and two lost of the six
// deals (for 6,000 in all), one deal still open; counted only for whoever
// may see them and only in the period asked.
func TestAFunnelCountsTheStageLog(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	ivan := definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}
	petr := definitions.Assignee{Kind: definitions.AssignUser, User: "petr"}
	for i := range 10 {
		id := fmt.Sprintf("f%d", i)
		newProcess(t, s, id)
		_, err := s.ApplyStep(ctx, openStep(id, 1, ivan))
		require.NoError(t, err)
		if i >= 6 {
			require.NoError(t, s.CancelProcess(ctx, id, "olga", "no budget", "u-"+id))
			continue
		}
		deal := openStep(id, 2, petr)
		deal.Open.Stage, deal.Close = "deal", &store.CloseItem{ItemID: id + ".1", By: "ivan"}
		_, err = s.ApplyStep(ctx, deal)
		require.NoError(t, err)
		if i == 5 {
			continue // still in the deal
		}
		end := map[bool]string{true: "won", false: "lost"}[i < 3]
		data := json.RawMessage(`{"result":"lost"}`)
		if end == "won" {
			data = json.RawMessage(fmt.Sprintf(`{"result":"won","amount":%d}`, 1000*(i+1)))
		}
		_, err = s.ApplyStep(ctx, store.Step{ProcessID: id, End: end, Close: &store.CloseItem{ItemID: id + ".2", By: "petr", Data: data}})
		require.NoError(t, err)
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	n, stages, ends, err := s.Funnel(ctx, store.Viewer{Login: "olga"}, "sales", day, day.Add(48*time.Hour), "amount")
	require.NoError(t, err)
	require.Equal(t, 10, n)
	require.Len(t, stages, 2)
	byStage := map[string]store.StageFigures{}
	for _, f := range stages {
		require.GreaterOrEqual(t, f.P90, f.P50)
		require.GreaterOrEqual(t, f.P50, time.Duration(0))
		f.P50, f.P90 = 0, 0
		byStage[f.Stage] = f
	}
	require.Equal(t, store.StageFigures{Stage: "cold_call", Reached: 10, Left: 6, Cancelled: 4}, byStage["cold_call"])
	require.Equal(t, store.StageFigures{Stage: "deal", Reached: 6, Left: 5, Sum: 6000}, byStage["deal"], "the won deals' amounts: 1000 + 2000 + 3000")
	require.Equal(t, map[string]int{"won": 3, "lost": 2}, ends)

	n, _, _, err = s.Funnel(ctx, store.Viewer{Login: "stranger"}, "sales", day, day.Add(48*time.Hour), "")
	require.NoError(t, err)
	require.Zero(t, n, "a viewer counts only the processes they may see")
	n, _, _, err = s.Funnel(ctx, store.Viewer{Admin: true}, "sales", day.Add(48*time.Hour), day.Add(96*time.Hour), "")
	require.NoError(t, err)
	require.Zero(t, n, "nor outside the period")
}
