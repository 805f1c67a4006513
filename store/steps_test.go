package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// runtimeStore has the example published and a few users.
func runtimeStore(t *testing.T) *store.Store {
	t.Helper()
	s := newStore(t)
	ctx := store.WithActor(context.Background(), "test")
	for _, u := range []store.User{
		{Login: "olga", Roles: []string{store.RoleSupervisor}},
		{Login: "ivan", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}, Supervisor: "olga"},
		{Login: "petr", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}, Supervisor: "olga"},
	} {
		_, err := s.CreateUser(ctx, u, "x")
		require.NoError(t, err)
	}
	src, plan := example(t, nil)
	_, _, err := s.Publish(ctx, src, plan, "olga")
	require.NoError(t, err)
	return s
}

func newProcess(t *testing.T, s *store.Store, id string) {
	t.Helper()
	_, created, err := s.CreateProcess(store.WithActor(context.Background(), "test"), store.Process{ID: id, Definition: "sales", Version: 1, StartedBy: "olga"})
	require.NoError(t, err)
	require.True(t, created)
}

func openStep(processID string, seq int, rule definitions.Assignee) store.Step {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	due := now.Add(48 * time.Hour)
	return store.Step{ProcessID: processID, Open: &store.OpenItem{
		ItemID: fmt.Sprintf("%s.%d", processID, seq), Seq: seq, Stage: "cold_call", Title: "Cold call",
		Rule: rule, PlannedStart: now, Due: &due,
	}}
}

var roundRobin = definitions.Assignee{Kind: definitions.AssignTeam, Team: "cold-callers", Pick: definitions.PickRoundRobin}

func TestARetriedStepCreatesNoSecondWorkItem(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	newProcess(t, s, "p1")
	step := openStep("p1", 1, roundRobin)
	res, err := s.ApplyStep(ctx, step)
	require.NoError(t, err)
	first := res.Next
	again, err := s.ApplyStep(ctx, step)
	require.NoError(t, err)
	require.Equal(t, first, again.Next, "the retry finds the first run's item")
	items, err := s.ProcessItems(ctx, "p1")
	require.NoError(t, err)
	require.Len(t, items, 1)

	// The turn was taken once: the next process goes to the other member.
	newProcess(t, s, "p2")
	other, err := s.ApplyStep(ctx, openStep("p2", 1, roundRobin))
	require.NoError(t, err)
	require.NotEqual(t, first.Assignee, other.Next.Assignee)

	end := store.Step{ProcessID: "p1", Close: &store.CloseItem{ItemID: first.ID, By: first.Assignee}, End: "lost"}
	ended, err := s.ApplyStep(ctx, end)
	require.NoError(t, err)
	require.Equal(t, store.ItemDone, ended.Closed.State)
	require.Nil(t, ended.Next)
	again, err = s.ApplyStep(ctx, end)
	require.NoError(t, err, "reaching the end again is the same step")
	require.Equal(t, ended, again)
	p, err := s.Process(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, store.ProcessCompleted, p.State)
	require.Equal(t, 100, p.Progress)
}

func TestAUniqueKeyRefusesASecondItemWithTheSameID(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	newProcess(t, s, "p")
	tx := pgtest.Tx(t, s.Pool())
	_, err := tx.Exec(ctx, `SELECT set_config('conveyor.actor', 'test', true)`)
	require.NoError(t, err)
	insert := `INSERT INTO work_items (id, process_id, seq, stage, title, assignee, planned_start) VALUES ('p.1', 'p', 1, 'cold_call', 'Cold call', 'ivan', now())`
	_, err = tx.Exec(ctx, insert)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, insert)
	require.ErrorContains(t, err, "work_items_pkey")
}

func TestClosingAClosedItemIsAConflict(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	newProcess(t, s, "p1")
	res, err := s.ApplyStep(ctx, openStep("p1", 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}))
	require.NoError(t, err)
	first := res.Next
	next := openStep("p1", 2, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"})
	next.Close = &store.CloseItem{ItemID: first.ID, By: "ivan"}
	_, err = s.ApplyStep(ctx, next)
	require.NoError(t, err)
	other := openStep("p1", 3, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"})
	other.Close = &store.CloseItem{ItemID: first.ID, By: "ivan"}
	_, err = s.ApplyStep(ctx, other)
	require.ErrorIs(t, err, refusal.ErrConflict)
}

func TestAssigningToSomeoneWhoCannotWorkIsInvalid(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	for i, rule := range []definitions.Assignee{
		{Kind: definitions.AssignUser, User: "ghost"},
		{Kind: definitions.AssignTeam, Team: "nobody-here", Pick: definitions.PickLeastLoaded},
		{Kind: definitions.AssignChoose, Team: "cold-callers"},
	} {
		id := fmt.Sprintf("bad%d", i)
		newProcess(t, s, id)
		_, err := s.ApplyStep(ctx, openStep(id, 1, rule))
		require.ErrorIs(t, err, refusal.ErrInvalid, rule.Kind)
		items, err := s.ProcessItems(ctx, id)
		require.NoError(t, err)
		require.Empty(t, items)
	}
}

func TestLeastLoadedPicksTheMemberWithFewestOpenItems(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	least := definitions.Assignee{Kind: definitions.AssignTeam, Team: "cold-callers", Pick: definitions.PickLeastLoaded}
	var got []string
	for _, id := range []string{"a", "b", "c", "d"} {
		newProcess(t, s, id)
		res, err := s.ApplyStep(ctx, openStep(id, 1, least))
		require.NoError(t, err)
		got = append(got, res.Next.Assignee)
	}
	require.Equal(t, []string{"ivan", "petr", "ivan", "petr"}, got)
}

func TestOverdueItemsEscalateOnceToTheSupervisor(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	newProcess(t, s, "p1")
	res, err := s.ApplyStep(ctx, openStep("p1", 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}))
	require.NoError(t, err)
	escalated, err := s.MarkOverdue(ctx, res.Next.ID)
	require.NoError(t, err)
	require.True(t, escalated)
	escalated, err = s.MarkOverdue(ctx, res.Next.ID)
	require.NoError(t, err)
	require.False(t, escalated, "a retried timer escalates nothing twice")
	list, next, err := s.Escalations(ctx, store.Viewer{Login: "olga"}, "open", store.Page{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Empty(t, next)
	require.Equal(t, "ivan", list[0].Assignee)
	mine, _, err := s.Escalations(ctx, store.Viewer{Login: "petr"}, "", store.Page{})
	require.NoError(t, err)
	require.Empty(t, mine)
	p, err := s.Process(ctx, "p1")
	require.NoError(t, err)
	require.True(t, p.Overdue)
}

func TestListsArePagedWithCursors(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		newProcess(t, s, id)
	}
	var pages int
	ids := allPages(t, func(after string) ([]store.Process, string, error) {
		pages++
		return s.Processes(ctx, store.Viewer{Login: "olga"}, store.ProcessFilter{Page: store.Page{After: after, Limit: 2}})
	}, func(p store.Process) string { return p.ID })
	require.Equal(t, 3, pages)
	require.ElementsMatch(t, []string{"a", "b", "c", "d", "e"}, ids, "every process once")
	_, _, err := s.Processes(ctx, store.Viewer{Login: "olga"}, store.ProcessFilter{Page: store.Page{After: "garbage!"}})
	require.ErrorIs(t, err, store.ErrBadCursor)
}

func TestClientListsSortAndPageInEveryOrder(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	for _, name := range []string{"Delta", "Alpha", "Charlie", "Bravo", "Echo"} {
		_, err := s.CreateClient(ctx, store.Client{ID: "c-" + name, Name: name, Owner: "ivan"})
		require.NoError(t, err)
	}
	collect := func(sort string) []string {
		return allPages(t, func(after string) ([]store.Client, string, error) {
			return s.Clients(ctx, store.Viewer{Login: "ivan"}, store.ClientFilter{Sort: sort, Page: store.Page{After: after, Limit: 2}})
		}, func(c store.Client) string { return c.Name })
	}
	require.Equal(t, []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo"}, collect("name"))
	require.Equal(t, []string{"Echo", "Delta", "Charlie", "Bravo", "Alpha"}, collect("-name"))
	require.Equal(t, []string{"Delta", "Alpha", "Charlie", "Bravo", "Echo"}, collect("createdAt"))
	require.Equal(t, []string{"Echo", "Bravo", "Charlie", "Alpha", "Delta"}, collect("-createdAt"))
	_, _, err := s.Clients(ctx, store.Viewer{Login: "ivan"}, store.ClientFilter{Sort: "shoeSize"})
	require.ErrorIs(t, err, store.ErrBadSort)
}

func TestProcessListsSortByStartOrDeadline(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	for i, id := range []string{"a", "b", "c", "d"} {
		newProcess(t, s, id)
		if id == "d" {
			continue // no deadline
		}
		step := openStep(id, 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"})
		due := step.Open.PlannedStart.Add(time.Duration(3-i) * time.Hour) // a latest, c earliest
		step.Open.Due = &due
		_, err := s.ApplyStep(ctx, step)
		require.NoError(t, err)
	}
	collect := func(sort string) []string {
		return allPages(t, func(after string) ([]store.Process, string, error) {
			return s.Processes(ctx, store.Viewer{Login: "olga"}, store.ProcessFilter{Sort: sort, Page: store.Page{After: after, Limit: 1}})
		}, func(p store.Process) string { return p.ID })
	}
	require.Equal(t, []string{"d", "c", "b", "a"}, collect(""), "newest first by default")
	require.Equal(t, []string{"a", "b", "c", "d"}, collect("startedAt"))
	require.Equal(t, []string{"c", "b", "a", "d"}, collect("due"), "no deadline last")
	require.Equal(t, []string{"a", "b", "c", "d"}, collect("-due"), "no deadline last")
	_, _, err := s.Processes(ctx, store.Viewer{Login: "olga"}, store.ProcessFilter{Sort: "size"})
	require.ErrorIs(t, err, store.ErrBadSort)
}

func TestUsersAndEscalationsArePaged(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := runtimeStore(t)
	logins := allPages(t, func(after string) ([]store.User, string, error) {
		return s.UsersPage(ctx, store.Page{After: after, Limit: 2})
	}, func(u store.User) string { return u.Login })
	require.Equal(t, []string{"ivan", "olga", "petr"}, logins)

	for _, id := range []string{"p1", "p2", "p3"} {
		newProcess(t, s, id)
		res, err := s.ApplyStep(ctx, openStep(id, 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}))
		require.NoError(t, err)
		_, err = s.MarkOverdue(ctx, res.Next.ID)
		require.NoError(t, err)
	}
	items := allPages(t, func(after string) ([]store.Escalation, string, error) {
		return s.Escalations(ctx, store.Viewer{Login: "olga"}, "", store.Page{After: after, Limit: 2})
	}, func(e store.Escalation) string { return e.WorkItemID })
	require.Equal(t, []string{"p3.1", "p2.1", "p1.1"}, items, "newest first")
}

// allPages follows a list's cursors to its end and returns the key of every
// row in the order the pages gave them.
func allPages[T any](t *testing.T, fetch func(after string) ([]T, string, error), key func(T) string) []string {
	t.Helper()
	var keys []string
	for after := ""; ; {
		page, next, err := fetch(after)
		require.NoError(t, err)
		for _, x := range page {
			keys = append(keys, key(x))
		}
		if next == "" {
			return keys
		}
		after = next
	}
}
