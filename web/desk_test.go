package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

var pinID = regexp.MustCompile(`<li class="pin" id="pin-(\d+)">`)

// The desktop is the start page: one's own live counts, the team's load
// for a supervisor, and what one pinned in one's order, each pinned view
// with its live count.
func TestTheDesktopShowsLiveCountsTheTeamsLoadAndThePins(t *testing.T) {
	e := testenv.Seeded(t)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM work_items WHERE stage = 'cold_call'`).Scan(&n))
		return n >= 3
	}, 20*time.Second, 50*time.Millisecond, "the demo's three cold calls")

	ivan := webSession(t, e.URL, "ivan", "demo")
	desk := get(t, ivan, e.URL+"/desk")
	require.Contains(t, desk, `<span class="count">3</span> new</a>`, "ivan's three cold calls are new")
	require.NotContains(t, desk, `id="desk-team"`, "ivan supervises no one")
	require.Contains(t, desk, "Nothing pinned yet.")

	olga := webSession(t, e.URL, "olga", "demo")
	desk = get(t, olga, e.URL+"/desk")
	require.Contains(t, desk, `<h2>My team&#39;s load</h2>`)
	require.Regexp(t, `>Ivan Sidorov</td><td data-label="Open" class="num"><a href="[^"]+">3</a></td><td data-label="New" class="num"><a href="([^"]+)">3</a></td>`, desk)
	newOfIvan := regexp.MustCompile(`>Ivan Sidorov</td><td data-label="Open" class="num"><a href="[^"]+">3</a></td><td data-label="New" class="num"><a href="([^"]+)">`).FindStringSubmatch(desk)[1]
	require.Contains(t, get(t, olga, e.URL+strings.ReplaceAll(newOfIvan, "&amp;", "&")), `<strong>3</strong>`, "the figure opens the work it counts")

	// olga pins a view and a funnel; the view shows its live count.
	status, where, body := postForm(t, olga, e.URL, "/views/new?list=processes", "/views/save", teamCalls())
	require.Equal(t, http.StatusSeeOther, status, body)
	view := viewLocation.FindStringSubmatch(where)[1]
	status, where, _ = postForm(t, olga, e.URL, where, "/desk/pins", url.Values{"view": {view}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/desk", where)
	status, _, _ = postForm(t, olga, e.URL, "/desk", "/desk/pins", url.Values{"definition": {"sales"}})
	require.Equal(t, http.StatusSeeOther, status)
	desk = get(t, olga, e.URL+"/desk")
	require.Contains(t, desk, `<a href="/processes?view=`+view+`">Cold calls of my team</a> <span class="count">3</span>`)
	require.Contains(t, desk, `aria-label="Funnel: Sales conveyor"`)
	pins := pinID.FindAllStringSubmatch(desk, -1)
	require.Len(t, pins, 2)
	require.Less(t, strings.Index(desk, "Cold calls of my team</a>"), strings.Index(desk, `aria-label="Funnel: Sales conveyor"`), "in the order pinned")

	// Pinning the same again changes nothing; moving the funnel up puts it
	// first; unpinned, it is gone.
	postForm(t, olga, e.URL, "/desk", "/desk/pins", url.Values{"view": {view}})
	status, _, _ = postForm(t, olga, e.URL, "/desk", "/desk/pins/"+pins[1][1]+"/move", url.Values{"by": {"-1"}})
	require.Equal(t, http.StatusSeeOther, status)
	desk = get(t, olga, e.URL+"/desk")
	require.Len(t, pinID.FindAllStringSubmatch(desk, -1), 2)
	require.Greater(t, strings.Index(desk, "Cold calls of my team</a>"), strings.Index(desk, `aria-label="Funnel: Sales conveyor"`))
	status, _, _ = postForm(t, olga, e.URL, "/desk", "/desk/pins/"+pins[1][1]+"/delete", url.Values{})
	require.Equal(t, http.StatusSeeOther, status)
	desk = get(t, olga, e.URL+"/desk")
	require.NotContains(t, desk, `aria-label="Funnel: Sales conveyor"`)

	// Another's pin is not found for ivan.
	status, _, _ = postForm(t, ivan, e.URL, "/desk", "/desk/pins/"+pins[0][1]+"/delete", url.Values{})
	require.Equal(t, http.StatusNotFound, status)
}
