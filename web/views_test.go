package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

var viewLocation = regexp.MustCompile(`^/processes\?view=(v-[0-9a-f]+)$`)

// teamCalls is the editor's form of olga's view: the cold calls of her
// team, grouped by executor, shared with the team and locked.
func teamCalls() url.Values {
	return url.Values{"list": {"processes"}, "name": {"Cold calls of my team"}, "definition": {"sales"},
		"sharing": {"team"}, "locked": {"1"}, "action": {"save"},
		"col.client": {"1"}, "pos.client": {"1"}, "col.assignee": {"1"}, "pos.assignee": {"2"}, "col.due": {"1"}, "pos.due": {"3"},
		"col.form.amount": {"1"}, "pos.form.amount": {"4"}, "sum.form.amount": {"1"},
		"match": {"all"}, "f0.column": {"stage"}, "f0.op": {"eq"}, "f0.value": {"cold_call"},
		"f1.column": {"assignee"}, "f1.op": {"my_team"},
		"s0.column": {"due"}, "g0": {"assignee"}}
}

// Through the pages a supervisor saves a view of her team's cold calls,
// grouped by executor; it shows as a tab above the process list of the
// team, where a manager cannot save over it but saves it as his; its
// export is the rows in a file; a condition that does not fit its column
// is shown with its place, in the page's language.
func TestAViewIsMadeSharedLockedAndCopiedThroughThePages(t *testing.T) {
	e := testenv.Seeded(t)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM work_items WHERE stage = 'cold_call'`).Scan(&n))
		return n >= 3
	}, 20*time.Second, 50*time.Millisecond, "the demo's three cold calls")
	olga := webSession(t, e.URL, "olga", "demo")
	status, where, body := postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", teamCalls())
	require.Equal(t, http.StatusSeeOther, status, body)
	m := viewLocation.FindStringSubmatch(where)
	require.NotNil(t, m, where)
	page := get(t, olga, e.URL+where)
	require.Contains(t, page, `<h1>Cold calls of my team</h1>`)
	require.Contains(t, page, `<strong>3</strong>`, "three cold calls")
	require.Contains(t, page, `<th>Client</th><th>Executor</th><th>Deadline</th><th>Amount</th>`)
	require.Contains(t, page, `<td data-label="Executor">Ivan Sidorov</td><td data-label="Rows" class="num"><a href="/processes?spec=`)
	require.Contains(t, page, `aria-current="page" class="current">Cold calls of my team`)

	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	olga.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	ru := get(t, olga, e.URL+where)
	require.Contains(t, ru, `<th>Клиент</th><th>Исполнитель</th><th>Срок</th><th>Сумма</th>`)

	// ivan is in olga's team: the tab is his too, locked.
	ivan := webSession(t, e.URL, "ivan", "demo")
	list := get(t, ivan, e.URL+"/processes")
	require.Contains(t, list, `Cold calls of my team <span class="badge" title="Locked: only its owner saves over it">locked</span>`)
	editor := get(t, ivan, e.URL+"/views/"+m[1]+"/edit")
	require.Contains(t, editor, "This view is locked by its owner")
	require.NotContains(t, editor, `id="view-save"`)
	form := teamCalls()
	form.Set("id", m[1])
	status, _, body = postForm(t, ivan, e.URL, "/views/"+m[1]+"/edit", "/views/save", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "save it as yours to keep your changes")
	form.Set("action", "saveas")
	form.Set("name", "My calls")
	status, where, _ = postForm(t, ivan, e.URL, "/views/"+m[1]+"/edit", "/views/save", form)
	require.Equal(t, http.StatusSeeOther, status)
	mine := get(t, ivan, e.URL+where)
	require.Contains(t, mine, "<h1>My calls</h1>")
	require.Contains(t, mine, "Only me")

	// The export: XLSX by default, CSV with a BOM.
	resp, err := olga.Get(e.URL + "/views/" + m[1] + "/export?format=csv")
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(raw, []byte("\xEF\xBB\xBFКлиент,Исполнитель,Срок,Сумма\r\n")), string(raw))
	require.Equal(t, 4, strings.Count(string(raw), "\r\n"), "a header and three rows")
	resp, err = olga.Get(e.URL + "/views/" + m[1] + "/export")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))

	// A condition that does not fit its column says where, in Russian.
	bad := teamCalls()
	bad.Set("f1.column", "due")
	bad.Set("f1.op", "contains")
	bad.Set("f1.value", "x")
	status, _, body = postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", bad)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "Условие 2: «содержит» к этому столбцу не подходит; подходят «за период (сегодня, на этой неделе …)», «от … до»")
	require.Contains(t, body, `value="Cold calls of my team"`, "the form keeps what was typed")
}

// An admin makes a view shared with everyone the list's first view for a
// role: a manager opening the process list lands on it, and can still go
// to the list as built.
func TestAnAdminSetsARolesDefaultView(t *testing.T) {
	e := testenv.Seeded(t)
	admin := webSession(t, e.URL, "admin", "admin")
	form := teamCalls()
	form.Set("sharing", "everyone")
	form.Set("name", "Cold calls")
	form.Del("locked")
	form.Del("f1.column")
	form.Del("f1.op")
	status, where, body := postForm(t, admin, e.URL, "/views/new?list=processes", "/views/save", form)
	require.Equal(t, http.StatusSeeOther, status, body)
	id := viewLocation.FindStringSubmatch(where)[1]
	require.Contains(t, get(t, admin, e.URL+where), `id="view-default"`)
	status, _, body = postForm(t, admin, e.URL, where, "/views/"+id+"/default", url.Values{"role": {"manager"}})
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Contains(t, get(t, admin, e.URL+where), "The list opens with this view for: manager")

	ivan := webSession(t, e.URL, "ivan", "demo")
	page := get(t, ivan, e.URL+"/processes")
	require.Contains(t, page, "<h1>Cold calls</h1>", "a manager's process list opens with the role's view")
	require.NotContains(t, page, `id="view-default"`, "only an admin sets it")
	require.Contains(t, get(t, ivan, e.URL+"/processes?view=none"), `id="processes"`, "the list as built is a tab away")

	status, _, _ = postForm(t, ivan, e.URL, "/processes", "/views/"+id+"/default", url.Values{"role": {"manager"}, "clear": {"1"}})
	require.Equal(t, http.StatusNotFound, status, "a manager sets no defaults")
	status, _, _ = postForm(t, admin, e.URL, where, "/views/"+id+"/default", url.Values{"role": {"manager"}, "clear": {"1"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Contains(t, get(t, ivan, e.URL+"/processes"), `id="processes"`)
}

// The editor's second group of conditions: the cold calls, and also those
// of ivan or of maria; it comes back to the editor as it was written, and
// a fault in it says it is there.
func TestAViewsSecondGroupOfConditionsAndsWithTheFirst(t *testing.T) {
	e := testenv.Seeded(t)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM work_items WHERE stage = 'cold_call'`).Scan(&n))
		return n >= 3
	}, 20*time.Second, 50*time.Millisecond)
	olga := webSession(t, e.URL, "olga", "demo")
	form := teamCalls()
	form.Set("f1.column", "")
	form.Set("match2", "any")
	form.Set("h0.column", "assignee")
	form.Set("h0.op", "eq")
	form.Set("h0.value", "ivan")
	form.Set("h1.column", "assignee")
	form.Set("h1.op", "eq")
	form.Set("h1.value", "maria")
	form.Set("col.state", "1")
	form.Set("pos.state", "5")
	status, where, body := postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", form)
	require.Equal(t, http.StatusSeeOther, status, body)
	page := get(t, olga, e.URL+where)
	require.Contains(t, page, `<strong>3</strong>`, "ivan's three cold calls")
	require.Contains(t, page, `<td data-label="State">Running</td>`, "a state in words")
	editor := get(t, olga, e.URL+"/views/"+viewLocation.FindStringSubmatch(where)[1]+"/edit")
	require.Regexp(t, `id="h1-value" value="maria"`, editor)
	require.Regexp(t, `<select name="match2" id="view-match2"><option value="all">[^<]*</option><option value="any" selected>`, editor)

	form.Set("h1.value", "nobody")
	status, _, _ = postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", form)
	require.Equal(t, http.StatusSeeOther, status, "a login is any text to a filter")
	form.Set("h1.column", "due")
	status, _, body = postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "And also, condition 2: «is» does not apply to this column; it takes «in a period")
}

// A view in a link is checked like a saved one: nested past the editor's
// depth, it is refused with the place, and nothing runs.
func TestAViewInALinkIsBoundedLikeASavedOne(t *testing.T) {
	e := testenv.New(t)
	hc := webSession(t, e.URL, "olga", "demo")
	deep := `{"column":"stage","op":"eq","value":"deal"}`
	for range 40 {
		deep = `{"all":[` + deep + `]}`
	}
	resp, err := hc.Get(e.URL + "/processes?spec=" + url.QueryEscape(`{"columns":["client"],"filter":`+deep+`}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, string(body))
	require.Contains(t, string(body), `id="view-error"`)
}
