package web_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// historyWorld works the demo's three processes through the API: Romashka
// is to be called back, then cancelled; Vector refuses (lost); Tverskaya
// is won for 150000. An admin gives Romashka to maria and adds a contact.
func historyWorld(t *testing.T, e *testenv.Env) map[string]string {
	t.Helper()
	olga, ivan, maria, sergey, admin := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey"), e.Login(t, "admin")
	var list struct{ Items []store.Process }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", olga, nil, &list))
	ids := map[string]string{}
	for _, p := range list.Items {
		ids[p.Client] = p.ID
	}
	require.Len(t, ids, 3)
	open := func(processID string) string {
		var id string
		require.Eventually(t, func() bool {
			var d struct{ History []store.WorkItem }
			e.Do(t, "GET", "/api/v1/processes/"+processID, olga, nil, &d)
			for _, w := range d.History {
				if w.Open() {
					id = w.ID
					return true
				}
			}
			return false
		}, 20*time.Second, 50*time.Millisecond)
		return id
	}
	complete := func(token, itemID string, body map[string]any) string {
		var out struct{ Next []store.WorkItem }
		status, raw := e.Raw(t, "POST", "/api/v1/work-items/"+itemID+"/complete", token, body)
		require.Equal(t, http.StatusOK, status, string(raw))
		require.NoError(t, json.Unmarshal(raw, &out))
		if len(out.Next) == 0 {
			return ""
		}
		return out.Next[0].ID
	}
	complete(ivan, open(ids["demo-romashka"]), map[string]any{"data": map[string]any{
		"result": "call_back", "callBackAt": "2026-12-02T13:00:00Z", "note": "call after lunch"}})
	complete(ivan, open(ids["demo-vector"]), map[string]any{"data": map[string]any{"result": "refused"}})
	deal := complete(ivan, open(ids["demo-tverskaya"]), map[string]any{"data": map[string]any{"result": "interested"}})
	service := complete(maria, deal, map[string]any{"data": map[string]any{"result": "won", "amount": 150000}, "next": map[string]any{"assignee": "sergey"}})
	complete(sergey, service, map[string]any{"data": map[string]any{"result": "done"}})

	status, raw := e.Raw(t, "PATCH", "/api/v1/clients/demo-romashka", admin, map[string]any{"owner": "maria"})
	require.Equal(t, http.StatusOK, status, string(raw))
	status, raw = e.Raw(t, "POST", "/api/v1/clients/demo-romashka/contacts", admin, map[string]any{"name": "Anna", "phone": "+7 495 765-43-21"})
	require.Equal(t, http.StatusCreated, status, string(raw))
	status, raw = e.Raw(t, "POST", "/api/v1/processes/"+ids["demo-romashka"]+"/cancel", olga, map[string]any{"reason": "the client closed down"})
	require.Equal(t, http.StatusOK, status, string(raw))
	return ids
}

// What only machines read never reaches a person's page.
func noMachineText(t *testing.T, page string) {
	t.Helper()
	for _, s := range []string{`{"`, "completed_at", "end_id", "updated_at", "cold_call", "call_back", "demo-romashka", "system:seed"} {
		require.NotContains(t, page, s)
	}
}

func TestAProcessHistoryAndTheClientsTrailReadAsWords(t *testing.T) {
	e := testenv.Seeded(t)
	ids := historyWorld(t, e)
	olga := browser(t)
	signIn(t, olga, e.URL, "olga", "demo", "#signout")

	// The history: the form's titles and labels, times as the pages write
	// them, names of people.
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes/"+ids["demo-romashka"]), chromedp.WaitVisible(chromedp.ID("history"))))
	require.Equal(t, "Sales conveyor v1 — Romashka LLC", text(t, olga, "main h1"))
	history := text(t, olga, "#history")
	for _, s := range []string{"Cold call", "Result", "Call back later", "Call back at", "02.12.2026 13:00", "Note", "call after lunch", "Ivan Sidorov"} {
		require.Contains(t, history, s)
	}
	require.Contains(t, text(t, olga, "#cancel-reason"), "the client closed down")
	noMachineText(t, text(t, olga, "main"))
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes/"+ids["demo-tverskaya"]), chromedp.WaitVisible(chromedp.ID("history"))))
	require.Equal(t, "Won", text(t, olga, "#process-end"))
	history = text(t, olga, "#history")
	require.Contains(t, history, "Amount")
	require.Contains(t, history, "150,000")
	require.Contains(t, history, "Service set up")
	noMachineText(t, text(t, olga, "main"))

	// The list: the client's name and link, the end in words; a lost
	// process has no bar of a win.
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes"), chromedp.WaitVisible(chromedp.ID("processes"))))
	list := text(t, olga, "#processes")
	for _, s := range []string{"Sales conveyor", "Romashka LLC", "Vector JSC", "Tverskaya Pharmacy", "Won", "Lost", "Ivan Sidorov"} {
		require.Contains(t, list, s)
	}
	noMachineText(t, list)
	row := func(client, sel string) int {
		n, err := chromedp.Run(olga, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#processes tbody tr')).
			filter(r => r.textContent.includes('`+client+`')).map(r => r.querySelectorAll('`+sel+`').length).reduce((a, b) => a + b, 0)`))
		require.NoError(t, err)
		return n
	}
	require.Zero(t, row("Vector JSC", "progress"), "a lost process shows no bar of a win")
	require.Equal(t, 1, row("Vector JSC", ".badge.outcome.lost"))
	require.Equal(t, 1, row("Tverskaya Pharmacy", "progress"))
	require.Equal(t, 1, row("Tverskaya Pharmacy", ".badge.outcome.won"))
	require.Equal(t, 1, row("Vector JSC", `a[href="/clients/demo-vector"]`))

	// The trail: sentences, with people's names and the form's labels.
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/clients/demo-romashka?tab=audit"), chromedp.WaitVisible(chromedp.ID("audit"))))
	trail := text(t, olga, "#audit")
	for _, s := range []string{
		"Ivan Sidorov completed Cold call: Result — Call back later; Call back at — 02.12.2026 13:00; Note — call after lunch",
		"Olga Petrova cancelled the process: the client closed down",
		"Administrator changed the client's owner from Ivan Sidorov to Maria Ivanova",
		"Administrator added a contact: Anna (+7 495 765-43-21)",
	} {
		require.Contains(t, trail, s)
	}
	noMachineText(t, trail)

	// In Russian.
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/lang/ru"), chromedp.WaitReady(chromedp.CSS(`html[lang="ru"]`)),
		chromedp.Navigate(e.URL+"/clients/demo-romashka?tab=audit"), chromedp.WaitVisible(chromedp.ID("audit"))))
	trail = text(t, olga, "#audit")
	for _, s := range []string{
		"Ivan Sidorov: выполнен этап «Холодный звонок»: Итог — Перезвонить позже",
		"Olga Petrova: процесс отменён: the client closed down",
		"Administrator: изменены данные клиента — владелец: Ivan Sidorov → Maria Ivanova",
		"Administrator: добавлен контакт: Anna (+7 495 765-43-21)",
	} {
		require.Contains(t, trail, s)
	}
	noMachineText(t, trail)
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes/"+ids["demo-romashka"]), chromedp.WaitVisible(chromedp.ID("history"))))
	require.Equal(t, "отменён", text(t, olga, "#process-state"), "a process is masculine in Russian")
	require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+"/processes/"+ids["demo-tverskaya"]), chromedp.WaitVisible(chromedp.ID("history"))))
	require.Contains(t, text(t, olga, "#history"), "150\u00a0000")
	require.Contains(t, text(t, olga, "#history"), "Данные")

	// On a phone the list, a process and the trail fit.
	require.NoError(t, chromedp.Do(olga, chromedp.EmulateViewport(390, 844)))
	for _, path := range []string{"/processes", "/processes/" + ids["demo-romashka"], "/clients/demo-romashka?tab=audit"} {
		require.NoError(t, chromedp.Do(olga, chromedp.Navigate(e.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))))
		accessible(t, olga)
	}

	// An admin may open what an entry keeps; others see the sentences only.
	adminPage := get(t, webSession(t, e.URL, "admin", "admin"), e.URL+"/clients/demo-romashka?tab=audit")
	require.Contains(t, adminPage, `<details class="raw">`)
	olgaPage := get(t, webSession(t, e.URL, "olga", "demo"), e.URL+"/clients/demo-romashka?tab=audit")
	require.NotContains(t, olgaPage, `<details class="raw">`)
}
