package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"github.com/conveyorhq/conveyor/services"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/web"
)

// ownServer serves the API of e's database and Temporal again, through a
// pool with the bounds o (its connections named testApp) and a server set
// up by configure; wrap, when given, wraps its handler.
func ownServer(t *testing.T, e *testenv.Env, o store.Options, configure func(*server.Server), wrap func(http.Handler) http.Handler) (string, *store.Store) {
	t.Helper()
	cfg := e.Store.Pool().Config()
	o.Configure(cfg)
	cfg.ConnConfig.RuntimeParams["application_name"] = testApp
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	svc := services.New(st, e.Temporal)
	svc.TokenTTL = time.Hour
	srv := &server.Server{Services: svc, Log: slog.New(slog.DiscardHandler), Metrics: server.NewMetrics(svc),
		Pages: web.Pages(slog.New(slog.DiscardHandler), nil)}
	if configure != nil {
		configure(srv)
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL, st
}

const testApp = "conveyor-own-server"

// stallingBody tells stalled when the handler asks for more of the body
// than the client has sent so far (sent bytes): from then on the handler
// waits on the client.
type stallingBody struct {
	io.ReadCloser
	sent    int
	stalled chan<- struct{}
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if b.sent == 0 {
		b.stalled <- struct{}{}
		b.sent = -1
	}
	n, err := b.ReadCloser.Read(p)
	if b.sent > 0 {
		b.sent = max(b.sent-n, 0)
	}
	return n, err
}

// stallingWriter stops before its second write, tells stalled and waits
// for release: a client that reads a download slowly.
type stallingWriter struct {
	http.ResponseWriter
	writes  int
	stalled chan<- struct{}
	release <-chan struct{}
}

func (w *stallingWriter) Write(p []byte) (int, error) {
	if w.writes++; w.writes == 2 {
		w.stalled <- struct{}{}
		<-w.release
	}
	return w.ResponseWriter.Write(p)
}

// call makes a request with a bearer token (or, cookie set, the web UI's
// session cookie) and reads the answer.
func call(t *testing.T, method, url, token string, body io.Reader, header http.Header, cookie bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if cookie {
		req.AddCookie(&http.Cookie{Name: "conveyor_session", Value: token})
	} else if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// busyConnections counts the connections of ownServer's pool that are taken
// from the pool, and those PostgreSQL sees in a query or a transaction.
func busyConnections(t *testing.T, e *testenv.Env, st *store.Store) (taken int32, busy int) {
	t.Helper()
	require.NoError(t, e.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE application_name = $1 AND state <> 'idle'`, testApp).Scan(&busy))
	return st.Pool().Stat().AcquiredConns(), busy
}

// Finding 7: uploads that send a byte now and then, and a download read
// slowly, once held every connection of the pool in a transaction, and
// nobody could sign in. Now, with twice as many slow uploads as the pool
// has connections and a slow download besides, no connection is taken,
// sign-in, a list and a page answer, and each upload ends stored whole or,
// cut, not at all.
func TestSlowClientsHoldNoDatabaseConnection(t *testing.T) {
	spool := t.TempDir()
	t.Setenv("TMPDIR", spool)
	e := testenv.New(t)
	const poolSize, uploads = 4, 8

	// A slow upload sends its file's first kilobyte (more than the 512
	// bytes its type is told by), then stalls.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "notes.txt")
	require.NoError(t, err)
	_, err = fw.Write([]byte(strings.Repeat("first kilobyte. ", 64)))
	require.NoError(t, err)
	first := bytes.Clone(form.Bytes())
	_, err = fw.Write([]byte(strings.Repeat("the rest. ", 100)))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	rest := form.Bytes()[len(first):]

	stalled, release, handled := make(chan struct{}), make(chan struct{}), make(chan struct{}, uploads)
	url, st := ownServer(t, e, store.Options{MaxConns: poolSize}, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Header.Get("X-Test-Stall") {
			case "upload":
				r.Body = &stallingBody{ReadCloser: r.Body, sent: len(first), stalled: stalled}
				defer func() { handled <- struct{}{} }()
			case "download":
				w = &stallingWriter{ResponseWriter: w, stalled: stalled, release: release}
			}
			h.ServeHTTP(w, r)
		})
	})
	ivan := e.Login(t, "ivan")
	var cl store.Client
	status, raw := call(t, "POST", url+"/api/v1/clients", ivan, strings.NewReader(`{"name":"Acme"}`), nil, false)
	require.Equal(t, http.StatusCreated, status, string(raw))
	require.NoError(t, json.Unmarshal(raw, &cl))
	docs := url + "/api/v1/clients/" + cl.ID + "/documents"

	long := bytes.Repeat([]byte("a line of a long document\n"), 3*store.DocumentChunkSize/26)
	var whole bytes.Buffer
	contentType, err := writeForm(&whole, "long.txt", long)
	require.NoError(t, err)
	status, raw = call(t, "POST", docs, ivan, &whole, http.Header{"Content-Type": {contentType}}, false)
	require.Equal(t, http.StatusCreated, status, string(raw))
	var longDoc store.Document
	require.NoError(t, json.Unmarshal(raw, &longDoc))

	type answer struct {
		status int
		body   []byte
		err    error
	}
	send := func(req *http.Request, out chan<- answer) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		out <- answer{status: resp.StatusCode, body: b, err: err}
	}
	pipes := make([]*io.PipeWriter, uploads)
	uploaded := make([]chan answer, uploads)
	var released sync.Once
	unstall := func() { released.Do(func() { close(release) }) }
	t.Cleanup(func() { // before the server's Close, which waits for them: on failure too
		unstall()
		for _, pw := range pipes {
			if pw != nil {
				pw.CloseWithError(io.ErrClosedPipe)
			}
		}
	})
	for i := range uploads {
		pr, pw := io.Pipe()
		req, err := http.NewRequest("POST", docs, pr)
		require.NoError(t, err)
		req.Header = http.Header{"Authorization": {"Bearer " + ivan}, "Content-Type": {mw.FormDataContentType()}, "X-Test-Stall": {"upload"}}
		pipes[i], uploaded[i] = pw, make(chan answer, 1)
		go send(req, uploaded[i])
		go pw.Write(first) //nolint:errcheck // the pipe is closed below
	}
	downloaded := make(chan answer, 1)
	req, err := http.NewRequest("GET", docs+"/"+longDoc.ID, nil)
	require.NoError(t, err)
	req.Header = http.Header{"Authorization": {"Bearer " + ivan}, "X-Test-Stall": {"download"}}
	go send(req, downloaded)
	for n := 0; n < uploads+1; {
		select {
		case <-stalled:
			n++
		case <-handled:
			t.Fatal("an upload was answered before it was sent whole (with no free connection, a 503)")
		case a := <-downloaded:
			t.Fatalf("the download was answered before it was read: %d %s", a.status, a.body)
		}
	}

	taken, busy := busyConnections(t, e, st)
	require.Zero(t, taken, "pool connections taken while clients stall")
	require.Zero(t, busy, "connections in a query or transaction while clients stall")
	var token struct{ Token string }
	status, raw = call(t, "POST", url+"/api/v1/auth/token", "", strings.NewReader(`{"login":"olga","password":"demo"}`), nil, false)
	require.Equal(t, http.StatusOK, status, string(raw))
	require.NoError(t, json.Unmarshal(raw, &token))
	status, raw = call(t, "GET", url+"/api/v1/clients", token.Token, nil, nil, false)
	require.Equal(t, http.StatusOK, status, string(raw))
	status, raw = call(t, "GET", url+"/work", token.Token, nil, nil, true)
	require.Equal(t, http.StatusOK, status, string(raw))

	unstall()
	got := <-downloaded
	require.NoError(t, got.err)
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, sha256.Sum256(long), sha256.Sum256(got.body), "the slow download comes whole")
	for i, pw := range pipes {
		if i%2 == 0 {
			_, err := pw.Write(rest)
			require.NoError(t, err)
			require.NoError(t, pw.Close())
			a := <-uploaded[i]
			require.NoError(t, a.err)
			require.Equal(t, http.StatusCreated, a.status, string(a.body))
			continue
		}
		pw.CloseWithError(io.ErrClosedPipe) // the client gives up
		a := <-uploaded[i]
		require.True(t, a.err != nil || a.status == http.StatusBadRequest, "a cut upload: %v %d", a.err, a.status)
	}

	for range uploads { // the server is done with the cut ones too
		<-handled
	}
	var list struct{ Items []store.Document }
	status, raw = call(t, "GET", docs, ivan, nil, nil, false)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(raw, &list))
	require.Len(t, list.Items, 1+uploads/2, "the finished uploads, not the cut ones")
	for _, d := range list.Items[1:] {
		require.Equal(t, int64(1024+1000), d.Size, "the whole file")
	}
	left, err := os.ReadDir(spool)
	require.NoError(t, err)
	require.Empty(t, left, "no spooled upload is left behind")
}
