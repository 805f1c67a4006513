package web_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/services"
)

// analyticsSections are the report's sections, by id, with their headings
// in each language.
var analyticsSections = []struct{ id, en, ru string }{
	{"an-funnel", "Funnel: Sales conveyor", "Воронка: Конвейер продаж"},
	{"an-inorder", "Funnel: reached at any point and passed in order", "Воронка: дошедшие когда-либо и прошедшие по порядку"},
	{"an-drop", "Conversion and drop-off by stage", "Конверсия и отвал по этапам"},
	{"an-handoffs", "Handoffs between people", "Передачи между людьми"},
	{"an-time", "Time in stage", "Время на этапе"},
	{"an-overdue", "Overdue by stage", "Просрочки по этапам"},
	{"an-weeks", "Stages done per manager, by week", "Выполнено менеджерами по неделям"},
	{"an-cohorts", "Cohorts by month started", "Когорты по месяцу начала"},
	{"an-ends", "Ends and their reasons", "Итоги и их причины"},
	{"an-heat", "Stages entered, by week", "Входы в этапы по неделям"},
}

// waitForDemo waits for the demo's three processes to enter their first
// stage.
func waitForDemo(t *testing.T, e *testenv.Env) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM stage_log WHERE event = 'entered'`).Scan(&n))
		return n >= 3
	}, 20*time.Second, 50*time.Millisecond, "the demo's three processes entered their first stage")
}

var dropOffLink = regexp.MustCompile(`<a class="dropoff" href="([^"]+)">(\d+)</a>`)

// The analytics page shows every section of the report, each a chart with
// its table, in both languages, says the figures are live, and links a
// stage's drop-off to the processes that reached it and never left it
// done, started in the period; narrowed by a manager, whom the list cannot
// narrow by, it links nothing; a filter nobody knows is refused.
func TestTheAnalyticsPageShowsEverySectionInBothLanguages(t *testing.T) {
	e := testenv.Seeded(t)
	waitForDemo(t, e)
	w := waitForItem(t, e, "ivan", func(w services.WorkItem) bool { return w.Stage == "cold_call" })
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+w.ID+"/complete", e.Login(t, "ivan"),
		map[string]any{"data": map[string]any{"result": "interested"}}, nil))
	hc := webSession(t, e.URL, "olga", "demo")
	page := get(t, hc, e.URL+"/analytics?definition=sales")
	for _, s := range analyticsSections {
		require.Contains(t, page, `<section id="`+s.id+`"`)
		require.Contains(t, page, `-h">`+s.en+`</h2>`, s.id)
	}
	require.Equal(t, 10, len(regexp.MustCompile(`<section id="an-[a-z]+"`).FindAllString(page, -1)))
	require.GreaterOrEqual(t, len(regexp.MustCompile(`<svg xmlns="http://www.w3.org/2000/svg"`).FindAllString(page, -1)), 11, "a chart a section and one of the executors")
	require.Contains(t, page, "Live figures, counted from the stage log as of ")
	require.Contains(t, page, `<td data-label="Stage">Cold call</td><td data-label="Reached"><a href="/processes?spec=`)

	m := dropOffLink.FindStringSubmatch(page)
	require.NotNil(t, m, "the cold call's drop-off links to its processes")
	require.Equal(t, "2", m[2], "two of the demo's three processes are still calling")
	link, err := url.Parse(html.UnescapeString(m[1]))
	require.NoError(t, err)
	require.Equal(t, "/processes", link.Path)
	var spec services.ViewSpec
	require.NoError(t, json.Unmarshal([]byte(link.Query().Get("spec")), &spec))
	require.Equal(t, "sales", spec.Definition)
	require.NotEmpty(t, spec.Columns)
	require.NotNil(t, spec.Filter)
	conds := map[string]services.ViewFilter{}
	for _, f := range spec.Filter.All {
		conds[f.Column+" "+f.Op] = f
	}
	require.Equal(t, "cold_call", conds["reached has"].Value)
	require.Equal(t, "cold_call", conds["passed lacks"].Value)
	require.Equal(t, "sales", conds["definition eq"].Value)
	period, ok := conds["startedAt between"].Value.([]any)
	require.True(t, ok, "started in the period")
	require.Len(t, period, 2)
	from, err := time.Parse(time.RFC3339, period[0].(string))
	require.NoError(t, err)
	to, err := time.Parse(time.RFC3339, period[1].(string))
	require.NoError(t, err)
	require.Equal(t, 30*24*time.Hour, to.Sub(from), "the last 30 days")

	// The deal's passed in order are those that reached it having passed
	// the cold call; the handoff and the chain name the people.
	inOrder := regexp.MustCompile(`<td data-label="Passed in order"><a href="([^"]+)">1</a></td>`).FindStringSubmatch(page)
	require.NotNil(t, inOrder, "the deal's one passed in order links to its process")
	deal, err := url.Parse(html.UnescapeString(inOrder[1]))
	require.NoError(t, err)
	var dealSpec services.ViewSpec
	require.NoError(t, json.Unmarshal([]byte(deal.Query().Get("spec")), &dealSpec))
	require.Contains(t, dealSpec.Filter.All, services.ViewFilter{Column: "reached", Op: "has", Value: "deal"})
	require.Contains(t, dealSpec.Filter.All, services.ViewFilter{Column: "passed", Op: "has", Value: "cold_call"})
	require.Contains(t, page, `<td data-label="People in turn">Ivan Sidorov → Maria Ivanova</td>`)
	require.Contains(t, page, `<td data-label="From">Ivan Sidorov</td><td data-label="To">Maria Ivanova</td><td data-label="Handoffs">1</td>`)

	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru", Path: "/"}})
	ru := get(t, hc, e.URL+"/analytics?definition=sales")
	for _, s := range analyticsSections {
		require.Contains(t, ru, `-h">`+s.ru+`</h2>`, s.id)
	}
	require.Contains(t, ru, "Данные на ")
	require.Contains(t, ru, `<td data-label="Отвалились"><a class="dropoff" href="/processes?spec=`)

	narrowed := get(t, hc, e.URL+"/analytics?definition=sales&manager=ivan")
	require.NotContains(t, narrowed, `href="/processes?spec=`)
	require.Contains(t, narrowed, `id="an-unlinked"`)
	require.Contains(t, narrowed, `<option value="ivan" selected>`)

	refused := get422(t, hc, e.URL+"/analytics?definition=sales&team=nobody")
	require.Contains(t, refused, "Эти фильтры не подходят:")
	require.Contains(t, refused, "<li>Команда</li>")
}

func get422(t *testing.T, hc *http.Client, u string) string {
	t.Helper()
	resp, err := hc.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
