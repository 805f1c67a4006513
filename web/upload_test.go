package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signedIn is a plain HTTP client with ivan's session, and the CSRF token of
// the page it fetched.
func signedIn(t *testing.T, base string) (*http.Client, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar}
	page := get(t, hc, base+"/login")
	resp, err := hc.PostForm(base+"/login", url.Values{"login": {"ivan"}, "password": {"demo"}, "csrf": {csrfField.FindStringSubmatch(page)[1]}})
	require.NoError(t, err)
	resp.Body.Close()
	page = get(t, hc, base+"/clients/demo-romashka?tab=documents")
	return hc, csrfField.FindStringSubmatch(page)[1]
}

func get(t *testing.T, hc *http.Client, u string) string {
	t.Helper()
	resp, err := hc.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, u)
	return string(b)
}

func upload(t *testing.T, hc *http.Client, base, csrf, name string, content []byte) int {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("csrf", csrf))
	f, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = f.Write(content)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Post(base+"/clients/demo-romashka/documents", w.FormDataContentType(), &body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Uploads stream into the store: the token is read from the form's first
// part, a forged one stores nothing, and an oversized file is refused.
func TestUploadsCheckTheirTokenAndSize(t *testing.T) {
	e := testenv.Seeded(t)
	hc, csrf := signedIn(t, e.URL)
	count := func() int {
		docs, err := e.Store.Documents(store.WithActor(t.Context(), "test"), store.Viewer{Admin: true}, "demo-romashka")
		require.NoError(t, err)
		return len(docs)
	}
	require.Equal(t, http.StatusForbidden, upload(t, hc, e.URL, "forged", "a.txt", []byte("hello")))
	require.Equal(t, 0, count())
	require.Equal(t, http.StatusUnprocessableEntity, upload(t, hc, e.URL, csrf, "big.txt", []byte(strings.Repeat("x", 11<<20))))
	require.Equal(t, 0, count())
	require.Equal(t, http.StatusSeeOther, upload(t, hc, e.URL, csrf, "notes.txt", []byte("call back on Tuesday")))
	require.Equal(t, 1, count())
}
