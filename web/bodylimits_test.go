package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// post sends body as contentType; without a length when chunked (as a
// client streaming it would).
func post(t *testing.T, hc *http.Client, u, contentType string, body []byte, chunked bool) int {
	t.Helper()
	var rd io.Reader = bytes.NewReader(body)
	if chunked {
		rd = io.MultiReader(rd) // hides the length
	}
	req, err := http.NewRequest("POST", u, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Finding 8: the sign-in form, open to anyone, parsed a multipart body into
// 32 MiB of memory. Every form's body is now bounded before it is read and
// must come in the form's own encoding; the upload alone is multipart.
func TestFormBodiesAreBoundedAndInTheirEncoding(t *testing.T) {
	e := testenv.Seeded(t)
	anon := &http.Client{}
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	require.NoError(t, mw.WriteField("login", "ivan"))
	require.NoError(t, mw.Close())
	big := []byte("login=ivan&password=" + strings.Repeat("x", 1<<20))

	require.Equal(t, http.StatusUnsupportedMediaType, post(t, anon, e.URL+"/login", mw.FormDataContentType(), multi.Bytes(), false))
	require.Equal(t, http.StatusUnsupportedMediaType, post(t, anon, e.URL+"/login", "text/plain", []byte("login=ivan"), false))
	require.Equal(t, http.StatusRequestEntityTooLarge, post(t, anon, e.URL+"/login", "application/x-www-form-urlencoded", big, false))
	require.Equal(t, http.StatusRequestEntityTooLarge, post(t, anon, e.URL+"/login", "application/x-www-form-urlencoded", big, true))

	hc, csrf := signedIn(t, e.URL) // the sign-in form itself still works
	form := func(v url.Values) []byte { return []byte(v.Encode()) }
	contacts := e.URL + "/clients/demo-romashka/contacts"
	require.Equal(t, http.StatusSeeOther, post(t, hc, contacts, "application/x-www-form-urlencoded",
		form(url.Values{"csrf": {csrf}, "cname": {"Павел"}, "note": {strings.Repeat("я", 4000)}}), true), "the longest note fits")
	require.Equal(t, http.StatusRequestEntityTooLarge, post(t, hc, contacts, "application/x-www-form-urlencoded",
		form(url.Values{"csrf": {csrf}, "cname": {strings.Repeat("P", 100<<10)}}), true))
	require.Equal(t, http.StatusUnsupportedMediaType, post(t, hc, contacts, mw.FormDataContentType(), multi.Bytes(), false))
	require.Equal(t, http.StatusUnsupportedMediaType, post(t, hc, e.URL+"/clients/demo-romashka/documents", "application/x-www-form-urlencoded",
		form(url.Values{"csrf": {csrf}}), false), "an upload is multipart")
	require.NotEqual(t, http.StatusRequestEntityTooLarge, post(t, hc, e.URL+"/definitions/validate", "application/x-www-form-urlencoded",
		form(url.Values{"csrf": {csrf}, "source": {strings.Repeat("# комментарий\n", 4000)}}), true), "a definition may be larger than a form")
}
