package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/testenv"
)

// signIn posts a login and returns the status, the Retry-After header and
// the body.
func signIn(t *testing.T, e *testenv.Env, login, password string) (int, string, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"login": login, "password": password})
	require.NoError(t, err)
	resp, err := http.Post(e.URL+"/api/v1/auth/token", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out bytes.Buffer
	_, err = out.ReadFrom(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), out.Bytes()
}

func requireTooMany(t *testing.T, status int, retry string, body []byte, maxSeconds int) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, status, string(body))
	s, err := strconv.Atoi(retry)
	require.NoError(t, err, "Retry-After %q", retry)
	require.True(t, s >= 1 && s <= maxSeconds, "Retry-After %d", s)
	var p problem
	require.NoError(t, json.Unmarshal(body, &p))
	require.Equal(t, http.StatusTooManyRequests, p.Status)
}

// Lock-outs per login and address, and their growing waits, are tested on a
// fake clock in signin_test.go.

func TestASuccessfulLoginClearsItsFailuresAndAnAddressGetsTwentyFailuresAMinute(t *testing.T) {
	e := testenv.New(t)
	for range 4 {
		status, _, _ := signIn(t, e, "ivan", "wrong")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, _, _ := signIn(t, e, "ivan", "demo")
	require.Equal(t, http.StatusOK, status)
	for range 5 {
		status, _, _ := signIn(t, e, "ivan", "wrong")
		require.Equal(t, http.StatusUnauthorized, status, "five failures again before the limit")
	}

	// A team behind one address signs in as often as it likes: successes
	// are not counted against the address.
	for i := range 25 {
		status, _, body := signIn(t, e, "olga", "demo")
		require.Equal(t, http.StatusOK, status, "good sign-in %d: %s", i+1, body)
	}

	// 9 failures so far from this address; after 20 the next attempt is
	// refused whoever it is for, even with the right password.
	for i := range 11 {
		status, _, _ := signIn(t, e, "spray"+strconv.Itoa(i), "wrong")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, retry, body := signIn(t, e, "olga", "demo")
	requireTooMany(t, status, retry, body, 60)
}

func TestARevokedTokenIsRefused(t *testing.T) {
	e := testenv.New(t)
	olga := e.Login(t, "olga")
	other := e.Login(t, "olga")
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", olga, nil, nil))

	status, body := e.Raw(t, "DELETE", "/api/v1/auth/token", olga, nil)
	require.Equal(t, http.StatusNoContent, status, string(body))
	require.Empty(t, body)

	status, _ = e.Raw(t, "GET", "/api/v1/processes", olga, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = e.Raw(t, "DELETE", "/api/v1/auth/token", olga, nil)
	require.Equal(t, http.StatusUnauthorized, status, "a revoked token cannot sign out again")
	status, _ = e.Raw(t, "GET", "/api/v1/processes", other, nil)
	require.Equal(t, http.StatusOK, status, "only the token used is revoked")
	status, _ = e.Raw(t, "DELETE", "/api/v1/auth/token", "", nil)
	require.Equal(t, http.StatusUnauthorized, status)
}

func TestAnExpiredTokenIsRefused(t *testing.T) {
	e := testenv.New(t)
	token, hash, err := auth.NewToken()
	require.NoError(t, err)
	require.NoError(t, e.Store.CreateToken(t.Context(), hash, "olga", time.Now().Add(-time.Minute)))
	status, _ := e.Raw(t, "GET", "/api/v1/processes", token, nil)
	require.Equal(t, http.StatusUnauthorized, status)

	fresh, hash, err := auth.NewToken()
	require.NoError(t, err)
	require.NoError(t, e.Store.CreateToken(t.Context(), hash, "olga", time.Now().Add(time.Minute)))
	status, _ = e.Raw(t, "GET", "/api/v1/processes", fresh, nil)
	require.Equal(t, http.StatusOK, status, "the same made by hand but not expired is accepted")
}

// An admin sees through the API how long a login is locked out, and unlocks
// it.
func TestAnAdminUnlocksASignInThroughTheAPI(t *testing.T) {
	e := testenv.New(t)
	for range 6 {
		signIn(t, e, "ivan", "wrong")
	}
	status, retry, body := signIn(t, e, "ivan", "demo")
	requireTooMany(t, status, retry, body, 2)
	admin := e.Login(t, "admin")
	var lock struct{ WaitSeconds int }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/users/ivan/sign-in-lock", admin, nil, &lock))
	require.Positive(t, lock.WaitSeconds)
	status, _ = e.Raw(t, "DELETE", "/api/v1/users/ivan/sign-in-lock", e.Login(t, "olga"), nil)
	require.Equal(t, http.StatusForbidden, status, "only admins")
	status, _ = e.Raw(t, "DELETE", "/api/v1/users/ivan/sign-in-lock", admin, nil)
	require.Equal(t, http.StatusNoContent, status)
	status, _, body = signIn(t, e, "ivan", "demo")
	require.Equal(t, http.StatusOK, status, string(body))
}
