package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// myOpenWork waits until login has n open items and returns them by client.
func myOpenWork(t *testing.T, e *testenv.Env, token string, n int) map[string]store.WorkItem {
	t.Helper()
	var items struct{ Items []store.WorkItem }
	require.Eventually(t, func() bool {
		e.Do(t, "GET", "/api/v1/work-items?assignee=me&state=open", token, nil, &items)
		return len(items.Items) == n
	}, 20*time.Second, 50*time.Millisecond)
	out := map[string]store.WorkItem{}
	for _, w := range items.Items {
		out[w.ClientName] = w
	}
	return out
}

// makeOverdue moves an open item's deadline into the past and lets the
// store do what the workflow's timer does then: mark it and escalate.
func makeOverdue(t *testing.T, e *testenv.Env, itemID string) {
	t.Helper()
	tx, err := e.Store.Pool().Begin(t.Context())
	require.NoError(t, err)
	defer tx.Rollback(t.Context()) //nolint:errcheck // committed below
	_, err = tx.Exec(t.Context(), `SELECT set_config('conveyor.actor', 'test', true)`)
	require.NoError(t, err)
	_, err = tx.Exec(t.Context(), `UPDATE work_items SET planned_start = now() - interval '2 days',
		due = now() - interval '2 hours' WHERE id = $1`, itemID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(t.Context()))
	escalated, err := e.Store.MarkOverdue(store.WithActor(t.Context(), "test"), itemID)
	require.NoError(t, err)
	require.True(t, escalated)
}

// nextFriday is the first Friday after today, at 10:00 UTC (the test
// UI's time zone).
func nextFriday() time.Time {
	now := time.Now().UTC()
	d := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for d.Weekday() != time.Friday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// The work item's page has its client at hand: the card's link and whom
// to call, by phone and e-mail. My work sorts the day: a call back planned
// for Friday is later's, new; an item whose deadline passed is overdue, and
// its supervisor sees it escalated; the search finds a client by part of
// its name in Cyrillic in another case. In both languages, and on a phone.
func TestMyWorkSortsTheDayAndTheItemHasItsClientAtHand(t *testing.T) {
	e := testenv.Seeded(t)
	ivanToken, olgaToken := e.Login(t, "ivan"), e.Login(t, "olga")
	work := myOpenWork(t, e, ivanToken, 3)
	romashka, vector, tverskaya := work["Romashka LLC"], work["Vector JSC"], work["Tverskaya Pharmacy"]
	require.NotEmpty(t, romashka.ID)

	// A call back on Friday, an overdue item, and a client with a Russian name.
	friday := nextFriday()
	status, body := e.Raw(t, "POST", "/api/v1/work-items/"+vector.ID+"/complete", ivanToken,
		map[string]any{"data": map[string]any{"result": "call_back", "callBackAt": friday.Format(time.RFC3339)}})
	require.Equal(t, http.StatusOK, status, string(body))
	makeOverdue(t, e, tverskaya.ID)
	var yolochka store.Client
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/clients", olgaToken, map[string]any{"name": "ООО «Ёлочка»",
		"owner": "ivan", "segments": []string{"msk"}, "productGroups": []string{"crm"}}, &yolochka))
	var started struct{ ID string }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", olgaToken,
		map[string]any{"definition": "sales", "client": yolochka.ID}, &started))
	work = myOpenWork(t, e, ivanToken, 4)
	callBack := work["Vector JSC"]
	require.Equal(t, vector.ProcessID+".2", callBack.ID)
	require.True(t, callBack.PlannedStart.Equal(friday), "the call back is planned for Friday: %v", callBack.PlannedStart)

	// The API's search is the same.
	var found struct{ Items []store.WorkItem }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/work-items?assignee=me&state=open&q=%D0%81%D0%9B%D0%9E%D0%A7", ivanToken, nil, &found)) // ЁЛОЧ
	require.Len(t, found.Items, 1)
	require.Equal(t, "ООО «Ёлочка»", found.Items[0].ClientName)

	ivan := browser(t)
	signIn(t, ivan, e.URL, "ivan", "demo", "#signout")

	// The item's page: the card's link and the contact's phone to dial.
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(e.URL+"/work/"+romashka.ID), chromedp.WaitVisible(chromedp.ID("#client-card"))))
	href, err := chromedp.Run(ivan, chromedp.Evaluate[string](`document.querySelector("#client-link").getAttribute("href")`))
	require.NoError(t, err)
	require.Equal(t, "/clients/demo-romashka", href)
	require.Contains(t, text(t, ivan, "#contacts"), "Анна Сергеевна Ковалёва")
	tels, err := chromedp.Run(ivan, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#contacts a[href^='tel:']")).map(a => a.getAttribute("href") + " " + a.textContent)`))
	require.NoError(t, err)
	require.Contains(t, tels, "tel:+74951234567 +7 495 123-45-67")
	mails, err := chromedp.Run(ivan, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#contacts a[href^='mailto:']")).map(a => a.getAttribute("href"))`))
	require.NoError(t, err)
	require.Contains(t, mails, "mailto:a.kovaleva@romashka.example")
	accessible(t, ivan)

	// My work, by the day, in English and in Russian, wide and on a phone.
	for _, tc := range []struct{ lang, overdue, today, later, newBadge string }{
		{"en", "Overdue", "Today", "Later", "New"},
		{"ru", "Просрочено", "Сегодня", "Позже", "Внимание"},
	} {
		for _, width := range []int64{1280, 390} {
			require.NoError(t, chromedp.Do(ivan, chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(e.URL+"/lang/"+tc.lang), chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("#work"))))
			overdue, today, later := text(t, ivan, "#w-overdue"), text(t, ivan, "#w-today"), text(t, ivan, "#w-later")
			require.Contains(t, overdue, tc.overdue)
			require.Contains(t, overdue, "Tverskaya Pharmacy")
			require.Contains(t, today, tc.today)
			require.Contains(t, today, "Romashka LLC")
			require.Contains(t, today, "ООО «Ёлочка»", "a new cold call is today's")
			require.Contains(t, later, tc.later)
			require.Contains(t, later, "Vector JSC", "a call back on Friday is later's")
			require.Contains(t, later, tc.newBadge, "the call back is marked new")
			require.NotContains(t, today, "Vector JSC")
			require.NotContains(t, overdue, "Romashka LLC")
			accessible(t, ivan)
		}
	}
	require.NoError(t, chromedp.Do(ivan, chromedp.EmulateViewport(1280, 900)))

	// The search: part of the name, in Cyrillic, in another case; then the
	// stage filter and the sort.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.SendKeys(chromedp.ID("#w-q"), "ёЛОЧк"),
		chromedp.Click(chromedp.ID("#w-find")),
		chromedp.WaitVisible(chromedp.ID("#w-clear")),
	))
	list := text(t, ivan, "#work")
	require.Contains(t, list, "ООО «Ёлочка»")
	require.NotContains(t, list, "Romashka")
	require.NotContains(t, list, "Vector")
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Navigate(e.URL+"/work?q=%D0%BD%D0%B5%D1%82+%D1%82%D0%B0%D0%BA%D0%BE%D0%B3%D0%BE"), // "нет такого"
		chromedp.WaitVisible(chromedp.ID("#w-nomatch")),
		chromedp.Navigate(e.URL+"/work?stage=sales%2Fcold_call&sort=client"),
		chromedp.WaitVisible(chromedp.ID("#work")),
	))
	value, err := chromedp.Run(ivan, chromedp.Value(chromedp.ID("#w-stage")))
	require.NoError(t, err)
	require.Equal(t, "sales/cold_call", value)
	value, err = chromedp.Run(ivan, chromedp.Value(chromedp.ID("#w-sort")))
	require.NoError(t, err)
	require.Equal(t, "client", value)
	require.Contains(t, text(t, ivan, "#w-today"), "Romashka LLC", "the filter keeps the cold calls")

	// olga sees the overdue item escalated to her, linking to its process.
	olga := browser(t)
	signIn(t, olga, e.URL, "olga", "demo", "#signout")
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("#escalations"))))
	esc := text(t, olga, "#escalations")
	require.Contains(t, esc, "Cold call")
	require.Contains(t, esc, "Tverskaya Pharmacy")
	require.Contains(t, esc, "ivan")
	href, err = chromedp.Run(olga, chromedp.Evaluate[string](`document.querySelector("#escalations a").getAttribute("href")`))
	require.NoError(t, err)
	require.Equal(t, "/processes/"+tverskaya.ProcessID, href)
	accessible(t, olga)
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/lang/ru"), chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("#escalations"))))
	require.Contains(t, text(t, olga, "#escalations"), "Просроченные дела ваших сотрудников")
	// ivan has none addressed to him.
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("#work"))))
	n, err := chromedp.Run(ivan, chromedp.Evaluate[int](`document.querySelectorAll("#escalations").length`))
	require.NoError(t, err)
	require.Zero(t, n)

	// Who no longer may see the client still works the item, without its card.
	require.Equal(t, http.StatusOK, e.Do(t, "PUT", "/api/v1/users/ivan/grants", e.Login(t, "admin"),
		map[string]any{"segments": []string{}, "productGroups": []string{}}, nil))
	hc := webSession(t, e.URL, "ivan", "demo")
	page := get(t, hc, e.URL+"/work/"+tverskaya.ID)
	require.Contains(t, page, `id="item-state"`)
	require.NotContains(t, page, `id="client-card"`)
	require.Contains(t, get(t, hc, e.URL+"/work/"+romashka.ID), `id="client-card"`, "his own client he still sees")
}
