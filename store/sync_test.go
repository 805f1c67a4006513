package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

func TestAStepForAnUpdateLeavesAMarkUntilCleared(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	newProcess(t, s, "p1")
	ivan := definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}
	_, err := s.ApplyStep(ctx, openStep("p1", 1, ivan))
	require.NoError(t, err)
	marks, err := s.SyncMarks(ctx, 0, 10)
	require.NoError(t, err)
	require.Empty(t, marks, "the first item is opened by the workflow itself, not for an Update")

	next := openStep("p1", 2, definitions.Assignee{Kind: definitions.AssignUser, User: "petr"})
	next.Close = &store.CloseItem{ItemID: "p1.1", Data: json.RawMessage(`{"result":"interested"}`), By: "ivan"}
	next.UpdateID = "u-1"
	_, err = s.ApplyStep(ctx, next)
	require.NoError(t, err)

	marks, err = s.SyncMarks(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, marks, 1)
	require.Equal(t, store.SyncMark{ProcessID: "p1", UpdateID: "u-1", ChangedAt: marks[0].ChangedAt,
		State: store.ProcessRunning, ItemID: "p1.2", Assignee: "petr"}, marks[0])
	young, err := s.SyncMarks(ctx, 3600e9, 10)
	require.NoError(t, err)
	require.Empty(t, young, "marks younger than the grace wait")

	v, err := s.ProcessSyncView(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, "u-1", v.UpdateID)
	require.Equal(t, "p1.2", v.Open.ID)
	require.Equal(t, "p1.1", v.Closed.ID)
	require.JSONEq(t, `{"result":"interested"}`, string(v.Closed.Data))

	require.NoError(t, s.ClearSyncMarks(ctx, []store.SyncMark{{ProcessID: "p1", UpdateID: "u-other"}}))
	marks, err = s.SyncMarks(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, marks, 1, "a mark is cleared only by the Update that made it")
	require.NoError(t, s.ClearSyncMarks(ctx, marks))
	marks, err = s.SyncMarks(ctx, 0, 10)
	require.NoError(t, err)
	require.Empty(t, marks)
}

func TestCancellingAndReassigningForAnUpdateLeaveMarks(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	for _, id := range []string{"p1", "p2"} {
		newProcess(t, s, id)
		_, err := s.ApplyStep(ctx, openStep(id, 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}))
		require.NoError(t, err)
	}
	require.NoError(t, s.CancelProcess(ctx, "p1", "olga", "gone", "u-cancel"))
	_, err := s.ReassignWorkItem(ctx, "p2.1", "petr", "olga", "call after lunch", "u-reassign")
	require.NoError(t, err)
	marks, err := s.SyncMarks(ctx, 0, 10)
	require.NoError(t, err)
	got := map[string]store.SyncMark{}
	for _, m := range marks {
		got[m.UpdateID] = m
	}
	require.Equal(t, store.ProcessCancelled, got["u-cancel"].State)
	require.Empty(t, got["u-cancel"].ItemID)
	require.Equal(t, "petr", got["u-reassign"].Assignee)
}
