package web_test

import (
	"github.com/conveyorhq/conveyor/services"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/web"
)

// secureServer serves e's database and Temporal as a server behind a TLS
// proxy would (SecureCookies).
func secureServer(t *testing.T, e *testenv.Env) string {
	t.Helper()
	svc := services.New(e.Store, e.Temporal)
	svc.TokenTTL = time.Hour
	srv := &server.Server{Services: svc, Log: slog.New(slog.DiscardHandler),
		Metrics: server.NewMetrics(svc), SecureCookies: true, Pages: web.Pages(slog.New(slog.DiscardHandler), nil)}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func cookieOf(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cookie %s in %v", name, resp.Header.Values("Set-Cookie"))
	return nil
}

// Finding 11: behind a proxy that terminates TLS, the request is plain HTTP
// to us, so the cookies went without Secure. With SecureCookies every
// cookie is Secure and HSTS is sent; without it, neither.
func TestSecureCookiesBehindATLSProxy(t *testing.T) {
	e := testenv.New(t)
	for _, secure := range []bool{true, false} {
		base := e.URL
		if secure {
			base = secureServer(t, e)
		}
		req, _ := http.NewRequest("GET", base+"/login", nil)
		page := do(t, req)
		csrf := cookieOf(t, page, "conveyor_login_csrf")
		require.Equal(t, secure, csrf.Secure, "sign-in CSRF cookie")
		require.Equal(t, secure, page.Header.Get("Strict-Transport-Security") == "max-age=31536000")

		req, _ = http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"login": {"ivan"}, "password": {"demo"}, "csrf": {csrf.Value}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
		signedIn := do(t, req)
		require.Equal(t, http.StatusSeeOther, signedIn.StatusCode)
		session := cookieOf(t, signedIn, "conveyor_session")
		require.Equal(t, secure, session.Secure, "session cookie")
		require.True(t, session.HttpOnly)

		req, _ = http.NewRequest("GET", base+"/lang/ru", nil)
		require.Equal(t, secure, cookieOf(t, do(t, req), "lang").Secure, "language cookie")
		req, _ = http.NewRequest("GET", base+"/api/v1/openapi.json", nil)
		require.Equal(t, secure, do(t, req).Header.Get("Strict-Transport-Security") != "", "HSTS on the API too")
	}
}

// Finding 11: switching the language went "back" to whatever the Referer
// said, another site's address included. Only a page of this site is
// gone back to.
func TestGoingBackStaysOnTheSite(t *testing.T) {
	e := testenv.New(t)
	host := strings.TrimPrefix(e.URL, "http://")
	for referer, want := range map[string]string{
		"":                                  "/work",
		"https://evil.example/phish":        "/work",
		"//evil.example/phish":              "/work",
		"http://" + host + "//evil.example": "/work",
		`http://` + host + `/\evil.example`: "/%5Cevil.example",
		"javascript:alert(1)":               "/work",
		"http://user@" + host + "/work":     "/work",
		"http://" + host + "/clients?q=a":   "/clients?q=a",
		"/processes":                        "/processes",
	} {
		req, _ := http.NewRequest("GET", e.URL+"/lang/en", nil)
		req.Header.Set("Referer", referer)
		resp := do(t, req)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, want, resp.Header.Get("Location"), "Referer %q", referer)
	}
}

// Finding 11: /static/ listed its directory. Files are served, directories
// are not found.
func TestStaticServesFilesNotListings(t *testing.T) {
	e := testenv.New(t)
	for path, want := range map[string]int{
		"/static/":          http.StatusNotFound,
		"/static/style.css": http.StatusOK,
		"/static/nope.css":  http.StatusNotFound,
	} {
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, path)
	}
	req, _ := http.NewRequest("GET", e.URL+"/static/", nil)
	resp := do(t, req)
	require.NotRegexp(t, regexp.MustCompile(`style\.css`), resp.Header.Get("Location"))
}

// An address with a NUL or bytes that are not UTF-8 finds nothing, signed
// in or not: it never reaches SQL as an id.
func TestAnAddressThatIsNotPlainTextFindsNothing(t *testing.T) {
	e := testenv.New(t)
	for _, path := range []string{"/clients/%00", "/work/%FF", "/processes?state=%01", "/login?next=%00"} {
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		resp := do(t, req)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}
