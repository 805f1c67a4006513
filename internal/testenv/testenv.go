// Package testenv runs the whole of Conveyor for integration tests: a real
// PostgreSQL database (pgtest), a real Temporal server (temporaltest, in
// memory), the worker and the HTTP API on an httptest server.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/conveyorhq/conveyor/activities"
	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/reconcile"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
	"github.com/conveyorhq/conveyor/web"
	"github.com/conveyorhq/conveyor/worker"
	"github.com/conveyorhq/conveyor/workflows"
)

// Env is one running Conveyor.
type Env struct {
	URL      string
	Store    *store.Store
	Services *services.Services
	Temporal client.Client
	// Unsigned reaches the same Temporal without the API servers' key, as
	// anyone who can reach the frontend could.
	Unsigned client.Client
}

// New starts Conveyor for t with the demo users (no demo processes).
func New(t *testing.T) *Env {
	t.Helper()
	e := start(t)
	ctx := store.WithActor(context.Background(), "test")
	for _, u := range devenv.DemoUsers {
		hash, err := auth.HashPassword(u.Password)
		require.NoError(t, err)
		_, err = e.Store.CreateUser(ctx, u.User, hash)
		require.NoError(t, err)
	}
	return e
}

// Seeded starts Conveyor for t with the whole demo of `conveyor dev`:
// organisation, clients, the example conveyor and its demo processes.
func Seeded(t *testing.T) *Env {
	t.Helper()
	e := start(t)
	require.NoError(t, devenv.Seed(context.Background(), e.Services))
	return e
}

// shared is the one Temporal server of a test binary: starting one takes
// 0.2 s and stopping it a second, for every test. Each Conveyor runs its
// processes on a task queue of its own in the server's namespace, with its
// own worker, so that none runs another's activities against its database.
var shared struct {
	once   sync.Once
	server *temporaltest.TestServer
	queues atomic.Int64
}

func temporalServer() *temporaltest.TestServer {
	shared.once.Do(func() { shared.server = temporaltest.NewServer() })
	return shared.server
}

func start(t *testing.T) *Env {
	t.Helper()
	st := store.New(pgtest.NewMigratedDB(t))

	ts := temporalServer()
	queue := fmt.Sprintf("%s-%d-%s", workflows.TaskQueue, shared.queues.Add(1), strings.ReplaceAll(t.Name(), "/", "-"))
	key := updateauth.RandomKey()
	w := sdkworker.New(ts.GetDefaultClient(), queue, worker.Options(key))
	worker.Register(w, &activities.Activities{Store: st})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	tc := ts.NewClientWithOptions(client.Options{Interceptors: []interceptor.ClientInterceptor{key.Client()}})
	t.Cleanup(tc.Close)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := reconcile.New(st, tc, log)
	rec.Grace, rec.Interval = 500*time.Millisecond, 200*time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	go rec.Run(ctx)
	t.Cleanup(stop)
	svc := services.New(st, tc)
	svc.TokenTTL = time.Hour
	svc.TaskQueue = queue
	srv := &server.Server{Services: svc, Log: log, Metrics: server.NewMetrics(svc), Pages: web.Pages(log, nil)}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &Env{URL: hs.URL, Store: st, Services: svc, Temporal: tc, Unsigned: ts.GetDefaultClient()}
}

// Login returns a bearer token of a demo user.
func (e *Env) Login(t testing.TB, login string) string {
	t.Helper()
	for _, u := range devenv.DemoUsers {
		if u.Login == login {
			var out struct{ Token string }
			status := e.Do(t, "POST", "/api/v1/auth/token", "", map[string]string{"login": login, "password": u.Password}, &out)
			require.Equal(t, http.StatusOK, status)
			return out.Token
		}
	}
	t.Fatalf("no demo user %s", login)
	return ""
}

// Do sends a request (body: a value marshalled to JSON, or []byte sent as
// is) and decodes the reply into out when out is not nil.
func (e *Env) Do(t testing.TB, method, path, token string, body any, out any) int {
	t.Helper()
	status, raw := e.Raw(t, method, path, token, body)
	if out != nil && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), "%s %s: %s", method, path, raw)
	}
	return status
}

// Raw sends a request and returns the status and the body.
func (e *Env) Raw(t testing.TB, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// SaveHistory writes the event history of a workflow run as JSON, the
// format worker.WorkflowReplayer reads, for replay tests.
func (e *Env) SaveHistory(t testing.TB, workflowID, path string) {
	t.Helper()
	ctx := context.Background()
	iter := e.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, b, 0o644))
}
