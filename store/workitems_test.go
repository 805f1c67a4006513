package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The work items of procStore: p1.1 (ivan, open, client acme), p2.1 (petr,
// open, overdue, client birch) and p3.1 (petr, done, no client), planned in
// that order.

func TestWorkItemListsFilterAndPageWithinWhatTheViewerSees(t *testing.T) {
	s, ctx := procStore(t)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		filter store.ItemFilter
		want   []string
	}{
		{"an admin sees every item", adminV, store.ItemFilter{}, []string{"p1.1", "p2.1", "p3.1"}},
		{"a manager sees their own items", ivanV, store.ItemFilter{}, []string{"p1.1"}},
		{"a supervisor sees the items of everyone below", olgaV, store.ItemFilter{}, []string{"p1.1", "p2.1", "p3.1"}},
		{"grants show the items of the clients they show", annaV, store.ItemFilter{}, []string{"p1.1"}},
		{"someone unrelated sees none", store.Viewer{Login: "dora"}, store.ItemFilter{}, nil},
		{"by assignee", olgaV, store.ItemFilter{Assignee: "petr"}, []string{"p2.1", "p3.1"}},
		{"open is attention or in progress", adminV, store.ItemFilter{State: "open"}, []string{"p1.1", "p2.1"}},
		{"by one state", adminV, store.ItemFilter{State: store.ItemDone}, []string{"p3.1"}},
		{"by client", adminV, store.ItemFilter{Client: "birch"}, []string{"p2.1"}},
		{"filters combine", olgaV, store.ItemFilter{Assignee: "petr", State: "open"}, []string{"p2.1"}},
		{"filters never widen what one sees", ivanV, store.ItemFilter{Assignee: "petr"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 1
			got := allPages(t, func(after string) ([]store.WorkItem, string, error) {
				f.After = after
				return s.WorkItems(ctx, tc.viewer, f)
			}, func(w store.WorkItem) string { return w.ID })
			require.Equal(t, tc.want, got)
		})
	}
	_, _, err := s.WorkItems(ctx, adminV, store.ItemFilter{Page: store.Page{After: "not a cursor"}})
	require.ErrorIs(t, err, store.ErrBadCursor)

	list, _, err := s.WorkItems(ctx, ivanV, store.ItemFilter{})
	require.NoError(t, err)
	require.Equal(t, "Acme", list[0].ClientName, "an item carries its client's name for lists")
	require.Equal(t, "sales", list[0].Definition)
}

// The search finds an item by any part of its client's name or of its
// title, whatever the case, Cyrillic included, and ё as е; the conveyor
// and the stage narrow the list; none of them widens what one sees.
func TestWorkItemListsSearchByClientOrTitleAndFilterByConveyorAndStage(t *testing.T) {
	s, ctx := procStore(t)
	_, err := s.UpdateClient(ctx, adminV, "acme", store.ClientPatch{Name: new("ООО «Ёлочка»")}, anyChange)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		filter store.ItemFilter
		want   []string
	}{
		{"part of the client's name in another case", adminV, store.ItemFilter{Q: "ЛОЧК"}, []string{"p1.1"}},
		{"ё is е", adminV, store.ItemFilter{Q: "елочка"}, []string{"p1.1"}},
		{"the quotes of a name do not matter", adminV, store.ItemFilter{Q: "ооо ёлочка"}, []string{"p1.1"}},
		{"part of the title", adminV, store.ItemFilter{Q: "COLD"}, []string{"p1.1", "p2.1", "p3.1"}},
		{"the client's name of another", adminV, store.ItemFilter{Q: "birch"}, []string{"p2.1"}},
		{"no match", adminV, store.ItemFilter{Q: "nothing like it"}, nil},
		{"spaces around the term are not meant", adminV, store.ItemFilter{Q: "  birch "}, []string{"p2.1"}},
		{"by conveyor", adminV, store.ItemFilter{Definition: "leads"}, []string{"p3.1"}},
		{"by stage", adminV, store.ItemFilter{Definition: "sales", Stage: "cold_call"}, []string{"p1.1", "p2.1"}},
		{"a stage without items", adminV, store.ItemFilter{Stage: "deal"}, nil},
		{"search and state combine", adminV, store.ItemFilter{Q: "cold", State: "open", Assignee: "petr"}, []string{"p2.1"}},
		{"the search never widens what one sees", ivanV, store.ItemFilter{Q: "birch"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 1
			got := allPages(t, func(after string) ([]store.WorkItem, string, error) {
				f.After = after
				return s.WorkItems(ctx, tc.viewer, f)
			}, func(w store.WorkItem) string { return w.ID })
			require.Equal(t, tc.want, got)
		})
	}
}

// A calendar's range takes the items planned in it and those due in it,
// half-open at both: c1.1 (ivan) planned on 1 December and due on the 10th,
// c2.1 (petr) planned on 20 November and due on 2 December, c3.1 (ivan)
// planned at midnight on the 8th without a deadline, beside procStore's
// items planned at 09:00 on 27 November and due at 09:00 on the 29th.
func TestWorkItemListsTakeARangeOfPlannedStartsOrDeadlines(t *testing.T) {
	s, ctx := procStore(t)
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	for _, c := range []struct {
		id, user     string
		planned, due time.Time
	}{
		{"c1", "ivan", at(12, 1, 10), at(12, 10, 10)},
		{"c2", "petr", at(11, 20, 9), at(12, 2, 18)},
		{"c3", "ivan", at(12, 8, 0), time.Time{}},
	} {
		_, created, err := s.CreateProcess(ctx, store.Process{ID: c.id, Definition: "sales", Version: 1, StartedBy: c.user})
		require.NoError(t, err)
		require.True(t, created)
		step := openStep(c.id, 1, definitions.Assignee{Kind: definitions.AssignUser, User: c.user})
		step.Open.PlannedStart, step.Open.Due = c.planned, nil
		if !c.due.IsZero() {
			step.Open.Due = &c.due
		}
		_, err = s.ApplyStep(ctx, step)
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		filter store.ItemFilter
		want   []string
	}{
		{"a week holds what is planned in it and what is due in it", adminV,
			store.ItemFilter{From: at(12, 1, 0), To: at(12, 8, 0)}, []string{"c2.1", "c1.1"}},
		{"the range takes its start and leaves its end", adminV,
			store.ItemFilter{From: at(11, 29, 9), To: at(12, 1, 10)}, []string{"p1.1", "p2.1", "p3.1"}},
		{"a range open at its end", adminV, store.ItemFilter{From: at(12, 8, 0)}, []string{"c1.1", "c3.1"}},
		{"a range open at its start", adminV, store.ItemFilter{To: at(11, 27, 9)}, []string{"c2.1"}},
		{"a range with nothing in it", adminV, store.ItemFilter{From: at(12, 11, 0), To: at(12, 31, 0)}, nil},
		{"the range and the assignee combine", olgaV,
			store.ItemFilter{Assignee: "ivan", From: at(12, 1, 0), To: at(12, 8, 0)}, []string{"c1.1"}},
		{"the range never widens what one sees", ivanV,
			store.ItemFilter{From: at(11, 1, 0), To: at(12, 31, 0)}, []string{"p1.1", "c1.1", "c3.1"}},
		{"a range and a state combine", adminV,
			store.ItemFilter{State: store.ItemDone, From: at(11, 27, 0), To: at(11, 28, 0)}, []string{"p3.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 1
			got := allPages(t, func(after string) ([]store.WorkItem, string, error) {
				f.After = after
				return s.WorkItems(ctx, tc.viewer, f)
			}, func(w store.WorkItem) string { return w.ID })
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAWorkItemIsFoundOnlyByWhoeverMaySeeIt(t *testing.T) {
	s, ctx := procStore(t)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		sees   []string
	}{
		{"an admin", adminV, []string{"p1.1", "p2.1", "p3.1"}},
		{"the assignee", petrV, []string{"p2.1", "p3.1"}},
		{"the assignee's supervisor", olgaV, []string{"p1.1", "p2.1", "p3.1"}},
		{"a grantee who sees the client", annaV, []string{"p1.1"}},
		{"someone unrelated", store.Viewer{Login: "dora"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, id := range []string{"p1.1", "p2.1", "p3.1", "nope"} {
				w, err := s.VisibleWorkItem(ctx, tc.viewer, id)
				if slices.Contains(tc.sees, id) {
					require.NoError(t, err, id)
					require.Equal(t, id, w.ID)
				} else {
					require.ErrorIs(t, err, refusal.ErrNotFound, "an item one may not see is not found: %s", id)
				}
			}
		})
	}
}

func TestStartingAWorkItemMovesItToInProgressOnce(t *testing.T) {
	s, ctx := procStore(t)
	w, err := s.WorkItem(ctx, "p1.1")
	require.NoError(t, err)
	require.Equal(t, store.ItemAttention, w.State)
	require.Nil(t, w.StartedAt)

	started, err := s.StartWorkItem(ctx, "p1.1")
	require.NoError(t, err)
	require.Equal(t, store.ItemInProgress, started.State)
	require.NotNil(t, started.StartedAt)
	require.True(t, started.Open())

	again, err := s.StartWorkItem(ctx, "p1.1")
	require.NoError(t, err, "opening an item in progress again is fine")
	require.Equal(t, started, again, "and changes nothing, not even when it started")

	_, err = s.StartWorkItem(ctx, "p3.1")
	require.ErrorIs(t, err, refusal.ErrConflict, "a done item does not start")
	done, err := s.WorkItem(ctx, "p3.1")
	require.NoError(t, err)
	require.Equal(t, store.ItemDone, done.State)

	_, err = s.StartWorkItem(ctx, "nope")
	require.ErrorIs(t, err, refusal.ErrNotFound)
}

func TestOnlyOpenItemsWithADeadlineBecomeOverdue(t *testing.T) {
	s, ctx := procStore(t)
	for _, tc := range []struct {
		name      string
		item      string
		escalated bool
	}{
		{"an open item with a deadline escalates", "p1.1", true},
		{"an item already escalated does not again", "p2.1", false},
		{"a done item is late for nothing", "p3.1", false},
		{"an unknown item escalates nothing", "nope", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			escalated, err := s.MarkOverdue(ctx, tc.item)
			require.NoError(t, err)
			require.Equal(t, tc.escalated, escalated)
		})
	}
	done, err := s.WorkItem(ctx, "p3.1")
	require.NoError(t, err)
	require.False(t, done.Overdue)
	p, err := s.Process(ctx, "p3")
	require.NoError(t, err)
	require.False(t, p.Overdue, "nor is its process")

	// An item without a deadline is never overdue.
	_, created, err := s.CreateProcess(ctx, store.Process{ID: "p5", Definition: "sales", Version: 1, StartedBy: "ivan"})
	require.NoError(t, err)
	require.True(t, created)
	step := openStep("p5", 1, definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"})
	step.Open.Due = nil
	_, err = s.ApplyStep(ctx, step)
	require.NoError(t, err)
	escalated, err := s.MarkOverdue(ctx, "p5.1")
	require.NoError(t, err)
	require.False(t, escalated)
	w, err := s.WorkItem(ctx, "p5.1")
	require.NoError(t, err)
	require.False(t, w.Overdue)

	list, _, err := s.Escalations(ctx, olgaV, "", store.Page{})
	require.NoError(t, err)
	var items []string
	for _, e := range list {
		items = append(items, e.WorkItemID)
	}
	require.ElementsMatch(t, []string{"p1.1", "p2.1"}, items, "one escalation per late open item")
}

func TestReassigningGivesAnOpenItemToAnotherActiveUser(t *testing.T) {
	for _, tc := range []struct {
		name string
		item string
		to   string
		want error // nil: reassigned
	}{
		{"an open item goes to another manager", "p1.1", "petr", nil},
		{"an overdue item too", "p2.1", "ivan", nil},
		{"not to an inactive user", "p1.1", "dora", refusal.ErrInvalid},
		{"not to an unknown user", "p1.1", "ghost", refusal.ErrInvalid},
		{"a done item stays with who did it", "p3.1", "ivan", refusal.ErrConflict},
		{"an unknown item is not open", "nope", "ivan", refusal.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ctx := procStore(t)
			before, _ := s.WorkItem(ctx, tc.item)
			w, err := s.ReassignWorkItem(ctx, tc.item, tc.to, "olga", "", "u-"+tc.item)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				after, _ := s.WorkItem(ctx, tc.item)
				require.Equal(t, before, after, "a refused reassignment changes nothing")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.to, w.Assignee)
			require.Equal(t, before.State, w.State)
			p, err := s.Process(ctx, w.ProcessID)
			require.NoError(t, err)
			require.Equal(t, tc.to, p.Assignee, "the new assignee is the process's current one")
			mine, _, err := s.WorkItems(ctx, store.Viewer{Login: tc.to}, store.ItemFilter{Assignee: tc.to, State: "open"})
			require.NoError(t, err)
			require.True(t, slices.ContainsFunc(mine, func(x store.WorkItem) bool { return x.ID == tc.item }), "it is on the new assignee's list")
		})
	}
}
