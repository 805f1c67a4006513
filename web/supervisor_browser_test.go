package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// lateDeal starts a process whose deal maria planned ten days back, with
// the amount she expects: it is overdue once its deadline is seen passed.
func lateDeal(t *testing.T, e *testenv.Env, key string, amount int) {
	t.Helper()
	olga, ivan, maria := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria")
	var p struct{ ID string }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", olga,
		map[string]any{"definition": "sales", "client": "demo-romashka", "businessKey": key}, &p))
	var c struct{ Next []struct{ ID string } }
	require.Eventually(t, func() bool {
		return e.Do(t, "POST", "/api/v1/work-items/"+p.ID+".1/complete", ivan, map[string]any{"data": map[string]any{"result": "interested"}}, &c) == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond)
	back := time.Now().Add(-10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+c.Next[0].ID+"/complete", maria,
		map[string]any{"data": map[string]any{"result": "next_step", "amount": amount, "nextStepAt": back}}, nil))
}

// A supervisor's morning, clicked through as a new user would, in both
// languages: she makes a view "overdue deals of my team, grouped by
// manager, with amount", shares it locked with the team, pins it to her
// desktop, opens the sales conveyor's funnel, clicks a drop-off and lands
// on the list of those processes.
func TestASupervisorsViewPinAndDropOffByClicking(t *testing.T) {
	e := testenv.Seeded(t)
	lateDeal(t, e, "late-1", 1200)
	lateDeal(t, e, "late-2", 800)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM processes WHERE overdue AND stage = 'deal'`).Scan(&n))
		return n == 2
	}, 20*time.Second, 50*time.Millisecond, "the late deals are seen overdue")

	for _, tc := range []struct{ lang, name, maria, rows string }{
		{"en", "Overdue deals of my team", "Maria Ivanova", "Rows"},
		{"ru", "Просроченные сделки команды", "Maria Ivanova", "Строк"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			olga := browser(t)
			signIn(t, olga, e.URL, "olga", "demo", "#signout")
			require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/lang/"+tc.lang), chromedp.WaitReady(chromedp.CSS(`html[lang="`+tc.lang+`"]`)),
				chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.ID("desk-tiles"))))

			// The view, made in the editor.
			require.NoError(t, chromedp.Do(olga,
				chromedp.Navigate(e.URL+"/processes"), chromedp.WaitVisible(chromedp.ID("processes")),
				chromedp.Click(chromedp.ID("new-view")), chromedp.WaitVisible(chromedp.ID("view-editor")),
				chromedp.SetValue(chromedp.ID("view-definition"), "sales"),
				chromedp.Click(chromedp.ID("view-reload")), chromedp.WaitVisible(chromedp.CSS(`[id="col-form.amount"]`)),
				chromedp.SendKeys(chromedp.ID("view-name"), tc.name),
				chromedp.Click(chromedp.CSS(`[id="col-form.amount"]`)),
				chromedp.SetValue(chromedp.ID("f0-column"), "stage"), chromedp.SetValue(chromedp.ID("f0-op"), "eq"),
				chromedp.SendKeys(chromedp.ID("f0-value"), "deal"),
				chromedp.SetValue(chromedp.ID("f1-column"), "overdue"), chromedp.SetValue(chromedp.ID("f1-op"), "eq"),
				chromedp.SendKeys(chromedp.ID("f1-value"), "true"),
				chromedp.SetValue(chromedp.ID("f2-column"), "assignee"), chromedp.SetValue(chromedp.ID("f2-op"), "my_team"),
				chromedp.SetValue(chromedp.ID("g0"), "assignee"),
				chromedp.Click(chromedp.CSS(`[id="sum-form.amount"]`)),
				chromedp.SetValue(chromedp.ID("view-sharing"), "team"),
				chromedp.Click(chromedp.ID("view-lock")),
			))
			accessible(t, olga)
			require.NoError(t, chromedp.Do(olga, chromedp.Click(chromedp.ID("view-save")), chromedp.WaitVisible(chromedp.ID("view-rows"))))
			require.Contains(t, text(t, olga, "#view-count"), tc.rows+": 2")
			groups := text(t, olga, "#view-groups")
			require.Contains(t, groups, tc.maria)
			require.Contains(t, digits(groups), "22000", "maria's two deals and their amounts, 2 and 2 000")
			require.Contains(t, text(t, olga, ".view-tabs"), tc.name)
			if tc.lang == "en" {
				screenshot(t, olga, "view")
			} else {
				accessible(t, olga)
			}

			// Pinned, it counts on the desktop.
			require.NoError(t, chromedp.Do(olga, chromedp.Click(chromedp.ID("view-pin")), chromedp.WaitVisible(chromedp.ID("desk-pins"))))
			pins := text(t, olga, "#desk-pins")
			require.Contains(t, pins, tc.name+" 2")

			// The funnel of the last 30 days; a drop-off opens its processes.
			require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/analytics?definition=sales"), chromedp.WaitVisible(chromedp.ID("funnel"))))
			if tc.lang == "en" {
				screenshot(t, olga, "funnel")
			} else {
				accessible(t, olga)
			}
			dropped := text(t, olga, "#drop-table a.dropoff")
			require.NoError(t, chromedp.Do(olga, chromedp.Click(chromedp.CSS("#drop-table a.dropoff")),
				chromedp.WaitVisible(chromedp.ID("view-rows"))))
			where, err := chromedp.Run(olga, chromedp.Location())
			require.NoError(t, err)
			require.Contains(t, where, "/processes?spec=")
			require.Contains(t, text(t, olga, "#view-count"), tc.rows+": "+strings.TrimSpace(dropped), "the list has the processes the drop-off counts")
			accessible(t, olga)

			// The overdue deals the funnel counts are the work items behind
			// its link.
			require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/analytics?definition=sales"), chromedp.WaitVisible(chromedp.ID("overdue-table")),
				chromedp.Click(chromedp.CSS("#overdue-table a")), chromedp.WaitVisible(chromedp.ID("view-rows"))))
			require.Contains(t, text(t, olga, "#view-count"), tc.rows+": 2", "the two late deals")
		})
	}
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
