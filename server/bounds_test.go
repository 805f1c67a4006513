package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// counts are the rows of the tables a refused request must leave alone.
func counts(t *testing.T, e *testenv.Env) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"audit", "users", "clients", "client_segments", "tokens"} {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n))
		out[table] = n
	}
	return out
}

// requireRefused checks a 422 that names path, and says its message.
func requireRefused(t *testing.T, status int, body []byte, path string) string {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, status, string(body))
	return errorAt(t, body, path)
}

// errorAt is the message of a problem's error at path.
func errorAt(t *testing.T, body []byte, path string) string {
	t.Helper()
	var p problem
	require.NoError(t, json.Unmarshal(body, &p))
	for _, f := range p.Errors {
		if f.Path == path {
			return f.Message
		}
	}
	t.Fatalf("no error at %s in %s", path, body)
	return ""
}

// Inputs the database would refuse with an internal error (a NUL byte, a
// name too long for its index) or store unbounded are refused with 422 at
// their field, before anything is written, the audit log included.
func TestInputsOutOfBoundsAreRefusedAtTheirFieldBeforeAnythingIsWritten(t *testing.T) {
	e := testenv.New(t)
	admin, olga, ivan := e.Login(t, "admin"), e.Login(t, "olga"), e.Login(t, "ivan")
	var acme struct{ ID string }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/clients", olga, map[string]any{"name": "Acme"}, &acme))
	before := counts(t, e)
	long := func(n int) string { return strings.Repeat("я", n) }
	for _, tc := range []struct {
		name, method, path, token string
		body                      map[string]any
		field, message            string
	}{
		{"a NUL in a login", "POST", "/api/v1/auth/token", "", map[string]any{"login": "iv\x00an", "password": "demo"},
			"/login", "must not contain control characters or invalid UTF-8"},
		{"a 20,000-character login", "POST", "/api/v1/auth/token", "", map[string]any{"login": long(20_000), "password": "demo"},
			"/login", "must be at most 63 characters"},
		{"a 20,000-character password", "POST", "/api/v1/auth/token", "", map[string]any{"login": "ivan", "password": long(20_000)},
			"/password", "must be at most 1024 characters"},
		{"a new user's NUL login", "POST", "/api/v1/users", admin, map[string]any{"login": "a\x00b", "password": "long enough password"},
			"/login", "must not contain control characters or invalid UTF-8"},
		{"a new user's 9,000-character name", "POST", "/api/v1/users", admin,
			map[string]any{"login": "petr", "name": long(9000), "password": "long enough password"}, "/name", "must be at most 200 characters"},
		{"a new user's huge password", "POST", "/api/v1/users", admin,
			map[string]any{"login": "petr", "password": long(20_000)}, "/password", "must be at most 1024 characters"},
		{"a team with a NUL", "PATCH", "/api/v1/users/ivan", admin, map[string]any{"teams": []string{"a\x00"}},
			"/teams/0", "must not contain control characters or invalid UTF-8"},
		{"a name with a NUL", "PATCH", "/api/v1/users/ivan", ivan, map[string]any{"name": "Ivan\x00"},
			"/name", "must not contain control characters or invalid UTF-8"},
		{"a 9,000-character client name", "POST", "/api/v1/clients", olga, map[string]any{"name": long(9000)},
			"/name", "must be at most 500 characters"},
		{"a client name with a NUL", "POST", "/api/v1/clients", olga, map[string]any{"name": "Acme\x00"},
			"/name", "must not contain control characters or invalid UTF-8"},
		{"a client without a name", "POST", "/api/v1/clients", olga, map[string]any{"inn": "7707083893"}, "/name", "required"},
		{"a segment with a NUL", "POST", "/api/v1/clients", olga, map[string]any{"name": "Acme", "segments": []string{"msk", "\x00"}},
			"/segments/1", "must not contain control characters or invalid UTF-8"},
		{"a renamed client's 9,000 characters", "PATCH", "/api/v1/clients/" + acme.ID, olga, map[string]any{"name": long(9000)},
			"/name", "must be at most 500 characters"},
		{"a new owner with a NUL", "PATCH", "/api/v1/clients/" + acme.ID, olga, map[string]any{"owner": "iv\x00an"},
			"/owner", "must not contain control characters or invalid UTF-8"},
		{"a contact's name with a NUL", "POST", "/api/v1/clients/" + acme.ID + "/contacts", olga, map[string]any{"name": "Pa\x00vel"},
			"/name", "must not contain control characters or invalid UTF-8"},
		{"an address with a NUL", "POST", "/api/v1/clients/" + acme.ID + "/addresses", olga, map[string]any{"kind": "legal", "text": "Moscow\x00"},
			"/text", "must not contain control characters or invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.Raw(t, tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.message, requireRefused(t, status, body, tc.field))
		})
	}
	require.Equal(t, before, counts(t, e), "nothing written, not even to the audit log")

	for _, path := range []string{"/api/v1/clients?q=%00", "/api/v1/users/iv%00an", "/api/v1/clients/%FF", "/api/v1/processes?after=%01"} {
		status, body := e.Raw(t, "GET", path, olga, nil)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", path, body)
	}
}
