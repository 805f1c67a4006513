package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// cardRequest is one request of an action: a JSON body for the API, a form
// for the UI, or a file uploaded as the multipart field "file".
type cardRequest struct {
	method, path string
	json         any
	form         url.Values
	file         []byte
}

// cardAction is something done to a client, its card or the organisation.
// prepare makes a fresh target (a client, a document, a user); done tells
// from the database, or from what came back, whether it took effect.
type cardAction struct {
	name    string
	allowed []string
	api     func(target string) cardRequest
	web     func(target string) cardRequest // nil: the UI has no such form
	prepare func(t *testing.T, e *testenv.Env, n int) string
	done    func(t *testing.T, e *testenv.Env, target string, status int, body []byte) bool
}

// cardSender sends a request as login and returns the status and body.
type cardSender func(t *testing.T, login string, r cardRequest) (int, []byte)

// Creating and editing clients, their cards and documents, and the
// organisation follow the same rules in the API and the UI: each action,
// for each demo user, is sent through both on a target of its own, and
// takes effect on both or on neither, as the rule says.
func TestClientAndOrganisationActionsFollowTheSameRulesInTheAPIAndTheUI(t *testing.T) {
	e := testenv.Seeded(t)
	api, ui := cardAPISender(e), cardWebSender(e)
	n := 0
	for _, a := range clientRuleActions() {
		for _, login := range []string{"ivan", "maria", "olga", "admin", "anna"} {
			want := slices.Contains(a.allowed, login)
			may := map[bool]string{true: "may", false: "may not"}[want]
			t.Run(login+" "+may+" "+a.name, func(t *testing.T) {
				for _, s := range []struct {
					name string
					send cardSender
					req  func(string) cardRequest
				}{{"API", api, a.api}, {"UI", ui, a.web}} {
					if s.req == nil {
						continue
					}
					n++
					target := a.prepare(t, e, n)
					status, body := s.send(t, login, s.req(target))
					require.Less(t, status, http.StatusInternalServerError, "%s: %s", s.name, body)
					require.Equal(t, want, a.done(t, e, target, status, body), "%s: %s by %s (status %d)", s.name, a.name, login, status)
					require.Equal(t, want, status < 400, "%s: the status %d says otherwise", s.name, status)
				}
			})
		}
	}
}

func clientRuleActions() []cardAction {
	admin := func(t *testing.T) context.Context { return store.WithActor(t.Context(), "admin") }
	everyone := store.Viewer{Login: "admin", Admin: true}
	// ivan's client (Moscow, CRM) is seen by maria too, through her grants;
	// sergey's in Saint Petersburg is not ivan's to see.
	client := func(owner, segment string) func(*testing.T, *testenv.Env, int) string {
		return func(t *testing.T, e *testenv.Env, n int) string {
			id := fmt.Sprintf("rules-%d", n)
			_, err := e.Store.CreateClient(admin(t), store.Client{ID: id, Name: "Rules " + id, Owner: owner,
				Segments: []string{segment}, ProductGroups: []string{"crm"}})
			require.NoError(t, err)
			return id
		}
	}
	clientIs := func(check func(store.Client) bool) func(*testing.T, *testenv.Env, string, int, []byte) bool {
		return func(t *testing.T, e *testenv.Env, id string, _ int, _ []byte) bool {
			cl, err := e.Store.Client(t.Context(), everyone, id)
			require.NoError(t, err)
			return check(cl)
		}
	}
	overview := func(id, owner string, segments ...string) url.Values {
		return url.Values{"name": {"Rules " + id}, "owner": {owner}, "segments": segments, "productGroups": {"crm"}}
	}
	user := func(t *testing.T, e *testenv.Env, n int) string {
		login := fmt.Sprintf("rules-user-%d", n)
		hash, err := auth.HashPassword("an-old-password")
		require.NoError(t, err)
		_, err = e.Store.CreateUser(admin(t), store.User{Login: login, Roles: []string{store.RoleManager}}, hash)
		require.NoError(t, err)
		return login
	}
	pdf := []byte("%PDF-1.4 a contract")
	return []cardAction{{
		name:    "create a client",
		allowed: []string{"ivan", "maria", "olga", "admin"},
		api: func(name string) cardRequest {
			return cardRequest{method: "POST", path: "/api/v1/clients", json: map[string]any{"name": name}}
		},
		web: func(name string) cardRequest {
			return cardRequest{method: "POST", path: "/clients", form: url.Values{"name": {name}}}
		},
		prepare: func(_ *testing.T, _ *testenv.Env, n int) string { return fmt.Sprintf("Rules client %d", n) },
		done: func(t *testing.T, e *testenv.Env, name string, _ int, _ []byte) bool {
			found, _, err := e.Store.Clients(t.Context(), everyone, store.ClientFilter{Name: name})
			require.NoError(t, err)
			return len(found) == 1
		},
	}, {
		name:    "give ivan's client to maria",
		allowed: []string{"olga", "admin"}, // ivan only to someone below him, maria does not decide
		api: func(id string) cardRequest {
			return cardRequest{method: "PATCH", path: "/api/v1/clients/" + id, json: map[string]any{"owner": "maria"}}
		},
		web: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/clients/" + id, form: overview(id, "maria", "msk")}
		},
		prepare: client("ivan", "msk"),
		done:    clientIs(func(cl store.Client) bool { return cl.Owner == "maria" }),
	}, {
		name:    "change the segments of ivan's client",
		allowed: []string{"ivan", "olga", "admin"},
		api: func(id string) cardRequest {
			return cardRequest{method: "PATCH", path: "/api/v1/clients/" + id, json: map[string]any{"segments": []string{"msk", "retail"}}}
		},
		web: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/clients/" + id, form: overview(id, "ivan", "msk", "retail")}
		},
		prepare: client("ivan", "msk"),
		done:    clientIs(func(cl store.Client) bool { return len(cl.Segments) == 2 }),
	}, {
		name:    "add a contact to sergey's client",
		allowed: []string{"maria", "olga", "admin"},
		api: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/api/v1/clients/" + id + "/contacts", json: map[string]any{"name": "Anna Kuznetsova"}}
		},
		web: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/clients/" + id + "/contacts", form: url.Values{"cname": {"Anna Kuznetsova"}}}
		},
		prepare: client("sergey", "spb"),
		done: func(t *testing.T, e *testenv.Env, id string, _ int, _ []byte) bool {
			contacts, err := e.Store.Contacts(t.Context(), everyone, id)
			require.NoError(t, err)
			return len(contacts) == 1
		},
	}, {
		name:    "upload a document to sergey's client",
		allowed: []string{"maria", "olga", "admin"},
		api: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/api/v1/clients/" + id + "/documents", file: pdf}
		},
		web: func(id string) cardRequest {
			return cardRequest{method: "POST", path: "/clients/" + id + "/documents", file: pdf}
		},
		prepare: client("sergey", "spb"),
		done: func(t *testing.T, e *testenv.Env, id string, _ int, _ []byte) bool {
			docs, err := e.Store.Documents(t.Context(), everyone, id)
			require.NoError(t, err)
			return len(docs) == 1
		},
	}, {
		name:    "download a document of sergey's client",
		allowed: []string{"maria", "olga", "admin"},
		api:     func(doc string) cardRequest { return cardRequest{method: "GET", path: "/api/v1/clients/" + doc} },
		web:     func(doc string) cardRequest { return cardRequest{method: "GET", path: "/clients/" + doc} },
		prepare: func(t *testing.T, e *testenv.Env, n int) string {
			id := client("sergey", "spb")(t, e, n)
			d, err := e.Store.CreateDocument(admin(t), everyone, store.Document{ClientID: id, Name: "contract.pdf",
				ContentType: "application/pdf"}, bytes.NewReader(pdf), 1<<20)
			require.NoError(t, err)
			return id + "/documents/" + d.ID
		},
		done: func(_ *testing.T, _ *testenv.Env, _ string, status int, body []byte) bool {
			return status == http.StatusOK && bytes.Equal(body, pdf)
		},
	}, {
		name:    "change a manager's grants",
		allowed: []string{"admin"},
		api: func(login string) cardRequest {
			return cardRequest{method: "PUT", path: "/api/v1/users/" + login + "/grants",
				json: map[string]any{"segments": []string{"msk"}, "productGroups": []string{"crm"}}}
		},
		web: func(login string) cardRequest {
			return cardRequest{method: "POST", path: "/organisation/grants/" + login,
				form: url.Values{"segments": {"msk"}, "productGroups": {"crm"}}}
		},
		prepare: user,
		done: func(t *testing.T, e *testenv.Env, login string, _ int, _ []byte) bool {
			g, err := e.Store.Grants(t.Context(), login)
			require.NoError(t, err)
			return len(g.Segments) == 1
		},
	}, {
		name:    "change another user's password",
		allowed: []string{"admin"},
		api: func(login string) cardRequest {
			return cardRequest{method: "PATCH", path: "/api/v1/users/" + login, json: map[string]any{"password": "a-new-password"}}
		},
		web:     nil, // the UI has no form for passwords
		prepare: user,
		done: func(t *testing.T, e *testenv.Env, login string, _ int, _ []byte) bool {
			hash, _, err := e.Store.PasswordHash(t.Context(), login)
			require.NoError(t, err)
			return auth.CheckPassword(hash, "a-new-password")
		},
	}}
}

// cardBody is r's body for the API (JSON, or a multipart upload) with its
// type; csrf, when given, goes first in a form, as the UI's forms put it.
func cardBody(t *testing.T, r cardRequest, csrf string) (io.Reader, string) {
	switch {
	case r.file != nil:
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if csrf != "" {
			require.NoError(t, w.WriteField("csrf", csrf))
		}
		f, err := w.CreateFormFile("file", "contract.pdf")
		require.NoError(t, err)
		_, err = f.Write(r.file)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		return &b, w.FormDataContentType()
	case r.form != nil:
		form := url.Values{"csrf": {csrf}}
		for k, v := range r.form {
			form[k] = v
		}
		return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	case r.json != nil:
		j, err := json.Marshal(r.json)
		require.NoError(t, err)
		return bytes.NewReader(j), "application/json"
	}
	return nil, ""
}

func cardSend(t *testing.T, hc *http.Client, method, u string, body io.Reader, contentType string, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// cardAPISender sends with the user's bearer token.
func cardAPISender(e *testenv.Env) cardSender {
	tokens := map[string]string{}
	return func(t *testing.T, login string, r cardRequest) (int, []byte) {
		if tokens[login] == "" {
			tokens[login] = e.Login(t, login)
		}
		body, contentType := cardBody(t, r, "")
		return cardSend(t, http.DefaultClient, r.method, e.URL+r.path, body, contentType,
			http.Header{"Authorization": {"Bearer " + tokens[login]}})
	}
}

var cardCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// cardWebSender sends as a browser would without one: a session cookie,
// the session's CSRF token in every form, redirects not followed.
func cardWebSender(e *testenv.Env) cardSender {
	type session struct {
		hc   *http.Client
		csrf string
	}
	sessions := map[string]session{}
	return func(t *testing.T, login string, r cardRequest) (int, []byte) {
		s, ok := sessions[login]
		if !ok {
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			s.hc = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			_, page := cardSend(t, s.hc, "GET", e.URL+"/login", nil, "", nil)
			password := map[bool]string{true: "admin", false: "demo"}[login == "admin"]
			form := url.Values{"login": {login}, "password": {password}, "csrf": {string(cardCSRF.FindSubmatch(page)[1])}}
			status, _ := cardSend(t, s.hc, "POST", e.URL+"/login", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", nil)
			require.Equal(t, http.StatusSeeOther, status)
			// Every page's forms carry the session's token.
			_, page = cardSend(t, s.hc, "GET", e.URL+"/clients", nil, "", nil)
			s.csrf = string(cardCSRF.FindSubmatch(page)[1])
			sessions[login] = s
		}
		body, contentType := cardBody(t, r, s.csrf)
		return cardSend(t, s.hc, r.method, e.URL+r.path, body, contentType, nil)
	}
}
