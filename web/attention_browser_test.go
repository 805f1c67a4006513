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

// A process whose rule failed at run time says so, in the list and on its
// page, and a supervisor moves it on from there.
func TestASupervisorSeesAProcessThatNeedsAttentionAndMovesItOn(t *testing.T) {
	e := testenv.New(t)
	status, body := e.Raw(t, "POST", "/api/v1/definitions", e.Login(t, "anna"), []byte(testenv.Brittle))
	require.Equal(t, http.StatusCreated, status, string(body))
	var p struct{ ID string }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", e.Login(t, "olga"), map[string]any{"definition": "brittle"}, &p))
	ivan := e.Login(t, "ivan")
	require.Eventually(t, func() bool {
		return e.Do(t, "POST", "/api/v1/work-items/"+p.ID+".1/complete", ivan, map[string]any{"data": map[string]any{"n": 0}}, nil) == http.StatusUnprocessableEntity
	}, 20*time.Second, 50*time.Millisecond)

	olga := browser(t)
	signIn(t, olga, e.URL, "olga", "demo", "#signout")
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes"), chromedp.WaitVisible(chromedp.ID("#processes"))))
	require.Contains(t, text(t, olga, "#processes"), "needs attention")
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes/"+p.ID), chromedp.WaitVisible(chromedp.ID("#attention"))))
	require.Contains(t, text(t, olga, "#attention"), "10 % data.n == 0")
	screenshot(t, olga, "process-needs-attention")
	require.NoError(t, chromedp.Do(olga,
		chromedp.SetValue(chromedp.ID("#move-to"), "close"),
		chromedp.SetValue(chromedp.ID("#move-assignee"), "maria"),
		chromedp.Click(chromedp.ID("#move")),
		chromedp.WaitNotPresent(chromedp.ID("#attention")),
		chromedp.WaitVisible(chromedp.ID("#gantt")),
	))
	page := text(t, olga, "main")
	require.NotContains(t, page, "Needs attention", "moving on clears the notice")
	require.True(t, strings.Contains(page, "Close") && strings.Contains(page, "maria"), "the next stage is open for maria:\n%s", page)
	w, err := e.Store.WorkItem(t.Context(), p.ID+".2")
	require.NoError(t, err)
	require.Equal(t, "maria", w.Assignee)
}
