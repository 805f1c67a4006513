package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// Changing one's own password takes the current one and a new one of at
// least 10 characters that is not the login; the change signs the user out
// everywhere but in the request that made it.
func TestChangingYourPasswordTakesTheCurrentOneAndEndsYourOtherSessions(t *testing.T) {
	e := testenv.New(t)
	ivan, other := e.Login(t, "ivan"), e.Login(t, "ivan")
	patch := func(body map[string]any) (int, []byte) { return e.Raw(t, "PATCH", "/api/v1/users/ivan", ivan, body) }

	status, body := patch(map[string]any{"password": ""})
	require.Equal(t, "required", requireRefused(t, status, body, "/password"))
	status, body = patch(map[string]any{"password": "short", "currentPassword": "demo"})
	require.Equal(t, "must be at least 10 characters", requireRefused(t, status, body, "/password"))
	status, body = patch(map[string]any{"password": "a good long one"})
	require.Equal(t, "required", requireRefused(t, status, body, "/currentPassword"))
	status, body = patch(map[string]any{"password": "a good long one", "currentPassword": "wrong"})
	requireForbiddenAt(t, status, body, "/currentPassword")
	status, _, _ = signIn(t, e, "ivan", "demo")
	require.Equal(t, http.StatusOK, status, "nothing changed")
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", other, nil, nil))

	status, body = patch(map[string]any{"password": "a good long one", "currentPassword": "demo"})
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", ivan, nil, nil), "the token that changed it stays")
	status, _ = e.Raw(t, "GET", "/api/v1/processes", other, nil)
	require.Equal(t, http.StatusUnauthorized, status, "every other token is revoked")
	status, _, _ = signIn(t, e, "ivan", "demo")
	require.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = signIn(t, e, "ivan", "a good long one")
	require.Equal(t, http.StatusOK, status)
}

// An admin resets someone else's password without theirs (but not their
// own), with the same rules for the new one; the user is signed out
// everywhere.
func TestAnAdminResetsAPasswordWithoutTheCurrentOne(t *testing.T) {
	e := testenv.New(t)
	admin, ivan := e.Login(t, "admin"), e.Login(t, "ivan")

	status, body := e.Raw(t, "POST", "/api/v1/users", admin, map[string]any{"login": "longlogin01", "password": "LongLogin01"})
	require.Equal(t, "must differ from the login", requireRefused(t, status, body, "/password"))
	status, body = e.Raw(t, "POST", "/api/v1/users", admin, map[string]any{"login": "newbie", "password": "pw"})
	require.Equal(t, "must be at least 10 characters", requireRefused(t, status, body, "/password"))

	status, body = e.Raw(t, "PATCH", "/api/v1/users/ivan", admin, map[string]any{"password": "reset by admin"})
	require.Equal(t, http.StatusOK, status, string(body))
	status, _ = e.Raw(t, "GET", "/api/v1/processes", ivan, nil)
	require.Equal(t, http.StatusUnauthorized, status, "ivan's sessions end")
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", admin, nil, nil), "the admin's own stays")
	status, _, _ = signIn(t, e, "ivan", "reset by admin")
	require.Equal(t, http.StatusOK, status)

	status, body = e.Raw(t, "PATCH", "/api/v1/users/admin", admin, map[string]any{"password": "a new admin password"})
	require.Equal(t, "required", requireRefused(t, status, body, "/currentPassword"), "one's own, even an admin's")
}
