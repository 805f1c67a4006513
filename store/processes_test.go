package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// procStore is orgStore with its clients, a second conveyor "leads", and
// four processes:
//
//	p1  sales  client acme (ivan's)      started by ivan   item p1.1 ivan, open
//	p2  sales  client birch (petr's)     started by petr   item p2.1 petr, open, overdue
//	p3  leads  no client                 started by olga   item p3.1 petr, done: completed
//	p4  sales  client kazsteel (petr's)  started by anna   no item
func procStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	src, plan := example(t, func(s string) string { return strings.Replace(s, "id: sales", "id: leads", 1) })
	_, _, err := s.Publish(ctx, src, plan, "olga")
	require.NoError(t, err)

	for _, p := range []store.Process{
		{ID: "p1", Definition: "sales", Version: 1, Client: "acme", StartedBy: "ivan"},
		{ID: "p2", Definition: "sales", Version: 1, Client: "birch", StartedBy: "petr"},
		{ID: "p3", Definition: "leads", Version: 1, StartedBy: "olga"},
		{ID: "p4", Definition: "sales", Version: 1, Client: "kazsteel", StartedBy: "anna"},
	} {
		_, created, err := s.CreateProcess(ctx, p)
		require.NoError(t, err)
		require.True(t, created)
	}
	for _, o := range []struct{ process, user string }{{"p1", "ivan"}, {"p2", "petr"}, {"p3", "petr"}} {
		_, err := s.ApplyStep(ctx, openStep(o.process, 1, definitions.Assignee{Kind: definitions.AssignUser, User: o.user}))
		require.NoError(t, err)
	}
	_, err = s.MarkOverdue(ctx, "p2.1")
	require.NoError(t, err)
	_, err = s.ApplyStep(ctx, store.Step{ProcessID: "p3", Close: &store.CloseItem{ItemID: "p3.1", By: "petr"}, End: "lost"})
	require.NoError(t, err)
	return s, ctx
}

func TestAProcessWithABusinessKeyIsCreatedOncePerConveyor(t *testing.T) {
	s, ctx := procStore(t)
	first, created, err := s.CreateProcess(ctx, store.Process{ID: "k1", Definition: "sales", Version: 1, BusinessKey: "order-42",
		StartedBy: "ivan", Vars: []byte(`{"source":"website"}`)})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "order-42", first.BusinessKey)
	require.Equal(t, store.ProcessRunning, first.State)
	require.JSONEq(t, `{"source":"website"}`, string(first.Vars))

	again, created, err := s.CreateProcess(ctx, store.Process{ID: "k2", Definition: "sales", Version: 1, BusinessKey: "order-42", StartedBy: "petr"})
	require.NoError(t, err)
	require.False(t, created, "the key is taken: nothing new")
	require.Equal(t, first, again, "the existing process comes back, to (re)start its workflow")
	_, err = s.Process(ctx, "k2")
	require.ErrorIs(t, err, refusal.ErrNotFound)

	other, created, err := s.CreateProcess(ctx, store.Process{ID: "k3", Definition: "leads", Version: 1, BusinessKey: "order-42", StartedBy: "ivan"})
	require.NoError(t, err)
	require.True(t, created, "a key is unique within one conveyor only")
	require.Equal(t, "k3", other.ID)

	for _, id := range []string{"n1", "n2"} {
		p, created, err := s.CreateProcess(ctx, store.Process{ID: id, Definition: "sales", Version: 1, StartedBy: "ivan"})
		require.NoError(t, err)
		require.True(t, created, "processes without a key never collide")
		require.JSONEq(t, `{}`, string(p.Vars), "no variables are an empty object")
	}
}

func TestProcessesThatCannotBeCreatedSayWhy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		process store.Process
		want    error
	}{
		{"a second process with the same id is a conflict", store.Process{ID: "p1", Definition: "sales", Version: 1, StartedBy: "ivan"}, refusal.ErrConflict},
		{"an unpublished version is invalid", store.Process{ID: "new", Definition: "sales", Version: 9, StartedBy: "ivan"}, refusal.ErrInvalid},
		{"an unknown conveyor is invalid", store.Process{ID: "new", Definition: "nope", Version: 1, StartedBy: "ivan"}, refusal.ErrInvalid},
		{"an unknown starter is invalid", store.Process{ID: "new", Definition: "sales", Version: 1, StartedBy: "ghost"}, refusal.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ctx := procStore(t)
			_, _, err := s.CreateProcess(ctx, tc.process)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestAProcessIsSeenByWhoStartedOrWorkedItTheOnesAboveAndWhoSeesItsClient(t *testing.T) {
	s, ctx := procStore(t)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		sees   []string // newest first, as listed
	}{
		{"an admin sees every process", adminV, []string{"p4", "p3", "p2", "p1"}},
		{"a manager sees what they started, worked and whose client they see", ivanV, []string{"p1"}},
		{"working one item of a process is enough, as is owning its client", petrV, []string{"p4", "p3", "p2"}},
		{"a supervisor sees the processes of everyone below", olgaV, []string{"p4", "p3", "p2", "p1"}},
		{"grants show the processes of the clients they show", annaV, []string{"p4", "p1"}},
		{"someone unrelated sees none", store.Viewer{Login: "dora"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := allPages(t, func(after string) ([]store.Process, string, error) {
				return s.Processes(ctx, tc.viewer, store.ProcessFilter{Page: store.Page{After: after, Limit: 1}})
			}, func(p store.Process) string { return p.ID })
			require.Equal(t, tc.sees, got, "the list")
			for _, id := range []string{"p1", "p2", "p3", "p4"} {
				ok, err := s.CanSeeProcess(ctx, tc.viewer, id)
				require.NoError(t, err)
				require.Equal(t, slices.Contains(tc.sees, id), ok, "CanSeeProcess %s agrees with the list", id)
			}
			_, err := s.CanSeeProcess(ctx, tc.viewer, "nope")
			require.ErrorIs(t, err, refusal.ErrNotFound, "an unknown process")
		})
	}
}

func TestProcessListsFilterByConveyorStateAssigneeDeadlineAndClient(t *testing.T) {
	s, ctx := procStore(t)
	yes, no := true, false
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		filter store.ProcessFilter
		want   []string
	}{
		{"by conveyor", adminV, store.ProcessFilter{Definition: "leads"}, []string{"p3"}},
		{"by state", adminV, store.ProcessFilter{State: store.ProcessRunning}, []string{"p4", "p2", "p1"}},
		{"by a state none is in", adminV, store.ProcessFilter{State: store.ProcessFailed}, nil},
		{"by current assignee", adminV, store.ProcessFilter{Assignee: "ivan"}, []string{"p1"}},
		{"overdue", adminV, store.ProcessFilter{Overdue: &yes}, []string{"p2"}},
		{"not overdue", adminV, store.ProcessFilter{Overdue: &no}, []string{"p4", "p3", "p1"}},
		{"by client", adminV, store.ProcessFilter{Client: "acme"}, []string{"p1"}},
		{"filters combine", adminV, store.ProcessFilter{Definition: "sales", State: store.ProcessRunning, Overdue: &no}, []string{"p4", "p1"}},
		{"filters never widen what one sees", ivanV, store.ProcessFilter{Client: "birch"}, nil},
		{"filters and sorts page together", olgaV, store.ProcessFilter{Definition: "sales", Sort: "startedAt"}, []string{"p1", "p2", "p4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 1
			got := allPages(t, func(after string) ([]store.Process, string, error) {
				f.After = after
				return s.Processes(ctx, tc.viewer, f)
			}, func(p store.Process) string { return p.ID })
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAProcessCarriesItsCurrentStageAndDeadline(t *testing.T) {
	s, ctx := procStore(t)
	p, err := s.Process(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, store.ProcessRunning, p.State)
	require.Equal(t, "cold_call", p.Stage)
	require.Equal(t, "ivan", p.Assignee)
	require.Equal(t, "acme", p.Client)
	require.NotNil(t, p.Due)
	require.Equal(t, time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), *p.Due)
	require.Nil(t, p.CompletedAt)

	done, err := s.Process(ctx, "p3")
	require.NoError(t, err)
	require.Equal(t, store.ProcessCompleted, done.State)
	require.Equal(t, "lost", done.End)
	require.NotNil(t, done.CompletedAt)
}
