package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
)

// series are the distinct label sets of a metric in a scrape.
func series(t *testing.T, scrape []byte, metric string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(scrape))
	for sc.Scan() {
		if labels, ok := strings.CutPrefix(sc.Text(), metric+"{"); ok {
			out = append(out, labels[:strings.IndexByte(labels, '}')])
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// Finding 9: made-up methods and paths once made a series each. Labels
// now come from bounded sets: HTTP's methods (others are OTHER) and route
// templates (no route: "unmatched").
func TestMadeUpMethodsAndPathsMakeBoundedSeries(t *testing.T) {
	e := testenv.New(t)
	rnd := rand.New(rand.NewPCG(7, 9))
	word := func(letters string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rnd.IntN(len(letters))]
		}
		return string(b)
	}
	paths := []string{"/healthz", "/api/v1/clients", "/login", "/static/style.css"}
	for i := range 100 {
		method := word("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3+rnd.IntN(8))
		path := paths[i%len(paths)]
		if i%2 == 0 {
			path = "/" + word("abcdefghijklmnopqrstuvwxyz0123456789", 12) + "/" + fmt.Sprint(i)
		}
		status, _ := e.Raw(t, method, path, "", nil)
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, status, "%s %s", method, path)
	}
	status, scrape := e.Raw(t, "GET", "/metrics", "", nil)
	require.Equal(t, http.StatusOK, status)
	requests := series(t, scrape, "conveyor_http_requests_total")
	require.NotEmpty(t, requests)
	require.LessOrEqual(t, len(requests), 4, "series: %v", requests)
	for _, s := range requests {
		require.Contains(t, s, `method="OTHER"`, "only OTHER came in: %s", s)
		require.Contains(t, s, `route="unmatched"`, s)
	}
	require.LessOrEqual(t, len(series(t, scrape, "conveyor_http_request_duration_seconds_count")), 1)
}

// Finding 17: with a token set, /metrics asks for it; with MetricsApart,
// the API's router has no /metrics and MetricsHandler serves them.
func TestMetricsAskForTheirTokenAndCanListenApart(t *testing.T) {
	e := testenv.New(t)
	var srv *server.Server
	url, _ := ownServer(t, e, store.Options{}, func(s *server.Server) { s.MetricsToken = "s3cret"; srv = s }, nil)
	// In this order: the refused scrapes are the requests the last one counts.
	for _, tc := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {"wrong", http.StatusUnauthorized}, {"s3cret", http.StatusOK}} {
		token, want := tc.token, tc.want
		status, body := call(t, "GET", url+"/metrics", token, nil, nil, false)
		require.Equal(t, want, status, "token %q: %s", token, body)
		if want == http.StatusOK {
			require.Contains(t, string(body), "conveyor_http_requests_total")
		}
	}

	url, _ = ownServer(t, e, store.Options{}, func(s *server.Server) { s.MetricsToken = "s3cret"; s.MetricsApart = true; srv = s }, nil)
	status, _ := call(t, "GET", url+"/metrics", "s3cret", nil, nil, false)
	require.Equal(t, http.StatusNotFound, status, "not on the API's listener")
	apart := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(apart.Close)
	status, _ = call(t, "GET", apart.URL+"/metrics", "", nil, nil, false)
	require.Equal(t, http.StatusUnauthorized, status)
	status, body := call(t, "GET", apart.URL+"/metrics", "s3cret", nil, nil, false)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, string(body), "conveyor_work_items_open")
	status, _ = call(t, "GET", apart.URL+"/api/v1/clients", "s3cret", nil, nil, false)
	require.Equal(t, http.StatusNotFound, status, "only metrics there")
}
