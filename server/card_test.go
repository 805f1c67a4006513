package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// send makes a request with a body of contentType and returns the response
// with its body read.
func send(t *testing.T, e *testenv.Env, method, path, token, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, raw
}

// writeForm writes a multipart form with content as its field "file".
func writeForm(w io.Writer, name string, content []byte) (string, error) {
	mw := multipart.NewWriter(w)
	fw, err := mw.CreateFormFile("file", name)
	if err == nil {
		_, err = fw.Write(content)
	}
	if err == nil {
		err = mw.Close()
	}
	return mw.FormDataContentType(), err
}

func upload(t *testing.T, e *testenv.Env, token, path, name string, content []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	contentType, err := writeForm(&buf, name, content)
	require.NoError(t, err)
	resp, raw := send(t, e, "POST", path, token, contentType, &buf)
	return resp.StatusCode, raw
}

// uploadChunked sends the form with no Content-Length, as a stream.
func uploadChunked(t *testing.T, e *testenv.Env, token, path, name string, content []byte) (int, []byte) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = fw.Write(content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, raw := send(t, e, "POST", path, token, mw.FormDataContentType(), pr)
	return resp.StatusCode, raw
}

func requireProblem(t *testing.T, wantStatus int, wantPath string, status int, raw []byte) problem {
	t.Helper()
	require.Equal(t, wantStatus, status, string(raw))
	var p problem
	require.NoError(t, json.Unmarshal(raw, &p), string(raw))
	if wantPath != "" {
		var paths []string
		for _, f := range p.Errors {
			paths = append(paths, f.Path)
		}
		require.Contains(t, paths, wantPath, string(raw))
	}
	return p
}

func countDocuments(t *testing.T, e *testenv.Env) (docs, chunks int) {
	t.Helper()
	require.NoError(t, e.Store.Pool().QueryRow(context.Background(),
		`SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM document_chunks)`).Scan(&docs, &chunks))
	return docs, chunks
}

func TestAManagerKeepsTheCardOfTheirClient(t *testing.T) {
	e := testenv.New(t)
	ivan, maria, admin := e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "admin")
	var cl store.Client
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/clients", ivan, map[string]any{"name": "Acme"}, &cl))
	base := "/api/v1/clients/" + cl.ID
	var ids struct{ address, account, contact, pdf, png string }

	t.Run("addresses", func(t *testing.T) {
		var a store.Address
		status, raw := e.Raw(t, "POST", base+"/addresses", ivan, map[string]any{"kind": "legal", "text": " Moscow, Tverskaya 1 ", "isPrimary": true})
		require.Equal(t, http.StatusCreated, status, string(raw))
		require.NoError(t, json.Unmarshal(raw, &a))
		require.Equal(t, "Moscow, Tverskaya 1", a.Text)
		require.True(t, a.IsPrimary)
		ids.address = a.ID

		status, raw = e.Raw(t, "PATCH", base+"/addresses/"+a.ID, ivan, map[string]any{"text": "Moscow, Tverskaya 7"})
		require.Equal(t, http.StatusOK, status, string(raw))
		require.NoError(t, json.Unmarshal(raw, &a))
		require.Equal(t, "Moscow, Tverskaya 7", a.Text)
		require.Equal(t, "legal", a.Kind)

		status, raw = e.Raw(t, "POST", base+"/addresses", ivan, map[string]any{"kind": "abroad", "text": ""})
		p := requireProblem(t, http.StatusUnprocessableEntity, "/kind", status, raw)
		require.Len(t, p.Errors, 2, "the kind and the empty text")
		var list struct{ Items []store.Address }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", base+"/addresses", ivan, nil, &list))
		require.Len(t, list.Items, 1)
	})

	t.Run("bank accounts", func(t *testing.T) {
		var b store.BankAccount
		status, raw := e.Raw(t, "POST", base+"/bank-accounts", ivan,
			map[string]any{"bik": "04 45 25 225", "account": "40702-810-2-0000-0000001", "bankName": "Sberbank", "isPrimary": true})
		require.Equal(t, http.StatusCreated, status, string(raw))
		require.NoError(t, json.Unmarshal(raw, &b))
		require.Equal(t, "044525225", b.BIK, "normalised")
		require.Equal(t, "40702810200000000001", b.Account)
		ids.account = b.ID

		status, raw = e.Raw(t, "POST", base+"/bank-accounts", ivan, map[string]any{"bik": "044525225", "account": "40702810300000000001"})
		p := requireProblem(t, http.StatusUnprocessableEntity, "/account", status, raw)
		require.Contains(t, p.Errors[0].Message, "control key (9th digit) is 3, expected 2")
		status, raw = e.Raw(t, "POST", base+"/bank-accounts", ivan, map[string]any{"bik": "12345", "account": "40702810200000000001"})
		requireProblem(t, http.StatusUnprocessableEntity, "/bik", status, raw)
		status, raw = e.Raw(t, "POST", base+"/bank-accounts", ivan, map[string]any{"bik": "044525225", "account": "40702810200000000001"})
		require.Equal(t, http.StatusConflict, status, string(raw))

		var list struct{ Items []store.BankAccount }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", base+"/bank-accounts", ivan, nil, &list))
		require.Len(t, list.Items, 1)
	})

	t.Run("contacts", func(t *testing.T) {
		status, raw := e.Raw(t, "POST", base+"/contacts", ivan, map[string]any{"name": "Pavel", "email": "pavel at acme.ru"})
		requireProblem(t, http.StatusUnprocessableEntity, "/email", status, raw)
		status, raw = e.Raw(t, "POST", base+"/contacts", ivan, map[string]any{"email": "pavel@acme.ru"})
		requireProblem(t, http.StatusUnprocessableEntity, "/name", status, raw)

		var c store.Contact
		status, raw = e.Raw(t, "POST", base+"/contacts", ivan, map[string]any{"name": "Pavel Orlov", "position": "CFO", "email": "pavel@acme.ru"})
		require.Equal(t, http.StatusCreated, status, string(raw))
		require.NoError(t, json.Unmarshal(raw, &c))
		ids.contact = c.ID
		require.Equal(t, http.StatusOK, e.Do(t, "PATCH", base+"/contacts/"+c.ID, ivan, map[string]any{"phone": "+7 495 123-45-67"}, &c))
		require.Equal(t, "+7 495 123-45-67", c.Phone)
		require.Equal(t, "pavel@acme.ru", c.Email)
		status, raw = e.Raw(t, "PATCH", base+"/contacts/"+c.ID, ivan, map[string]any{"email": "pavel@"})
		requireProblem(t, http.StatusUnprocessableEntity, "/email", status, raw)
	})

	t.Run("characteristics", func(t *testing.T) {
		def := map[string]any{"id": "employees", "name": "Employees", "type": "number"}
		status, _ := e.Raw(t, "POST", "/api/v1/characteristics", ivan, def)
		require.Equal(t, http.StatusForbidden, status, "only an admin defines characteristics")
		status, raw := e.Raw(t, "POST", "/api/v1/characteristics", admin, def)
		require.Equal(t, http.StatusCreated, status, string(raw))
		status, raw = e.Raw(t, "POST", "/api/v1/characteristics", admin, map[string]any{"id": "tier", "name": "Tier", "type": "enum"})
		requireProblem(t, http.StatusUnprocessableEntity, "/values", status, raw)
		status, raw = e.Raw(t, "POST", "/api/v1/characteristics", admin, map[string]any{"id": "tier", "name": "Tier", "type": "enum", "values": []string{"gold", "silver"}})
		require.Equal(t, http.StatusCreated, status, string(raw))
		status, _ = e.Raw(t, "POST", "/api/v1/characteristics", admin, def)
		require.Equal(t, http.StatusConflict, status)
		var defs struct{ Items []store.Characteristic }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/characteristics", ivan, nil, &defs))
		require.Len(t, defs.Items, 2)

		status, raw = e.Raw(t, "PUT", base+"/characteristics/employees", ivan, map[string]any{"value": "250"})
		p := requireProblem(t, http.StatusUnprocessableEntity, "/value", status, raw)
		require.Contains(t, p.Errors[0].Message, "must be a JSON number, not a string")
		status, raw = e.Raw(t, "PUT", base+"/characteristics/tier", ivan, map[string]any{"value": "bronze"})
		p = requireProblem(t, http.StatusUnprocessableEntity, "/value", status, raw)
		require.Contains(t, p.Errors[0].Message, `"bronze" is not one of "gold", "silver"`)
		status, raw = e.Raw(t, "PUT", base+"/characteristics/employees", ivan, map[string]any{"value": 250})
		require.Equal(t, http.StatusOK, status, string(raw))
		require.JSONEq(t, `{"value": 250}`, string(raw))
		status, _ = e.Raw(t, "PUT", base+"/characteristics/tier", ivan, map[string]any{"value": "gold"})
		require.Equal(t, http.StatusOK, status)
		status, _ = e.Raw(t, "PUT", base+"/characteristics/unknown", ivan, map[string]any{"value": "x"})
		require.Equal(t, http.StatusNotFound, status)

		_, raw = e.Raw(t, "GET", base+"/characteristics", ivan, nil)
		require.JSONEq(t, `{"employees": 250, "tier": "gold"}`, string(raw))
		status, _ = e.Raw(t, "DELETE", base+"/characteristics/tier", ivan, nil)
		require.Equal(t, http.StatusNoContent, status)
		_, raw = e.Raw(t, "GET", base+"/characteristics", ivan, nil)
		require.JSONEq(t, `{"employees": 250}`, string(raw))
	})

	pdf := append([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 100_000)...)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7, 0, 9}, 1000)...)

	t.Run("documents", func(t *testing.T) {
		for _, f := range []struct {
			name, contentType string
			content           []byte
			id                *string
		}{
			{"Договор №1.pdf", "application/pdf", pdf, &ids.pdf},
			{"logo.png", "image/png", png, &ids.png},
		} {
			status, raw := upload(t, e, ivan, base+"/documents", f.name, f.content)
			require.Equal(t, http.StatusCreated, status, string(raw))
			var d store.Document
			require.NoError(t, json.Unmarshal(raw, &d))
			require.Equal(t, f.contentType, d.ContentType)
			require.Equal(t, int64(len(f.content)), d.Size)
			require.Equal(t, f.name, d.Name)
			require.Equal(t, "ivan", d.UploadedBy)
			*f.id = d.ID

			resp, got := send(t, e, "GET", base+"/documents/"+d.ID, ivan, "", nil)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.True(t, bytes.Equal(f.content, got), "%s comes back byte for byte", f.name)
			require.Equal(t, f.contentType, resp.Header.Get("Content-Type"))
			require.Equal(t, fmt.Sprint(len(f.content)), resp.Header.Get("Content-Length"))
			disposition, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			require.NoError(t, err)
			require.Equal(t, "attachment", disposition)
			require.Equal(t, f.name, params["filename"])
		}

		docs, chunks := countDocuments(t, e)
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 2000)...)
		status, raw := upload(t, e, ivan, base+"/documents", "setup.exe", exe)
		p := requireProblem(t, http.StatusUnsupportedMediaType, "", status, raw)
		require.Contains(t, p.Detail, "application/octet-stream")

		big := append([]byte("%PDF-1.4\n"), make([]byte, 11<<20)...)
		status, raw = upload(t, e, ivan, base+"/documents", "big.pdf", big)
		requireProblem(t, http.StatusRequestEntityTooLarge, "", status, raw)
		status, raw = uploadChunked(t, e, ivan, base+"/documents", "big.pdf", big)
		requireProblem(t, http.StatusRequestEntityTooLarge, "", status, raw)
		var form bytes.Buffer
		contentType, err := writeForm(&form, "cut.pdf", pdf)
		require.NoError(t, err)
		resp, raw := send(t, e, "POST", base+"/documents", ivan, contentType, bytes.NewReader(form.Bytes()[:form.Len()/2]))
		requireProblem(t, http.StatusBadRequest, "", resp.StatusCode, raw)
		status, raw = uploadChunked(t, e, ivan, base+"/documents", "", []byte("just some notes\n"))
		require.Equal(t, http.StatusCreated, status, string(raw), "a streamed upload of an allowed size is taken")
		var notes store.Document
		require.NoError(t, json.Unmarshal(raw, &notes))
		require.Equal(t, "text/plain; charset=utf-8", notes.ContentType)
		require.Equal(t, "document", notes.Name)
		status, _ = e.Raw(t, "DELETE", base+"/documents/"+notes.ID, ivan, nil)
		require.Equal(t, http.StatusNoContent, status)

		d2, c2 := countDocuments(t, e)
		require.Equal(t, []int{docs, chunks}, []int{d2, c2}, "refused uploads leave no rows")

		var list struct{ Items []store.Document }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", base+"/documents", ivan, nil, &list))
		require.Len(t, list.Items, 2)
	})

	t.Run("another manager finds no client on any card endpoint", func(t *testing.T) {
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/addresses", nil},
			{"POST", "/addresses", map[string]any{"kind": "legal", "text": "x"}},
			{"PATCH", "/addresses/" + ids.address, map[string]any{"text": "x"}},
			{"DELETE", "/addresses/" + ids.address, nil},
			{"GET", "/bank-accounts", nil},
			{"POST", "/bank-accounts", map[string]any{"bik": "044525225", "account": "30101810400000000225"}},
			{"DELETE", "/bank-accounts/" + ids.account, nil},
			{"GET", "/contacts", nil},
			{"POST", "/contacts", map[string]any{"name": "x"}},
			{"PATCH", "/contacts/" + ids.contact, map[string]any{"name": "x"}},
			{"DELETE", "/contacts/" + ids.contact, nil},
			{"GET", "/characteristics", nil},
			{"PUT", "/characteristics/employees", map[string]any{"value": 1}},
			{"DELETE", "/characteristics/employees", nil},
			{"GET", "/documents", nil},
			{"GET", "/documents/" + ids.pdf, nil},
			{"DELETE", "/documents/" + ids.pdf, nil},
		} {
			status, raw := e.Raw(t, r.method, base+r.path, maria, r.body)
			require.Equal(t, http.StatusNotFound, status, "%s %s: %s", r.method, r.path, raw)
		}
		status, raw := upload(t, e, maria, base+"/documents", "a.pdf", pdf)
		require.Equal(t, http.StatusNotFound, status, string(raw))

		// Nothing of maria's reached the card.
		var docs struct{ Items []store.Document }
		e.Do(t, "GET", base+"/documents", ivan, nil, &docs)
		require.Len(t, docs.Items, 2)
		_, raw = e.Raw(t, "GET", base+"/characteristics", ivan, nil)
		require.JSONEq(t, `{"employees": 250}`, string(raw))
	})

	t.Run("removing entries", func(t *testing.T) {
		for _, path := range []string{"/addresses/" + ids.address, "/bank-accounts/" + ids.account, "/contacts/" + ids.contact,
			"/characteristics/employees", "/documents/" + ids.png} {
			status, raw := e.Raw(t, "DELETE", base+path, ivan, nil)
			require.Equal(t, http.StatusNoContent, status, "%s: %s", path, raw)
			status, _ = e.Raw(t, "DELETE", base+path, ivan, nil)
			require.Equal(t, http.StatusNotFound, status, path)
		}
		status, _ := e.Raw(t, "GET", base+"/documents/"+ids.png, ivan, nil)
		require.Equal(t, http.StatusNotFound, status)
	})

	t.Run("the client's trail has every card change", func(t *testing.T) {
		var trail struct{ Items []store.AuditEntry }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", base+"/audit?limit=200", ivan, nil, &trail))
		var got []string
		for _, a := range trail.Items {
			if a.Actor == "ivan" && a.Entity != "clients" {
				got = append(got, a.Action+" "+a.Entity)
			}
			require.NotEqual(t, "maria", a.Actor)
		}
		for _, want := range []string{
			"insert client_addresses", "update client_addresses", "delete client_addresses",
			"insert client_bank_accounts", "delete client_bank_accounts",
			"insert client_contacts", "update client_contacts", "delete client_contacts",
			"insert client_characteristics", "delete client_characteristics",
			"insert documents", "delete documents",
		} {
			require.Contains(t, got, want)
		}
		require.Equal(t, 3, countOf(got, "insert documents"), "two kept, one removed; no refused upload")
		require.Equal(t, 2, countOf(got, "delete documents"))
	})
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}
