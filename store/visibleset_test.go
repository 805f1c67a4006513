package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

// The visible sets the views gather are the visibility rule: for every
// viewer and list they hold exactly the rows the rule lets through.
func TestTheVisibleSetsAreTheVisibilityRule(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	for _, p := range []store.Process{
		{ID: "p-acme", Definition: "sales", Version: 1, StartedBy: "olga", Client: "acme"},
		{ID: "p-birch", Definition: "sales", Version: 1, StartedBy: "petr", Client: "birch"},
		{ID: "p-kaz", Definition: "sales", Version: 1, StartedBy: "olga", Client: "kazsteel"},
		{ID: "p-none", Definition: "sales", Version: 1, StartedBy: "anna"},
	} {
		_, _, err := s.CreateProcess(ctx, p)
		require.NoError(t, err)
	}
	for _, step := range []struct{ process, user string }{
		{"p-acme", "petr"}, {"p-birch", "petr"}, {"p-kaz", "ivan"}, {"p-none", "petr"},
	} {
		_, err := s.ApplyStep(ctx, openStep(step.process, 1, definitions.Assignee{Kind: definitions.AssignUser, User: step.user}))
		require.NoError(t, err)
	}
	seen := 0
	for _, login := range []string{"olga", "ivan", "petr", "anna", "dora"} {
		for _, list := range []string{store.ListClients, store.ListProcesses, store.ListWorkItems} {
			byRule, bySet, err := s.SeenBothWays(context.Background(), store.Viewer{Login: login}, list)
			require.NoError(t, err)
			require.Equal(t, byRule, bySet, "%s's %s", login, list)
			seen += len(bySet)
		}
	}
	ivan, _, err := s.SeenBothWays(context.Background(), store.Viewer{Login: "ivan"}, store.ListProcesses)
	require.NoError(t, err)
	require.Equal(t, []string{"p-acme", "p-kaz"}, ivan, "his client's process and the one he works")
	anna, _, err := s.SeenBothWays(context.Background(), store.Viewer{Login: "anna"}, store.ListWorkItems)
	require.NoError(t, err)
	require.Equal(t, []string{"p-acme.1"}, anna, "acme's through her grants; petr's item of the process she started is not hers to see")
	require.Positive(t, seen)
}
