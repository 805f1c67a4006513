package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// requireForbiddenAt checks a 403 that names path.
func requireForbiddenAt(t *testing.T, status int, body []byte, path string) {
	t.Helper()
	require.Equal(t, http.StatusForbidden, status, string(body))
	var p problem
	require.NoError(t, json.Unmarshal(body, &p))
	require.NotEmpty(t, p.Errors, string(body))
	require.Equal(t, path, p.Errors[0].Path)
}

func demoProcessOf(t *testing.T, e *testenv.Env, admin, client string) string {
	t.Helper()
	var all struct{ Items []store.Process }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes?limit=200", admin, nil, &all))
	for _, p := range all.Items {
		if p.Client == client {
			return p.ID
		}
	}
	t.Fatalf("no demo process of %s", client)
	return ""
}

// Work is handed over to the one reassigning or someone below them (an
// admin: anyone), and only to someone who may see the process's client.
func TestAReassignmentStaysInTheActorsSubtreeAndTheClientsAudience(t *testing.T) {
	e := testenv.Seeded(t)
	addUser(t, e, "petr") // below olga, but no grant: Romashka is not his to see
	admin, olga := e.Login(t, "admin"), e.Login(t, "olga")
	cold := openItem(t, e, admin, demoProcessOf(t, e, admin, "demo-romashka"))
	require.Equal(t, "ivan", cold.Assignee)
	reassign := func(token, to string) (int, []byte) {
		return e.Raw(t, "POST", "/api/v1/work-items/"+cold.ID+"/reassign", token, map[string]any{"assignee": to})
	}

	for _, tc := range []struct{ name, token, to string }{
		{"olga to anna, who is not below her", olga, "anna"},
		{"olga to admin, above her", olga, "admin"},
		{"olga to petr, below her but blind to the client", olga, "petr"},
		{"olga to nobody", olga, "nobody"},
		{"an admin to anna, who may not see the client", admin, "anna"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := reassign(tc.token, tc.to)
			requireRefused(t, status, body, "/assignee")
			w, err := e.Store.WorkItem(t.Context(), cold.ID)
			require.NoError(t, err)
			require.Equal(t, "ivan", w.Assignee, "nothing changed")
		})
	}
	for _, tc := range []struct{ name, token, to string }{
		{"olga to maria, below her, who sees the client", olga, "maria"},
		{"olga to herself", olga, "olga"},
		{"an admin to sergey", admin, "sergey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var moved item
			require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/reassign", tc.token,
				map[string]any{"assignee": tc.to}, &moved))
			require.Equal(t, tc.to, moved.Assignee)
		})
	}
}

// A client's owner is the one who sets it or someone below them (admins:
// anyone); who sees a client (its owner, segments and product groups) is
// decided by its owner, those above the owner and admins, while anyone who
// sees it may correct its name.
func TestWhoSeesAClientIsDecidedWithinTheOwnersChain(t *testing.T) {
	e := testenv.Seeded(t)
	admin, olga, ivan, maria, sergey := e.Login(t, "admin"), e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey")
	client := func(id string) store.Client {
		t.Helper()
		cl, err := e.Store.Client(t.Context(), store.Viewer{Admin: true}, id)
		require.NoError(t, err)
		return cl
	}
	clients := func() int {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM clients`).Scan(&n))
		return n
	}

	t.Run("owners are set within the actor's subtree", func(t *testing.T) {
		n := clients()
		status, body := e.Raw(t, "POST", "/api/v1/clients", olga, map[string]any{"name": "Anna's", "owner": "anna"})
		requireForbiddenAt(t, status, body, "/owner")
		require.Equal(t, n, clients(), "no client created")
		status, body = e.Raw(t, "PATCH", "/api/v1/clients/demo-bakery", olga, map[string]any{"owner": "admin"})
		requireForbiddenAt(t, status, body, "/owner")
		require.Equal(t, "olga", client("demo-bakery").Owner)
		status, body = e.Raw(t, "PATCH", "/api/v1/clients/demo-romashka", ivan, map[string]any{"owner": "maria"})
		requireForbiddenAt(t, status, body, "/owner")
		require.Equal(t, "ivan", client("demo-romashka").Owner)

		var created store.Client
		require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/clients", olga, map[string]any{"name": "Ivan's", "owner": "ivan"}, &created))
		require.Equal(t, "ivan", created.Owner)
		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/clients/demo-romashka", olga, map[string]any{"owner": "maria"}, nil))
		require.Equal(t, "maria", client("demo-romashka").Owner)
		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/clients/demo-ural", admin, map[string]any{"owner": "anna"}, nil))
		require.Equal(t, "anna", client("demo-ural").Owner)
	})

	t.Run("a grant shows a client but does not decide who else sees it", func(t *testing.T) {
		// maria sees Neva Trade, sergey's, through her grants.
		neva := client("demo-neva")
		status, body := e.Raw(t, "PATCH", "/api/v1/clients/demo-neva", maria, map[string]any{"productGroups": []string{"consulting", "crm"}})
		requireForbiddenAt(t, status, body, "/productGroups")
		status, body = e.Raw(t, "PATCH", "/api/v1/clients/demo-neva", maria, map[string]any{"segments": []string{"spb", "retail", "msk"}})
		requireForbiddenAt(t, status, body, "/segments")
		status, body = e.Raw(t, "PATCH", "/api/v1/clients/demo-neva", maria, map[string]any{"owner": "maria"})
		requireForbiddenAt(t, status, body, "/owner")
		require.Equal(t, neva, client("demo-neva"), "nothing changed")

		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/clients/demo-neva", maria,
			map[string]any{"name": "Neva Trade LLC", "segments": []string{"retail", "spb"}}, nil), "a name, and the segments as they are")
		require.Equal(t, "Neva Trade LLC", client("demo-neva").Name)

		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/clients/demo-neva", sergey, map[string]any{"productGroups": []string{"consulting", "crm"}}, nil))
		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/clients/demo-neva", olga, map[string]any{"segments": []string{"spb"}}, nil))
		got := client("demo-neva")
		require.Equal(t, []string{"consulting", "crm"}, got.ProductGroups)
		require.Equal(t, []string{"spb"}, got.Segments)
	})
}
