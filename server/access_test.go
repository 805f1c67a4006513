package server_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

func listIDs[T any](t *testing.T, e *testenv.Env, token, path string, id func(T) string) []string {
	t.Helper()
	var l struct{ Items []T }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", path, token, nil, &l), path)
	ids := []string{}
	for _, x := range l.Items {
		ids = append(ids, id(x))
	}
	slices.Sort(ids)
	return ids
}

// The demo of `conveyor dev`: ivan sees only the clients of his segments,
// olga her subordinates' work, admin everything.
func TestTheDemoShowsEachUserTheirShare(t *testing.T) {
	e := testenv.Seeded(t)
	ivan, olga, admin := e.Login(t, "ivan"), e.Login(t, "olga"), e.Login(t, "admin")
	clientID := func(c store.Client) string { return c.ID }
	require.Equal(t, []string{"demo-romashka", "demo-tverskaya", "demo-vector"}, listIDs(t, e, ivan, "/api/v1/clients", clientID))
	require.Len(t, listIDs(t, e, admin, "/api/v1/clients", clientID), 6)

	assignee := func(w store.WorkItem) string { return w.Assignee }
	require.Eventually(t, func() bool {
		return len(listIDs(t, e, olga, "/api/v1/work-items?assignee=ivan", assignee)) == 3
	}, 20*time.Second, 20*time.Millisecond, "olga sees ivan's three demo cold calls")
	require.Empty(t, listIDs(t, e, e.Login(t, "anna"), "/api/v1/work-items", assignee))
}

// Who sees which demo client, by the rule: an admin all; an owner and
// everyone above the owner; a user whose grants meet both the client's
// segments and its product groups.
var demoVisibility = map[string][]string{
	"admin":  {"demo-bakery", "demo-neva", "demo-romashka", "demo-tverskaya", "demo-ural", "demo-vector"},
	"olga":   {"demo-bakery", "demo-neva", "demo-romashka", "demo-tverskaya", "demo-vector"}, // owners below her
	"ivan":   {"demo-romashka", "demo-tverskaya", "demo-vector"},                             // own, and Moscow x software
	"maria":  {"demo-bakery", "demo-neva", "demo-romashka", "demo-tverskaya", "demo-vector"}, // Russia x software, services
	"sergey": {"demo-bakery", "demo-neva", "demo-romashka", "demo-tverskaya", "demo-vector"}, // the same grants
	"anna":   {},                                                                             // an analyst: no clients
}

// The access matrix: every client endpoint, as each demo user, against
// their own, a subordinate's, a granted and a foreign client; and no list
// shows anything foreign.
func TestTheAccessMatrix(t *testing.T) {
	e := testenv.Seeded(t)
	tokens := map[string]string{}
	for login := range demoVisibility {
		tokens[login] = e.Login(t, login)
	}
	var all struct{ Items []store.Process }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", tokens["admin"], nil, &all))
	processOf, clientOf := map[string]string{}, map[string]string{}
	for _, p := range all.Items {
		processOf[p.Client], clientOf[p.ID] = p.ID, p.Client
		openItem(t, e, tokens["admin"], p.ID) // the first work items exist
	}
	require.Len(t, processOf, 3)

	for _, login := range slices.Sorted(maps.Keys(demoVisibility)) {
		sees, token := demoVisibility[login], tokens[login]
		t.Run(login, func(t *testing.T) {
			require.Equal(t, sees, listIDs(t, e, token, "/api/v1/clients?limit=200", func(c store.Client) string { return c.ID }),
				"the client list shows exactly what the rule allows")
			for _, client := range demoVisibility["admin"] {
				status := http.StatusNotFound
				if slices.Contains(sees, client) {
					status = http.StatusOK
				}
				for _, path := range []string{"/api/v1/clients/" + client, "/api/v1/clients/" + client + "/processes",
					"/api/v1/clients/" + client + "/work-items", "/api/v1/clients/" + client + "/audit"} {
					got, _ := e.Raw(t, "GET", path, token, nil)
					require.Equal(t, status, got, "%s GET %s", login, path)
				}
				got, _ := e.Raw(t, "PATCH", "/api/v1/clients/"+client, token, map[string]any{})
				require.Equal(t, status, got, "%s PATCH %s", login, client)
				if pid, ok := processOf[client]; ok {
					got, _ := e.Raw(t, "GET", "/api/v1/processes/"+pid, token, nil)
					require.Equal(t, status, got, "%s GET the process of %s", login, client)
					got, _ = e.Raw(t, "GET", "/api/v1/work-items/"+pid+".1", token, nil)
					require.Equal(t, status, got, "%s GET the work item of %s", login, client)
				}
			}
			for _, client := range listIDs(t, e, token, "/api/v1/processes?limit=200", func(p store.Process) string { return p.Client }) {
				require.Contains(t, sees, client, "a process of a foreign client leaked")
			}
			for _, pid := range listIDs(t, e, token, "/api/v1/work-items?limit=200", func(w store.WorkItem) string { return w.ProcessID }) {
				require.Contains(t, sees, clientOf[pid], "a work item of a foreign client leaked")
			}
		})
	}

	t.Run("seeing a work item through its client is not acting on it", func(t *testing.T) {
		status, _ := e.Raw(t, "POST", "/api/v1/work-items/"+processOf["demo-vector"]+".1/complete", tokens["maria"],
			map[string]any{"data": map[string]any{"result": "refused"}})
		require.Equal(t, http.StatusForbidden, status)
	})
	t.Run("a process cannot be started for a client one may not see", func(t *testing.T) {
		status, _ := e.Raw(t, "POST", "/api/v1/processes", tokens["ivan"], map[string]any{"definition": "sales", "client": "demo-neva"})
		require.Equal(t, http.StatusNotFound, status)
	})
	t.Run("the audit log is for admins, and empty patches write nothing", func(t *testing.T) {
		status, _ := e.Raw(t, "GET", "/api/v1/audit", tokens["olga"], nil)
		require.Equal(t, http.StatusForbidden, status)
		var entries struct{ Items []store.AuditEntry }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/audit?entity=clients&limit=200", tokens["admin"], nil, &entries))
		require.Equal(t, len(demoVisibility["admin"]), len(entries.Items))
		for _, en := range entries.Items {
			require.Equal(t, "insert", en.Action)
			require.Equal(t, "system:seed", en.Actor)
		}
	})
}

// Seeding again (every start of `conveyor dev`) adds nothing, and a seed
// interrupted half-way is completed.
func TestSeedingIsDoneOnceAndCompletedAfterACrash(t *testing.T) {
	e := testenv.Seeded(t)
	ctx := store.WithActor(t.Context(), "test")
	admin := e.Login(t, "admin")
	clients := listIDs(t, e, admin, "/api/v1/clients", func(c store.Client) string { return c.ID })
	require.NoError(t, devenv.Seed(ctx, e.Services))
	require.Equal(t, clients, listIDs(t, e, admin, "/api/v1/clients", func(c store.Client) string { return c.ID }))
	var procs struct{ Items []store.Process }
	e.Do(t, "GET", "/api/v1/processes", admin, nil, &procs)
	require.Len(t, procs.Items, 3)

	// As if the first seed had stopped before its last client: the next one
	// finishes the organisation.
	_, err := e.Store.Pool().Exec(ctx, `DELETE FROM settings`)
	require.NoError(t, err)
	tx, err := e.Store.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT set_config('conveyor.actor', 'test', true)`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `DELETE FROM clients WHERE id = 'demo-ural'`)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, devenv.Seed(ctx, e.Services))
	require.Equal(t, clients, listIDs(t, e, admin, "/api/v1/clients", func(c store.Client) string { return c.ID }))
}
