package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// Every page a supervisor and an admin use reads in words, in English and
// in Russian, at a phone's width: no raw JSON, no stage, end or column ids,
// a label for every control, nothing wider than the window.
func TestEveryPageReadsInWordsOnAPhoneInBothLanguages(t *testing.T) {
	e := testenv.Seeded(t)
	var process, item string
	require.Eventually(t, func() bool {
		err := e.Store.Pool().QueryRow(t.Context(), `SELECT p.id, w.id FROM processes p JOIN work_items w ON w.process_id = p.id
			WHERE p.business_key = 'demo-1' AND w.state = 'attention'`).Scan(&process, &item)
		return err == nil
	}, 20*time.Second, 50*time.Millisecond)
	pages := map[string][]string{
		"olga": {"/work", "/work/" + item, "/processes", "/processes/" + process, "/processes/" + process + "/cancel",
			"/clients", "/clients/demo-romashka", "/clients/demo-romashka?tab=processes", "/clients/demo-romashka?tab=audit",
			"/clients/demo-romashka/start/sales", "/account", "/analytics", "/desk", "/calendar",
			"/views/new?list=processes&definition=sales", "/views/new?list=workitems", "/views/new?list=clients"},
		"admin": {"/organisation", "/organisation/users/ivan", "/organisation/new-user", "/definitions/sales"},
	}
	passwords := map[string]string{"olga": "demo", "admin": "admin"}
	for _, lang := range []string{"en", "ru"} {
		for login, paths := range pages {
			ctx := browser(t)
			require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
			signIn(t, ctx, e.URL, login, passwords[login], "#signout")
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/lang/"+lang), chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"]`))))
			for _, path := range paths {
				require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))), path)
				accessible(t, ctx)
				main := text(t, ctx, "main")
				raws := []string{`{"`, "cold_call", "call_back", "next_step", "end_id", "completed_at", "updated_at", "business_key"}
				if strings.HasPrefix(path, "/definitions") {
					raws = raws[:1] // the analyst's editor and diagram name stages by their ids, as the YAML does
				}
				for _, raw := range raws {
					require.NotContains(t, main, raw, "%s in %s shows %q", path, lang, raw)
				}
				if lang == "ru" && path != "/definitions/sales" { // the editor shows the YAML as written
					require.NotContains(t, main, "Cold call", "%s in Russian shows an English stage title", path)
				}
			}
		}
	}
}
