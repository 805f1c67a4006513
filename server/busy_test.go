package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// With every connection of the pool taken, a request waits the acquire
// timeout and is told to come back: a 503 with Retry-After, problem+json
// in the API, a page in the web UI. Nothing is left waiting.
func TestABusyDatabaseIsA503ToRetry(t *testing.T) {
	e := testenv.New(t)
	ivan := e.Login(t, "ivan")
	url, st := ownServer(t, e, store.Options{MaxConns: 2, AcquireTimeout: 200 * time.Millisecond}, nil, nil)

	// Take both connections (connecting counts against the acquire
	// timeout, so a busy machine may need another try).
	var held []*pgxpool.Conn
	for try := 0; len(held) < 2 && try < 100; try++ {
		if c, err := st.Pool().Acquire(context.Background()); err == nil {
			held = append(held, c)
		}
	}
	require.Len(t, held, 2)

	for _, path := range []string{"/api/v1/clients", "/work"} {
		req, err := http.NewRequest("GET", url+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+ivan)
		req.AddCookie(&http.Cookie{Name: "conveyor_session", Value: ivan})
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s: %s", path, body)
		require.Equal(t, "5", resp.Header.Get("Retry-After"), path)
		if path == "/api/v1/clients" {
			require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			var p problem
			require.NoError(t, json.Unmarshal(body, &p))
			require.Equal(t, http.StatusServiceUnavailable, p.Status)
		}
	}

	for _, c := range held {
		c.Release()
	}
	status, raw := call(t, "GET", url+"/api/v1/clients", ivan, nil, nil, false)
	require.Equal(t, http.StatusOK, status, string(raw))
}
