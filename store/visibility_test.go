package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The list queries and can_see_client answer the same for every demo user
// and every demo client: the function is generated from the lists' rule.
func TestTheVisibilityFunctionAndTheListsAgree(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	require.NoError(t, devenv.SeedOrganisation(ctx, s))
	clients, _, err := s.Clients(ctx, store.Viewer{Admin: true}, store.ClientFilter{Page: store.Page{Limit: 200}})
	require.NoError(t, err)
	require.NotEmpty(t, clients)
	seen := 0
	for _, u := range devenv.DemoUsers {
		for _, c := range clients {
			_, err := s.Client(ctx, store.Viewer{Login: u.Login}, c.ID)
			inList := err == nil
			if err != nil {
				require.True(t, errors.Is(err, refusal.ErrNotFound), "%v", err)
			}
			var byFunction bool
			require.NoError(t, s.Pool().QueryRow(ctx, `SELECT can_see_client($1, $2)`, u.Login, c.ID).Scan(&byFunction))
			require.Equal(t, inList, byFunction, "%s and client %s", u.Login, c.ID)
			if inList {
				seen++
			}
		}
	}
	require.Positive(t, seen, "some users see some clients")
	require.Less(t, seen, len(devenv.DemoUsers)*len(clients), "and not everyone sees everything")
}
