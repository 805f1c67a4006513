package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// A client is not created twice: an INN and KPP that another client has
// are a 409 at /inn naming that client for whoever may see it, and only
// saying it exists to anyone else; a name of spaces is no name; a contact's
// phone and e-mail must be ones.
func TestAClientIsCreatedOnceAndItsContactsReachable(t *testing.T) {
	e := testenv.Seeded(t)
	ivan := e.Login(t, "ivan")
	romashka := map[string]any{"name": "Romashka again", "inn": "7707083893", "kpp": "773601001"}

	status, body := e.Raw(t, "POST", "/api/v1/clients", ivan, romashka)
	require.Equal(t, http.StatusConflict, status, string(body))
	require.Contains(t, errorAt(t, body, "/inn"), "Romashka LLC (demo-romashka)", "its owner is told which")

	hidden := map[string]any{"name": "Hidden Trade", "inn": "7707083893", "kpp": "770201001", "owner": "sergey",
		"segments": []string{"spb"}, "productGroups": []string{"consulting"}}
	status, body = e.Raw(t, "POST", "/api/v1/clients", e.Login(t, "admin"), hidden)
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = e.Raw(t, "POST", "/api/v1/clients", ivan, map[string]any{"name": "Hidden again", "inn": "7707083893", "kpp": "770201001"})
	require.Equal(t, http.StatusConflict, status, string(body))
	require.Contains(t, errorAt(t, body, "/inn"), "among clients you may not see")
	require.NotContains(t, string(body), "Hidden Trade", "one who may not see it learns nothing of it")
	require.NotContains(t, string(body), "clients_inn_kpp", "nor a constraint's name")

	status, body = e.Raw(t, "POST", "/api/v1/clients", ivan, map[string]any{"name": "   "})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, "required", requireRefused(t, status, body, "/name"))

	for _, tc := range []struct{ field, value, path string }{
		{"phone", "call me maybe", "/phone"},
		{"phone", "12", "/phone"},
		{"email", "ivan at example", "/email"},
	} {
		status, body := e.Raw(t, "POST", "/api/v1/clients/demo-romashka/contacts", ivan, map[string]any{"name": "Anna", tc.field: tc.value})
		require.Equal(t, http.StatusUnprocessableEntity, status, "%s %q", tc.field, tc.value)
		require.True(t, strings.HasPrefix(requireRefused(t, status, body, tc.path), "not a"), string(body))
	}
	for _, phone := range []string{"+7 (495) 123-45-67", "8-800-555-35-35 доб. 12", "84951234567"} {
		status, body := e.Raw(t, "POST", "/api/v1/clients/demo-romashka/contacts", ivan, map[string]any{"name": "Anna", "phone": phone})
		require.Equal(t, http.StatusCreated, status, "%s: %s", phone, body)
	}
}
