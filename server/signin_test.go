package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock               { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// loginFreeFailures are the failures services allow a login from an address
// before it waits.
const loginFreeFailures = 5

// signInBench is the API in front of a database with two users, ivan
// (active) and gone (deactivated), both with the password "demo", its sign-in
// limits on a fake clock and its password checks counted.
type signInBench struct {
	h      http.Handler
	st     *store.Store
	clock  *fakeClock
	hashed int // password checks, each an argon2id hash
}

func newSignInBench(t *testing.T, trusted ...string) *signInBench {
	t.Helper()
	pool := pgtest.NewMigratedDB(t)
	st := store.New(pool)
	ctx := store.WithActor(context.Background(), "test")
	hash, err := auth.HashPassword("demo")
	require.NoError(t, err)
	for _, login := range []string{"ivan", "gone"} {
		_, err := st.CreateUser(ctx, store.User{Login: login}, hash)
		require.NoError(t, err)
	}
	no := false
	_, err = st.UpdateUser(ctx, "gone", store.UserPatch{Active: &no})
	require.NoError(t, err)

	b := &signInBench{st: st, clock: newFakeClock()}
	svc := services.New(st, nil)
	svc.TokenTTL = time.Hour
	svc.LimitSignIns(b.clock.now, func(encoded, password string) bool {
		b.hashed++
		return auth.CheckPassword(encoded, password)
	})
	svc.TokenTTL = time.Hour
	s := &Server{Services: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: NewMetrics(svc), TrustedProxies: trusted}
	b.h = s.Handler()
	return b
}

// signIn posts a sign-in from the connection's address from, with
// X-Forwarded-For forwarded if not "". It returns the status and the
// Retry-After header.
func (b *signInBench) signIn(t *testing.T, from, forwarded, login, password string) (int, string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"login": login, "password": password})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/token", bytes.NewReader(body))
	req.RemoteAddr = from + ":40000"
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Retry-After")
}

// An unknown login, and one that may not sign in, cost the same hash as a
// wrong password for a real one: the answer's timing tells nothing.
func TestEverySignInChecksAPasswordHash(t *testing.T) {
	b := newSignInBench(t)
	for _, tc := range []struct{ name, login, password string }{
		{"a wrong password", "ivan", "wrong"},
		{"an unknown login", "nobody", "wrong"},
		{"a deactivated user", "gone", "demo"},
		{"a deactivated user with a wrong password", "gone", "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := b.hashed
			status, _ := b.signIn(t, "192.0.2.1", "", tc.login, tc.password)
			require.Equal(t, http.StatusUnauthorized, status)
			require.Equal(t, 1, b.hashed-before, "one hash, as for a known login")
		})
	}
	before := b.hashed
	status, _ := b.signIn(t, "192.0.2.1", "", "ivan", "demo")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 1, b.hashed-before)
}

// Someone failing from one address cannot lock the owner out at another:
// failures count per login and address.
func TestFailuresFromOneAddressDoNotLockAnother(t *testing.T) {
	b := newSignInBench(t)
	for i := range loginFreeFailures {
		status, _ := b.signIn(t, "198.51.100.9", "", "ivan", "guess"+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, retry := b.signIn(t, "198.51.100.9", "", "ivan", "demo")
	require.Equal(t, http.StatusTooManyRequests, status, "the guesser waits, even with the right password")
	require.Equal(t, "1", retry)

	status, _ = b.signIn(t, "192.0.2.1", "", "ivan", "demo")
	require.Equal(t, http.StatusOK, status, "the owner, elsewhere, signs in")

	// An unknown login is limited the same way, so the limit tells nobody
	// which logins exist.
	for range loginFreeFailures {
		status, _ = b.signIn(t, "198.51.100.9", "", "nobody", "guess")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, _ = b.signIn(t, "198.51.100.9", "", "nobody", "guess")
	require.Equal(t, http.StatusTooManyRequests, status)
}

// Past the free failures each further one doubles the wait, up to 15
// minutes; a success clears the count.
func TestTheWaitAfterFailuresDoubles(t *testing.T) {
	b := newSignInBench(t)
	const from = "198.51.100.9"
	for range loginFreeFailures {
		status, _ := b.signIn(t, from, "", "ivan", "guess")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	var waits []string
	for range 3 {
		status, retry := b.signIn(t, from, "", "ivan", "guess")
		require.Equal(t, http.StatusTooManyRequests, status)
		waits = append(waits, retry)
		// The refused try was not counted; past the wait one more failure.
		n, _ := strconv.Atoi(retry)
		b.clock.advance(time.Duration(n) * time.Second)
		status, _ = b.signIn(t, from, "", "ivan", "guess")
		require.Equal(t, http.StatusUnauthorized, status)
	}
	require.Equal(t, []string{"1", "2", "4"}, waits)

	b.clock.advance(8 * time.Second)
	status, _ := b.signIn(t, from, "", "ivan", "demo")
	require.Equal(t, http.StatusOK, status)
	status, _ = b.signIn(t, from, "", "ivan", "guess")
	require.Equal(t, http.StatusUnauthorized, status, "the success cleared the count: free failures again")
}

// Behind a trusted proxy the limits count the client the proxy names;
// anyone else's X-Forwarded-For is ignored.
func TestTrustedProxiesNameTheClient(t *testing.T) {
	t.Run("behind a trusted proxy", func(t *testing.T) {
		b := newSignInBench(t, "10.0.0.0/8")
		for range loginFreeFailures {
			status, _ := b.signIn(t, "10.1.2.3", "198.51.100.9", "ivan", "guess")
			require.Equal(t, http.StatusUnauthorized, status)
		}
		status, _ := b.signIn(t, "10.1.2.3", "198.51.100.9", "ivan", "demo")
		require.Equal(t, http.StatusTooManyRequests, status)
		status, _ = b.signIn(t, "10.1.2.3", "192.0.2.1", "ivan", "demo")
		require.Equal(t, http.StatusOK, status, "another client behind the same proxy")
	})
	t.Run("from an untrusted address", func(t *testing.T) {
		b := newSignInBench(t)
		for i := range loginFreeFailures {
			status, _ := b.signIn(t, "198.51.100.9", "192.0.2."+strconv.Itoa(i), "ivan", "guess")
			require.Equal(t, http.StatusUnauthorized, status)
		}
		status, _ := b.signIn(t, "198.51.100.9", "192.0.2.99", "ivan", "demo")
		require.Equal(t, http.StatusTooManyRequests, status, "a forged X-Forwarded-For does not reset the count")
	})
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7,,2001:db8::/32 ")
	require.NoError(t, err)
	require.Equal(t, []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}, got)
	got, err = ParseTrustedProxies("")
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = ParseTrustedProxies("10.0.0.0/8,proxy.example")
	require.ErrorContains(t, err, `"proxy.example"`)
}
