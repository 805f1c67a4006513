package web_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// demoCalls waits for the demo's three cold calls, all ivan's, planned to
// start as the demo started and due two days later.
func demoCalls(t *testing.T, e *testenv.Env) []store.WorkItem {
	t.Helper()
	var calls []store.WorkItem
	require.Eventually(t, func() bool {
		list, _, err := e.Store.WorkItems(t.Context(), store.Viewer{Admin: true}, store.ItemFilter{Assignee: "ivan", State: "open"})
		require.NoError(t, err)
		calls = list
		return len(list) == 3
	}, 20*time.Second, 50*time.Millisecond)
	return calls
}

// The calendar puts each of a manager's calls on the day it is planned for
// and its deadline, marked as one, on the day it is due, by week (today's
// by default), day and month, in English and Russian, on a desktop's width
// (seven days to a row) and a phone's (one under another); a supervisor
// opens the calendar of someone in their team.
func TestTheCalendarShowsPlannedWorkOnItsDaysAndTheDeadlinesOnTheirs(t *testing.T) {
	e := testenv.Seeded(t)
	calls := demoCalls(t, e)
	day := func(at time.Time) string { return at.UTC().Format(time.DateOnly) } // the test's UI runs in UTC
	words := map[string]struct{ title, stage, deadline, newBadge string }{
		"en": {"Calendar", "Cold call", "deadline", "New"},
		"ru": {"Календарь", "Холодный звонок", "срок", "Внимание"},
	}
	for _, lang := range []string{"en", "ru"} {
		for _, width := range []int{1280, 390} {
			w := words[lang]
			ctx := browser(t)
			require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 844)))
			signIn(t, ctx, e.URL, "ivan", "demo", "#signout")
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/lang/"+lang), chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"]`))))

			// This week, from the layout's link.
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.CSS("main h1")),
				chromedp.Click(chromedp.CSS(`header a[href="/calendar"]`)), chromedp.WaitVisible(chromedp.ID("cal-days"))))
			require.Equal(t, w.title, text(t, ctx, "main h1"))
			accessible(t, ctx)
			require.Equal(t, 7, countOf(t, ctx, "#cal-days > section.cal-day"), "a week has seven days")
			require.Equal(t, 1, countOf(t, ctx, "section.cal-today"))
			for _, c := range calls {
				entry := `#cal-` + day(c.PlannedStart) + ` li.cal-planned[data-item="` + c.ID + `"]`
				require.Equal(t, 1, countOf(t, ctx, entry), "%s on its day in %s", c.ID, lang)
				got := text(t, ctx, entry)
				require.Contains(t, got, w.stage)
				require.Contains(t, got, c.ClientName)
				require.Contains(t, got, c.PlannedStart.UTC().Format("15:04"))
				require.Contains(t, got, w.newBadge, "a call not opened yet stands out")
				require.Equal(t, 1, countOf(t, ctx, entry+`.cal-attention a[href="/work/`+c.ID+`"]`))
			}
			// Seven days to a row on a desktop, one under another on a phone.
			tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('#cal-days > section')).map(s => s.getBoundingClientRect().top)`))
			require.NoError(t, err)
			if width > 700 {
				require.Equal(t, tops[0], tops[6], "the week's days side by side")
			} else {
				require.Less(t, tops[0], tops[1], "the week's days one under another")
			}

			// The deadlines, two days on: a mark of their own on their day.
			due := day(*calls[0].Due)
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/calendar?view=week&date="+due), chromedp.WaitVisible(chromedp.ID("cal-days"))))
			accessible(t, ctx)
			for _, c := range calls {
				mark := `#cal-` + day(*c.Due) + ` li.cal-deadline[data-item="` + c.ID + `"]`
				require.Equal(t, 1, countOf(t, ctx, mark), "%s's deadline on its day in %s", c.ID, lang)
				require.Contains(t, text(t, ctx, mark), w.deadline)
				require.Contains(t, text(t, ctx, mark), c.ClientName)
			}

			// A day, and its neighbours by the links.
			planned := day(calls[0].PlannedStart)
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/calendar?view=day&date="+planned),
				chromedp.WaitVisible(chromedp.ID("cal-days"))))
			accessible(t, ctx)
			require.Equal(t, 1, countOf(t, ctx, "#cal-days > section"))
			require.Equal(t, 3, countOf(t, ctx, "li.cal-planned"))
			heading := text(t, ctx, "#cal-heading")
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("cal-next")), chromedp.WaitNotPresent(chromedp.ID("cal-"+planned)),
				chromedp.WaitVisible(chromedp.ID("cal-days"))))
			require.NotEqual(t, heading, text(t, ctx, "#cal-heading"))
			require.Zero(t, countOf(t, ctx, "li.cal-planned"), "nothing is planned the next day")
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("cal-prev")), chromedp.WaitVisible(chromedp.ID("cal-"+planned))))
			require.Equal(t, heading, text(t, ctx, "#cal-heading"))

			// The month: its weeks, the calls and their deadlines on their days.
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("cal-view-month")),
				chromedp.WaitVisible(chromedp.CSS("#cal-view-month.cal-current"))))
			accessible(t, ctx)
			require.Equal(t, 3, countOf(t, ctx, "#cal-"+planned+" li.cal-planned"))
			if countOf(t, ctx, "#cal-"+due) == 1 { // unless the deadline falls past the month's last week
				require.Equal(t, 3, countOf(t, ctx, "#cal-"+due+" li.cal-deadline"))
			}
			// Today, from a month far off, is today's month.
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/calendar?view=month&date="+calls[0].PlannedStart.AddDate(0, 0, 100).Format(time.DateOnly)),
				chromedp.WaitVisible(chromedp.ID("cal-days")), chromedp.Click(chromedp.ID("cal-today")), chromedp.WaitVisible(chromedp.ID("cal-"+planned))))
			require.Equal(t, 1, countOf(t, ctx, "#cal-view-month.cal-current"), "today keeps the view")
			require.Equal(t, 3, countOf(t, ctx, "#cal-"+planned+" li.cal-planned"))
		}
	}

	// olga, their supervisor, has no calls of her own; she picks ivan's.
	olga := browser(t)
	require.NoError(t, chromedp.Do(olga, chromedp.EmulateViewport(390, 844)))
	signIn(t, olga, e.URL, "olga", "demo", "#signout")
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/calendar"), chromedp.WaitVisible(chromedp.ID("cal-none"))))
	accessible(t, olga)
	require.NoError(t, chromedp.Do(olga,
		chromedp.SetValue(chromedp.ID("cal-assignee"), "ivan"),
		chromedp.Click(chromedp.ID("cal-show")),
		chromedp.WaitVisible(chromedp.CSS("li.cal-planned")),
	))
	require.Equal(t, 3, countOf(t, olga, "li.cal-planned"))
	picked, err := chromedp.Run(olga, chromedp.Evaluate[string](`document.getElementById('cal-assignee').selectedOptions[0].textContent`))
	require.NoError(t, err)
	require.Equal(t, "Ivan Sidorov", picked, "the page says whose calendar it is")
	require.NoError(t, chromedp.Do(olga, chromedp.Click(chromedp.ID("cal-next")), chromedp.WaitVisible(chromedp.ID("cal-days"))))
	loc, err := chromedp.Run(olga, chromedp.Location())
	require.NoError(t, err)
	require.Contains(t, loc, "assignee=ivan", "the pages keep whose calendar it is")
}

// calendarGet fetches a page as the client hc and returns its status and
// body.
func calendarGet(t *testing.T, hc *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := hc.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// A day that is no date is refused in the page's language; a manager may
// not read a colleague's calendar, though some of the colleague's work is
// about clients the manager sees: the page is not found and shows none of
// it. Their supervisor reads it.
func TestTheCalendarRefusesABadDateAndAStrangersWork(t *testing.T) {
	e := testenv.Seeded(t)
	calls := demoCalls(t, e)

	ivan := webSession(t, e.URL, "ivan", "demo")
	for _, date := range []string{"2026-13-01", "tomorrow", "2026-12-02T10:00", "02.12.2026"} {
		status, body := calendarGet(t, ivan, e.URL+"/calendar?date="+date)
		require.Equal(t, http.StatusUnprocessableEntity, status, date)
		require.Contains(t, body, "The day is a date YYYY-MM-DD", date)
		require.NotContains(t, body, `class="cal-entry`, "a refused day shows no work")
	}
	calendarGet(t, ivan, e.URL+"/lang/ru")
	status, body := calendarGet(t, ivan, e.URL+"/calendar?view=month&date=2026-02-30")
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "День — это дата ГГГГ-ММ-ДД")
	require.Contains(t, body, `value="2026-02-30"`, "the form keeps what was typed, to be put right")

	// maria sees two of ivan's calls through their clients, never his calendar.
	mariaUser, err := e.Store.User(t.Context(), "maria")
	require.NoError(t, err)
	seen, _, err := e.Services.WorkItems(t.Context(), mariaUser, store.ItemFilter{Assignee: "ivan"})
	require.NoError(t, err)
	require.NotEmpty(t, seen, "maria sees some of ivan's calls, through their clients")
	maria := webSession(t, e.URL, "maria", "demo")
	for _, path := range []string{"/calendar?assignee=ivan", "/calendar?view=month&assignee=ivan", "/calendar?assignee=olga"} {
		status, body := calendarGet(t, maria, e.URL+path)
		require.Equal(t, http.StatusNotFound, status, path)
		for _, c := range calls {
			require.NotContains(t, body, c.ID, path)
			require.NotContains(t, body, c.ClientName, path)
		}
	}
	status, body = calendarGet(t, maria, e.URL+"/calendar")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `id="cal-none"`, "her own calendar is empty")
	require.NotContains(t, body, `id="cal-assignee"`, "with nobody below her, she has no one else's to pick")

	olga := webSession(t, e.URL, "olga", "demo")
	status, body = calendarGet(t, olga, e.URL+"/calendar?assignee=ivan")
	require.Equal(t, http.StatusOK, status)
	for _, c := range calls {
		require.Contains(t, body, `data-item="`+c.ID+`"`)
	}
}
