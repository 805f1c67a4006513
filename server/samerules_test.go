package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// surface is one way in: the API (a bearer token) or the web UI (a session
// cookie and its CSRF token).
type surface struct {
	name string
	// do sends the action as login and tells what came back.
	do func(t *testing.T, login string, a action, target string) int
}

// action is one thing a user may be allowed to do; target is a work item's
// or a process's id (or, to publish, a fresh definition id).
type action struct {
	name string
	api  func(target string) (method, path string, body any)
	web  func(target string) (method, path string, form url.Values)
	// prepare makes a fresh target for the action; done tells afterwards
	// whether the action took effect.
	prepare func(t *testing.T, e *testenv.Env, olga string, n int) string
	done    func(t *testing.T, e *testenv.Env, target string) bool
}

// The same rule is enforced for the same action from the API and the UI:
// each action, for each demo user, is sent through both, each on a target
// of its own, and takes effect on both or on neither, as the rule says.
func TestEveryActionFollowsTheSameRulesInTheAPIAndTheUI(t *testing.T) {
	e := testenv.Seeded(t)
	olga := e.Login(t, "olga")
	api := surface{name: "API", do: apiDoer(e)}
	ui := surface{name: "UI", do: webDoer(e)}
	allowed := map[string][]string{
		"start an opened item": {"ivan"}, // its assignee, not a supervisor looking at it
		"complete an item":     {"ivan", "olga", "admin"},
		"reassign an item":     {"olga", "admin"},
		"cancel a process":     {"olga", "admin"},
		"move a process on":    {"olga", "admin"},
		"publish a definition": {"anna", "admin"},
		"start a process":      {"ivan", "maria", "olga", "admin"},
	}
	n := 0
	for _, a := range sameRuleActions() {
		for _, login := range []string{"ivan", "maria", "olga", "admin", "anna"} {
			want := slices.Contains(allowed[a.name], login)
			may := map[bool]string{true: "may", false: "may not"}[want]
			t.Run(login+" "+may+" "+a.name, func(t *testing.T) {
				for _, s := range []surface{api, ui} {
					n++
					target := a.prepare(t, e, olga, n)
					status := s.do(t, login, a, target)
					require.Equal(t, want, a.done(t, e, target), "%s: %s by %s (status %d)", s.name, a.name, login, status)
					require.Less(t, status, http.StatusInternalServerError, s.name)
					// The UI's page of an item one only looks at is no refusal.
					if s.name == "API" {
						require.Equal(t, want, status < 400, "%s: the status %d says otherwise", s.name, status)
					}
				}
			})
		}
	}
}

func sameRuleActions() []action {
	item := func(t *testing.T, e *testenv.Env, olga string, _ int) string {
		p := start(t, e, olga, map[string]any{"definition": "sales", "client": "demo-vector",
			"variables": map[string]any{"source": "website"}})
		w := openItem(t, e, olga, p.ID)
		require.Equal(t, "ivan", w.Assignee)
		return w.ID
	}
	process := func(t *testing.T, e *testenv.Env, olga string, n int) string {
		w := item(t, e, olga, n)
		return strings.TrimSuffix(w, ".1")
	}
	itemIs := func(check func(store.WorkItem) bool) func(*testing.T, *testenv.Env, string) bool {
		return func(t *testing.T, e *testenv.Env, id string) bool {
			w, err := e.Store.WorkItem(t.Context(), id)
			require.NoError(t, err)
			return check(w)
		}
	}
	processIs := func(check func(store.Process) bool) func(*testing.T, *testenv.Env, string) bool {
		return func(t *testing.T, e *testenv.Env, id string) bool {
			p, err := e.Store.Process(t.Context(), id)
			require.NoError(t, err)
			return check(p)
		}
	}
	processCount := func(t *testing.T, e *testenv.Env) int {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM processes WHERE client_id = 'demo-vector'`).Scan(&n))
		return n
	}
	return []action{{
		name: "start a process",
		api: func(string) (string, string, any) {
			return "POST", "/api/v1/processes", map[string]any{"definition": "sales", "client": "demo-vector",
				"variables": map[string]any{"source": "website"}}
		},
		web: func(string) (string, string, url.Values) {
			return "POST", "/clients/demo-vector/start/sales", url.Values{"source": {"website"}}
		},
		// The target is how many processes the client had.
		prepare: func(t *testing.T, e *testenv.Env, _ string, _ int) string { return strconv.Itoa(processCount(t, e)) },
		done: func(t *testing.T, e *testenv.Env, before string) bool {
			return strconv.Itoa(processCount(t, e)) != before
		},
	}, {
		name:    "start an opened item",
		api:     func(id string) (string, string, any) { return "POST", "/api/v1/work-items/" + id + "/start", nil },
		web:     func(id string) (string, string, url.Values) { return "GET", "/work/" + id, nil },
		prepare: item,
		done:    itemIs(func(w store.WorkItem) bool { return w.State == store.ItemInProgress }),
	}, {
		name: "complete an item",
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/work-items/" + id + "/complete", map[string]any{"data": map[string]any{"result": "refused"}}
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/work/" + id, url.Values{"result": {"refused"}}
		},
		prepare: item,
		done:    itemIs(func(w store.WorkItem) bool { return w.State == store.ItemDone }),
	}, {
		name: "reassign an item",
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/work-items/" + id + "/reassign", map[string]any{"assignee": "maria"}
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/work/" + id + "/reassign", url.Values{"to": {"maria"}}
		},
		prepare: item,
		done:    itemIs(func(w store.WorkItem) bool { return w.Assignee == "maria" }),
	}, {
		name: "cancel a process",
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/processes/" + id + "/cancel", map[string]string{"reason": "same rules"}
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/processes/" + id + "/cancel", url.Values{"reason": {"same rules"}}
		},
		prepare: process,
		done:    processIs(func(p store.Process) bool { return p.State == store.ProcessCancelled }),
	}, {
		name: "move a process on",
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/processes/" + id + "/move", map[string]any{"to": "lost"}
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/processes/" + id + "/move", url.Values{"to": {"lost"}}
		},
		prepare: process,
		done:    processIs(func(p store.Process) bool { return p.End == "lost" }),
	}, {
		name: "publish a definition",
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/definitions", sameRuleDefinition(id)
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/definitions/publish", url.Values{"source": {sameRuleDefinition(id)}}
		},
		prepare: func(_ *testing.T, _ *testenv.Env, _ string, n int) string { return fmt.Sprintf("same-rules-%d", n) },
		done: func(t *testing.T, e *testenv.Env, id string) bool {
			_, err := e.Store.DefinitionVersion(t.Context(), id, 1)
			return err == nil
		},
	}}
}

// apiDoer sends an action with the user's bearer token; a definition goes
// as the YAML body it is.
func apiDoer(e *testenv.Env) func(*testing.T, string, action, string) int {
	tokens := map[string]string{}
	return func(t *testing.T, login string, a action, target string) int {
		if tokens[login] == "" {
			tokens[login] = e.Login(t, login)
		}
		method, path, body := a.api(target)
		if src, ok := body.(string); ok {
			req, err := http.NewRequestWithContext(t.Context(), method, e.URL+path, strings.NewReader(src))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+tokens[login])
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		status, _ := e.Raw(t, method, path, tokens[login], body)
		return status
	}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webDoer sends an action as a browser would without one: a session
// cookie, and the session's CSRF token in every form.
func webDoer(e *testenv.Env) func(*testing.T, string, action, string) int {
	type session struct {
		hc   *http.Client
		csrf string
	}
	sessions := map[string]session{}
	password := map[string]string{"admin": "admin"}
	return func(t *testing.T, login string, a action, target string) int {
		s, ok := sessions[login]
		if !ok {
			jar, err := cookiejar.New(nil)
			require.NoError(t, err)
			s.hc = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			csrf := csrfInput.FindStringSubmatch(formBody(t, s.hc, "GET", e.URL+"/login", nil))[1]
			pw := password[login]
			if pw == "" {
				pw = "demo"
			}
			resp, err := s.hc.PostForm(e.URL+"/login", url.Values{"login": {login}, "password": {pw}, "csrf": {csrf}})
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			s.csrf = csrfInput.FindStringSubmatch(formBody(t, s.hc, "GET", e.URL+"/work", nil))[1]
			sessions[login] = s
		}
		method, path, form := a.web(target)
		if form != nil {
			form.Set("csrf", s.csrf)
		}
		resp, err := sendForm(t, s.hc, method, e.URL+path, form)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
}

func sendForm(t *testing.T, hc *http.Client, method, u string, form url.Values) (*http.Response, error) {
	var r io.Reader
	if form != nil {
		r = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, r)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return hc.Do(req)
}

func formBody(t *testing.T, hc *http.Client, method, u string, form url.Values) string {
	resp, err := sendForm(t, hc, method, u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// sameRuleDefinition is the least definition with id.
func sameRuleDefinition(id string) string {
	return "id: " + id + "\ntitle: Same rules\nstart: first\nstages:\n  first:\n    title: First\n" +
		"    assignee: {user: ivan}\n    transitions:\n      - to: done\nends:\n  done: {title: Done}\n"
}

// A definition keeps its identity through both ways in: the editor of one
// definition (the API's ?of=) publishes no other, and a new one (?new=true)
// is no version of one that exists.
func TestADefinitionKeepsItsIdentityInTheAPIAndTheUI(t *testing.T) {
	e := testenv.Seeded(t)
	api := surface{name: "API", do: apiDoer(e)}
	ui := surface{name: "UI", do: webDoer(e)}
	versions := func(t *testing.T, id string) int {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM definition_versions WHERE definition_id = $1`, id).Scan(&n))
		return n
	}
	publishNew := action{
		api: func(id string) (string, string, any) {
			return "POST", "/api/v1/definitions?new=true", sameRuleDefinition(id)
		},
		web: func(id string) (string, string, url.Values) {
			return "POST", "/definitions/publish", url.Values{"source": {sameRuleDefinition(id)}}
		},
	}
	// The target is "of/id": publish id from the editor of definition of.
	publishInto := action{
		api: func(target string) (string, string, any) {
			of, id, _ := strings.Cut(target, "/")
			return "POST", "/api/v1/definitions?of=" + url.QueryEscape(of), sameRuleDefinition(id)
		},
		web: func(target string) (string, string, url.Values) {
			of, id, _ := strings.Cut(target, "/")
			return "POST", "/definitions/" + url.PathEscape(of) + "/publish", url.Values{"source": {sameRuleDefinition(id)}}
		},
	}
	for _, s := range []surface{api, ui} {
		t.Run(s.name, func(t *testing.T) {
			mine, other := "identity-"+strings.ToLower(s.name), "identity-other-"+strings.ToLower(s.name)
			status := s.do(t, "anna", publishNew, mine)
			require.Less(t, status, 400, "a new definition is published")
			require.Equal(t, 1, versions(t, mine))

			require.Equal(t, http.StatusUnprocessableEntity, s.do(t, "anna", publishNew, mine), "a new one with the id of one that exists")
			require.Equal(t, 1, versions(t, mine), "and no version is added")

			require.Equal(t, http.StatusUnprocessableEntity, s.do(t, "anna", publishInto, mine+"/"+other), "another id from the editor of one")
			require.Zero(t, versions(t, other), "and nothing is published under the other id")

			require.Less(t, s.do(t, "anna", publishInto, mine+"/"+mine), 400, "the same id from its editor")
		})
	}
}
