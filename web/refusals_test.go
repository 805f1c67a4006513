package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// browserless is a plain HTTP client that keeps cookies and does not
// follow redirects, so a test sees where a post leads.
func browserless(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// postForm sends a form with the CSRF token of page (a path) and returns the
// status, the Location and the body.
func postForm(t *testing.T, hc *http.Client, base, page, path string, form url.Values) (int, string, string) {
	t.Helper()
	form.Set("csrf", csrfField.FindStringSubmatch(get(t, hc, base+page))[1])
	resp, err := hc.PostForm(base+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func webSession(t *testing.T, base, login, password string) *http.Client {
	t.Helper()
	hc := browserless(t)
	status, where, body := postForm(t, hc, base, "/login", "/login", url.Values{"login": {login}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Equal(t, "/desk", where)
	return hc
}

// The sign-in form shows a login out of bounds beside its field, with the
// API's message, and records nothing.
func TestTheSignInFormRefusesALoginOutOfBoundsBesideTheField(t *testing.T) {
	e := testenv.New(t)
	hc := browserless(t)
	for _, tc := range []struct{ name, login, message string }{
		{"a NUL", "iv\x00an", "must not contain control characters or invalid UTF-8"},
		// Longer forms stop at the sign-in form's body limit (413).
		{"64 characters", strings.Repeat("x", 64), "must be at most 63 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := postForm(t, hc, e.URL, "/login", "/login", url.Values{"login": {tc.login}, "password": {"demo"}})
			require.Equal(t, http.StatusUnprocessableEntity, status)
			require.Contains(t, body, `<div class="field-error" id="e-login">`+tc.message+`</div>`)
			require.NotContains(t, body, strings.Repeat("x", 64), "what was typed is not shown again")
		})
	}
	var failures int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM audit WHERE action = 'login_failed'`).Scan(&failures))
	require.Zero(t, failures)
}

// The client form checks a name with the same table as the API, and says so
// beside the field.
func TestTheClientFormRefusesANameOutOfBoundsBesideTheField(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "olga", "demo")
	status, _, body := postForm(t, hc, e.URL, "/clients/new", "/clients", url.Values{"name": {strings.Repeat("я", 9000)}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-name">must be at most 500 characters</div>`)
	status, _, body = postForm(t, hc, e.URL, "/clients/demo-bakery", "/clients/demo-bakery", url.Values{"name": {"Bakery\x00"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-name">must not contain control characters or invalid UTF-8</div>`)
}

// The card's forms refuse what the database would, beside the field.
func TestTheCardFormsRefuseControlCharactersBesideTheField(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "olga", "demo")
	page := "/clients/demo-bakery?tab=contacts"
	status, _, body := postForm(t, hc, e.URL, page, "/clients/demo-bakery/contacts", url.Values{"cname": {"Anna\x00"}, "note": {"line one\nline two"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-cname">must not contain control characters or invalid UTF-8</div>`)
	require.NotContains(t, body, `id="e-note"`, "line breaks are text")
	contacts, err := e.Store.Contacts(t.Context(), store.Viewer{Admin: true}, "demo-bakery")
	require.NoError(t, err)
	for _, ct := range contacts {
		require.NotContains(t, ct.Name, "Anna", "the refused contact is not stored")
	}
}

// The hand-over form offers, and the server accepts, only users below the
// supervisor who may see the client.
func TestAHandOverInTheUIStaysInTheSupervisorsSubtree(t *testing.T) {
	e := testenv.Seeded(t)
	ctx := store.WithActor(t.Context(), "test")
	cold := waitForItem(t, e, "ivan", func(w store.WorkItem) bool { return w.ClientName == "Romashka LLC" })
	hc := webSession(t, e.URL, "olga", "demo")
	page := get(t, hc, e.URL+"/processes/"+cold.ProcessID)
	handOver := page[strings.Index(page, `<select id="to"`):]
	handOver = handOver[:strings.Index(handOver, "</select>")]
	require.True(t, strings.HasPrefix(handOver, `<select id="to" name="to" required><option value="">`), "nobody is chosen for the supervisor: %s", handOver)
	require.Contains(t, handOver, `<option value="maria">`)
	require.NotContains(t, handOver, `value="anna"`, "not below olga")
	require.NotContains(t, handOver, `value="ivan"`, "the one who has it is not offered")
	require.NotContains(t, handOver, `value="admin"`)

	status, _, body := postForm(t, hc, e.URL, "/processes/"+cold.ProcessID, "/work/"+cold.ID+"/reassign", url.Values{"to": {"anna"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "anna cannot take this work")
	w, err := e.Store.WorkItem(ctx, cold.ID)
	require.NoError(t, err)
	require.Equal(t, "ivan", w.Assignee)

	status, where, _ := postForm(t, hc, e.URL, "/processes/"+cold.ProcessID, "/work/"+cold.ID+"/reassign", url.Values{"to": {"olga"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/processes/"+cold.ProcessID, where)
	require.Contains(t, get(t, hc, e.URL+where), `action="/work/`+cold.ID+`/reassign"`, "the supervisor keeps the hand-over after taking the item")
	status, _, _ = postForm(t, hc, e.URL, "/processes/"+cold.ProcessID, "/work/"+cold.ID+"/reassign", url.Values{"to": {"maria"}, "note": {"call after lunch"}})
	require.Equal(t, http.StatusSeeOther, status)
	page = get(t, hc, e.URL+where)
	require.Contains(t, page, `action="/work/`+cold.ID+`/reassign"`, "and after handing it on")
	require.Contains(t, page, `<div class="muted delegated handed-over">Handed over by Olga Petrova: call after lunch</div>`, "the note is shown with the item")
	w, err = e.Store.WorkItem(ctx, cold.ID)
	require.NoError(t, err)
	require.Equal(t, "maria", w.Assignee)
}

// maria sees Neva Trade through her grants: she may correct its name, not
// change who sees it.
func TestTheClientCardKeepsWhoSeesAClientToItsOwnersChain(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "maria", "demo")
	form := url.Values{"name": {"Neva Trade"}, "segments": {"spb", "retail"}, "productGroups": {"consulting", "crm"}}
	status, _, body := postForm(t, hc, e.URL, "/clients/demo-neva", "/clients/demo-neva", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "only the client&#39;s owner, a supervisor above the owner or an admin changes its owner, segments and product groups")

	form.Set("name", "Neva Trade LLC")
	form["productGroups"] = []string{"consulting"}
	status, _, _ = postForm(t, hc, e.URL, "/clients/demo-neva", "/clients/demo-neva", form)
	require.Equal(t, http.StatusSeeOther, status)
	cl, err := e.Store.Client(t.Context(), store.Viewer{Admin: true}, "demo-neva")
	require.NoError(t, err)
	require.Equal(t, "Neva Trade LLC", cl.Name)
	require.Equal(t, []string{"consulting"}, cl.ProductGroups)
}

// A new password ends the user's web sessions too.
func TestAPasswordChangeEndsTheWebSessions(t *testing.T) {
	e := testenv.New(t)
	hc := webSession(t, e.URL, "ivan", "demo")
	get(t, hc, e.URL+"/work")
	status := e.Do(t, "PATCH", "/api/v1/users/ivan", e.Login(t, "ivan"),
		map[string]any{"password": "a good long one", "currentPassword": "demo"}, nil)
	require.Equal(t, http.StatusOK, status)
	resp, err := hc.Get(e.URL + "/work")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login", resp.Header.Get("Location"))
}

// The editor words the service's refusal of a definition's id in the
// page's language, at the id's line.
func TestTheEditorSaysInRussianThatADefinitionKeepsItsID(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "anna", "demo")
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	src := "# another\nid: not-sales\ntitle: X\nstart: a\nstages:\n  a:\n    title: A\n    assignee: {user: ivan}\n" +
		"    transitions:\n      - to: done\nends:\n  done: {title: Done}\n"
	status, _, body := postForm(t, hc, e.URL, "/definitions/sales", "/definitions/sales/publish", url.Values{"source": {src}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `data-line="2" data-column="5">2:5: идентификатор здесь должен остаться &#34;sales&#34;`)
}

// The account page changes one's own password by the API's rules: the
// current password, at least 10 characters, and the other sessions end
// while this one stays.
func TestAUserChangesTheirPasswordInTheUI(t *testing.T) {
	e := testenv.New(t)
	hc := webSession(t, e.URL, "ivan", "demo")
	other := webSession(t, e.URL, "ivan", "demo")
	change := func(current, password, confirm string) (int, string, string) {
		return postForm(t, hc, e.URL, "/account", "/account/password",
			url.Values{"currentPassword": {current}, "password": {password}, "confirm": {confirm}})
	}
	for _, tc := range []struct{ name, current, password, confirm, field, message string }{
		{"the confirmation differs", "demo", "a good long one", "a good long two", "confirm", "the two new passwords differ"},
		{"too short", "demo", "short", "short", "password", "must be at least 10 characters"},
		{"no current password", "", "a good long one", "a good long one", "currentPassword", "required"},
		{"a wrong current password", "wrong", "a good long one", "a good long one", "currentPassword", "the password is wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := change(tc.current, tc.password, tc.confirm)
			require.Equal(t, http.StatusUnprocessableEntity, status)
			require.Contains(t, body, `<div class="field-error" id="e-`+tc.field+`">`+tc.message+`</div>`)
		})
	}
	status, where, _ := change("demo", "a good long one", "a good long one")
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/account?changed=true", where)
	require.Contains(t, get(t, hc, e.URL+where), `id="password-changed"`, "this session stays")
	resp, err := other.Get(e.URL + "/work")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/login", resp.Header.Get("Location"), "the other session ended")
	webSession(t, e.URL, "ivan", "a good long one")
}

// Cancelling asks first, and takes a reason, which the process then shows.
func TestCancellingAProcessAsksWhyAndShowsIt(t *testing.T) {
	e := testenv.Seeded(t)
	var id string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM processes WHERE business_key = 'demo-1'`).Scan(&id))
	hc := webSession(t, e.URL, "olga", "demo")
	page := get(t, hc, e.URL+"/processes/"+id)
	require.Contains(t, page, `action="/processes/`+id+`/cancel"><p><button class="danger" type="submit" id="cancel">`, "the button asks first")
	question := get(t, hc, e.URL+"/processes/"+id+"/cancel")
	require.Contains(t, question, "Cancel the process?")
	require.Contains(t, question, `<p id="cancel-what">Process Sales conveyor — Romashka LLC · stage: Cold call`, "titles, not ids")
	require.Contains(t, question, `<textarea id="reason" name="reason"`)

	status, _, body := postForm(t, hc, e.URL, "/processes/"+id+"/cancel", "/processes/"+id+"/cancel", url.Values{"reason": {"   "}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-reason">required</div>`)
	p, err := e.Store.Process(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, store.ProcessRunning, p.State, "nothing is cancelled without a reason")

	status, where, _ := postForm(t, hc, e.URL, "/processes/"+id+"/cancel", "/processes/"+id+"/cancel", url.Values{"reason": {"the client closed down"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Contains(t, get(t, hc, e.URL+where), `<p id="cancel-reason">Cancelled by olga: the client closed down</p>`)

	ivan := webSession(t, e.URL, "ivan", "demo")
	resp, err := ivan.Get(e.URL + "/processes/" + id + "/cancel")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "a manager is not asked")
}

// A new client with the INN and KPP of one the user may see links to it,
// in the page's language.
func TestTheClientFormLinksToTheClientThatHasTheINN(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "ivan", "demo")
	form := url.Values{"name": {"Romashka again"}, "inn": {"7707083893"}, "kpp": {"773601001"}}
	status, _, body := postForm(t, hc, e.URL, "/clients/new", "/clients", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-inn">a client with this INN and KPP already exists: Romashka LLC</div>`)
	require.Contains(t, body, `<a href="/clients/demo-romashka" id="duplicate">Open Romashka LLC</a>`)
}

// The sign-in limits are said in the page's language, with when to try
// again.
func TestTheSignInLimitsAreSaidInRussian(t *testing.T) {
	e := testenv.New(t)
	hc := browserless(t)
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	var body string
	status := 0
	for range 7 {
		status, _, body = postForm(t, hc, e.URL, "/login", "/login", url.Values{"login": {"ivan"}, "password": {"wrong"}})
	}
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Contains(t, body, "Слишком много неудачных попыток входа под этим логином: попробуйте снова через")
	require.NotContains(t, body, "too many")
}

// A start's variables are a form from the conveyor's schema: a required one
// left empty is refused beside its field and nothing starts.
func TestAStartAsksForTheConveyorsVariablesBesideTheirFields(t *testing.T) {
	e := testenv.Seeded(t)
	src := "id: budgeted\ntitle: Budgeted\nvariables:\n  type: object\n  required: [budget]\n  properties:\n" +
		"    budget: {title: Budget, type: number, minimum: 1}\nstart: a\nstages:\n  a:\n    title: A\n    assignee: {user: ivan}\n" +
		"    transitions:\n      - to: done\nends:\n  done: {title: Done}\n"
	publishAs(t, e, "anna", src)

	hc := webSession(t, e.URL, "ivan", "demo")
	page := get(t, hc, e.URL+"/clients/demo-romashka/start/budgeted")
	require.Contains(t, page, `<label for="f-budget">Budget <span class="req">*</span></label>`)
	status, _, body := postForm(t, hc, e.URL, "/clients/demo-romashka/start/budgeted", "/clients/demo-romashka/start/budgeted", url.Values{"budget": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `id="e-budget"`)
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM processes WHERE definition_id = 'budgeted'`).Scan(&n))
	require.Zero(t, n)
	status, where, _ := postForm(t, hc, e.URL, "/clients/demo-romashka/start/budgeted", "/clients/demo-romashka/start/budgeted", url.Values{"budget": {"1500"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Contains(t, where, "/processes/")
}

// Dates and times are typed as the app writes them, whatever the browser's
// locale: the input is text with the format shown.
func TestACallBackTimeIsTypedInTheAppsFormat(t *testing.T) {
	e := testenv.Seeded(t)
	ctx := store.WithActor(t.Context(), "test")
	cold := waitForItem(t, e, "ivan", func(w store.WorkItem) bool { return w.Stage == "cold_call" })
	hc := webSession(t, e.URL, "ivan", "demo")
	page := get(t, hc, e.URL+"/work/"+cold.ID)
	require.Contains(t, page, `<input type="text" id="f-callBackAt" name="callBackAt" value="" placeholder="31.12.2026 18:00" inputmode="numeric"`)
	status, _, body := postForm(t, hc, e.URL, "/work/"+cold.ID, "/work/"+cold.ID, url.Values{"result": {"call_back"}, "callBackAt": {"05.12.2026 10:00"}})
	require.Equal(t, http.StatusOK, status, body)
	items, _, err := e.Store.WorkItems(ctx, store.Viewer{Admin: true}, store.ItemFilter{Assignee: "ivan", State: "open"})
	require.NoError(t, err)
	var next *store.WorkItem
	for i, w := range items {
		if w.ProcessID == cold.ProcessID {
			next = &items[i]
		}
	}
	require.NotNil(t, next)
	require.Equal(t, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), next.PlannedStart.UTC())
}

// A definition written in several languages shows each user theirs: the
// conveyor's and the stage's titles, a field's label and its choices.
func TestADefinitionInSeveralLanguagesShowsTheUsers(t *testing.T) {
	e := testenv.Seeded(t)
	src := "id: multi\ntitle: {ru: Продажи, en: Sales}\nstart: call\nstages:\n  call:\n    title: {ru: Холодный звонок, en: Cold call}\n" +
		"    assignee: {user: ivan}\n    form:\n      type: object\n      required: [result]\n      properties:\n        result:\n" +
		"          title: {ru: Итог, en: Result}\n          type: string\n          oneOf:\n" +
		"            - {const: interested, title: {ru: Интересно, en: Interested}}\n            - {const: refused, title: {ru: Отказ, en: Refused}}\n" +
		"    transitions:\n      - to: done\nends:\n  done: {title: {ru: Готово, en: Done}}\n"
	publishAs(t, e, "anna", src)
	var started struct {
		ID       string
		OpenItem struct{ ID string } `json:"openItem"`
	}
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", e.Login(t, "olga"),
		map[string]any{"definition": "multi", "client": "demo-romashka"}, &started))
	require.NotEmpty(t, started.OpenItem.ID)

	hc := webSession(t, e.URL, "ivan", "demo")
	en := get(t, hc, e.URL+"/work/"+started.OpenItem.ID)
	require.Contains(t, en, "<h1>Cold call")
	require.Contains(t, en, `<label for="f-result">Result`)
	require.Contains(t, en, `<option value="interested">Interested</option>`)
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	ru := get(t, hc, e.URL+"/work/"+started.OpenItem.ID)
	require.Contains(t, ru, "<h1>Холодный звонок")
	require.Contains(t, ru, `<label for="f-result">Итог`)
	require.Contains(t, ru, `<option value="interested">Интересно</option>`)
	require.Contains(t, ru, ">Продажи</a>")
	require.Contains(t, get(t, hc, e.URL+"/work"), ">Холодный звонок</a>", "My work names the stage in Russian too")
	page := get(t, hc, e.URL+"/processes/"+started.ID)
	require.Contains(t, page, "Продажи")
	require.Contains(t, page, "Холодный звонок", "the history and the Gantt name the stage in Russian")
	require.NotContains(t, page, "Cold call")
}

// The process list has the same search as My work: any part of the
// client's name, in any case, ё as е.
func TestTheProcessListSearchesByClient(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "olga", "demo")
	page := get(t, hc, e.URL+"/processes?q="+url.QueryEscape("ROMASH"))
	require.Contains(t, page, `id="p-q" value="ROMASH"`)
	require.Contains(t, page, "Romashka LLC")
	require.NotContains(t, page, "Vector JSC")
	var list struct{ Items []struct{ ClientName string } }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes?q=vector", e.Login(t, "olga"), nil, &list))
	require.NotEmpty(t, list.Items)
	for _, p := range list.Items {
		require.Equal(t, "Vector JSC", p.ClientName)
	}
}

// The editor says a definition's problems in the analyst's language.
func TestTheEditorSaysADefinitionsProblemsInRussian(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "anna", "demo")
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	src := "id: broken\ntitle: X\nstart: nowhere\nstages:\n  a:\n    title: A\n    assignee: {user: ivan}\n    progress: 120\n" +
		"    transitions:\n      - to: done\nends:\n  done: {title: Done}\n"
	status, _, body := postForm(t, hc, e.URL, "/definitions/new", "/definitions/publish", url.Values{"source": {src}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "start называет неизвестный этап &#34;nowhere&#34;")
	require.Contains(t, body, "progress должен быть от 0 до 100, а не 120")
}

// The analytics page draws the conveyor's funnel with the table beside it,
// in the page's language; a wrong period says so.
func TestTheAnalyticsPageShowsTheFunnel(t *testing.T) {
	e := testenv.Seeded(t)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM stage_log WHERE event = 'entered'`).Scan(&n))
		return n >= 3
	}, 20*time.Second, 50*time.Millisecond, "the demo's three processes entered their first stage")
	hc := webSession(t, e.URL, "olga", "demo")
	page := get(t, hc, e.URL+"/analytics?definition=sales")
	require.Contains(t, page, `<svg xmlns="http://www.w3.org/2000/svg"`)
	require.Contains(t, page, `aria-label="Funnel: Sales conveyor"`)
	require.Contains(t, page, `<td data-label="Stage">Cold call</td><td data-label="Reached">3</td>`)
	require.Contains(t, page, "3 processes started in the period")

	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	ru := get(t, hc, e.URL+"/analytics?definition=sales")
	require.Contains(t, ru, "Воронка: Конвейер продаж")
	require.Contains(t, ru, `<td data-label="Этап">Холодный звонок</td>`)

	resp, err := hc.Get(e.URL + "/analytics?definition=sales&from=2026-12-10&to=2026-12-01")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
}

// waitForItem waits for an open work item of assignee that match takes:
// the demo's processes open theirs moments after the seed.
func waitForItem(t *testing.T, e *testenv.Env, assignee string, match func(store.WorkItem) bool) store.WorkItem {
	t.Helper()
	var found store.WorkItem
	require.Eventually(t, func() bool {
		items, _, err := e.Store.WorkItems(t.Context(), store.Viewer{Admin: true}, store.ItemFilter{Assignee: assignee, State: "open"})
		require.NoError(t, err)
		for _, w := range items {
			if match(w) {
				found = w
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond)
	return found
}

// publishAs publishes a definition through the API as login.
func publishAs(t *testing.T, e *testenv.Env, login, src string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.URL+"/api/v1/definitions", strings.NewReader(src))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.Login(t, login))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}
