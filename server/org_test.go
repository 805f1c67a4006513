package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

func TestAnAbsentManagersNewWorkGoesToTheDeputy(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan := e.Login(t, "olga"), e.Login(t, "ivan")

	now := time.Now().UTC()
	absence := map[string]any{"deputy": "maria", "from": now.Add(-time.Hour), "until": now.Add(24 * time.Hour)}
	status, _ := e.Raw(t, "PUT", "/api/v1/users/ivan/absence", e.Login(t, "maria"), absence)
	require.Equal(t, http.StatusForbidden, status, "a peer does not manage ivan's absence")
	var u store.User
	require.Equal(t, http.StatusOK, e.Do(t, "PUT", "/api/v1/users/ivan/absence", olga, absence, &u))
	require.Equal(t, "maria", u.Deputy)

	p := start(t, e, olga, map[string]any{"definition": "sales"})
	w := openItem(t, e, olga, p.ID)
	require.Equal(t, "maria", w.Assignee, "the cold caller is away: his deputy takes it")
	require.Equal(t, "ivan", w.DelegatedFrom)

	var entries struct{ Items []store.AuditEntry }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/audit?entity=work_items&entityId="+w.ID, e.Login(t, "admin"), nil, &entries))
	require.Len(t, entries.Items, 1, "the delegation is recorded with the item")
	require.Contains(t, string(entries.Items[0].After), `"delegated_from":"ivan"`)

	var back store.User
	require.Equal(t, http.StatusOK, e.Do(t, "DELETE", "/api/v1/users/ivan/absence", ivan, nil, &back))
	require.Empty(t, back.Deputy)
	p2 := start(t, e, olga, map[string]any{"definition": "sales"})
	require.Equal(t, "ivan", openItem(t, e, olga, p2.ID).Assignee)
}

func TestAPortfolioMovesWholeAndAtOnce(t *testing.T) {
	e := testenv.Seeded(t)
	admin, maria := e.Login(t, "admin"), e.Login(t, "maria")
	assignee := func(w store.WorkItem) string { return w.Assignee }
	require.Eventually(t, func() bool {
		return len(listIDs(t, e, admin, "/api/v1/work-items?assignee=ivan&state=open", assignee)) == 3
	}, 20*time.Second, 20*time.Millisecond)

	status, _ := e.Raw(t, "POST", "/api/v1/users/ivan/transfer", maria, map[string]any{"to": "maria"})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = e.Raw(t, "POST", "/api/v1/users/ivan/transfer", admin, map[string]any{"to": "nobody"})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Len(t, listIDs(t, e, admin, "/api/v1/work-items?assignee=ivan&state=open", assignee), 3, "a refused transfer moves nothing")

	var moved store.Transfer
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/users/ivan/transfer", e.Login(t, "olga"), map[string]any{"to": "maria"}, &moved))
	require.Equal(t, store.Transfer{Clients: 1, WorkItems: 3}, moved)
	require.Empty(t, listIDs(t, e, admin, "/api/v1/work-items?assignee=ivan&state=open", assignee))
	items := listIDs(t, e, maria, "/api/v1/work-items?assignee=me&state=open", func(w store.WorkItem) string { return w.ID })
	require.Len(t, items, 3)
	var romashka store.Client
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/clients/demo-romashka", admin, nil, &romashka))
	require.Equal(t, "maria", romashka.Owner)

	// The workflow follows: maria works the moved call, and `same` gives the
	// call-back to her, not to ivan.
	c := complete(t, e, maria, items[0], map[string]any{"data": map[string]any{"result": "call_back", "callBackAt": "2026-12-02T10:00:00Z"}})
	require.Equal(t, "maria", c.Next[0].Assignee)
}

func TestSignInsAreAudited(t *testing.T) {
	e := testenv.New(t)
	status, _ := e.Raw(t, "POST", "/api/v1/auth/token", "", map[string]string{"login": "ivan", "password": "wrong"})
	require.Equal(t, http.StatusUnauthorized, status)
	e.Login(t, "ivan")
	var entries struct{ Items []store.AuditEntry }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/audit?entity=session&actor=ivan", e.Login(t, "admin"), nil, &entries))
	require.Len(t, entries.Items, 2)
	require.Equal(t, "login", entries.Items[0].Action)
	require.Equal(t, "login_failed", entries.Items[1].Action)
}
