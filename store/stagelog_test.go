package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

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
