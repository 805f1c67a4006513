package devenv_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/store"
)

// Every demo client has whom to call, with a phone and an e-mail; a seed
// run again, after it was interrupted half-way, adds only what is missing.
func TestTheDemoClientsHaveContactsSeededOnce(t *testing.T) {
	st := store.New(pgtest.NewMigratedDB(t))
	ctx := store.WithActor(context.Background(), "system:seed")
	require.NoError(t, devenv.SeedOrganisation(ctx, st))
	admin := store.Viewer{Login: "admin", Admin: true}
	clients, _, err := st.Clients(ctx, admin, store.ClientFilter{Page: store.Page{Limit: 100}})
	require.NoError(t, err)
	require.NotEmpty(t, clients)
	count := map[string]int{}
	for _, c := range clients {
		contacts, err := st.Contacts(ctx, admin, c.ID)
		require.NoError(t, err)
		require.NotEmpty(t, contacts, "%s has no contacts", c.Name)
		for _, ct := range contacts {
			require.NotEmpty(t, ct.Phone, ct.Name)
			require.NotEmpty(t, ct.Email, ct.Name)
		}
		count[c.ID] = len(contacts)
	}

	romashka, err := st.Contacts(ctx, admin, "demo-romashka")
	require.NoError(t, err)
	require.NoError(t, st.DeleteContact(ctx, admin, "demo-romashka", romashka[0].ID))
	require.NoError(t, devenv.SeedOrganisation(ctx, st), "seeding again")
	for id, n := range count {
		contacts, err := st.Contacts(ctx, admin, id)
		require.NoError(t, err)
		require.Len(t, contacts, n, "%s: the seed again adds what is missing, and only that", id)
	}
}
