package web_test

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// browser starts headless Chromium (Debian's package, installed by .ci/run)
// for one user; each user gets a browser of their own, so no cookie leaks.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	require.NoError(t, err, "the browser tests need Debian's chromium: apt-get install chromium")
	dir, err := os.MkdirTemp("", "conveyor-chromium-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	// Every page must work without JavaScript errors: any uncaught
	// exception or console error fails the test.
	var mu sync.Mutex
	var jsErrors []string
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *cdpruntime.EventExceptionThrown:
			jsErrors = append(jsErrors, ev.ExceptionDetails.Text)
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type == cdpruntime.ConsoleAPICalledTypeError {
				jsErrors = append(jsErrors, "console.error")
			}
		}
	}))
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		require.Empty(t, jsErrors, "JavaScript errors in the pages")
	})
	return ctx
}

// accessible checks the page's form controls all have a label, so forms
// are usable with a screen reader and by keyboard, and that nothing is wider
// than the window.
func accessible(t *testing.T, ctx context.Context) {
	t.Helper()
	unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
		'input:not([type=hidden]), select, textarea')).filter(e => !(e.labels && e.labels.length) &&
		!e.getAttribute('aria-label')).map(e => e.outerHTML)`))
	require.NoError(t, err)
	require.Empty(t, unlabelled, "form controls without a label")
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	require.NoError(t, err)
	require.False(t, overflow, "the page is wider than the window")
}

// signIn fills the sign-in form and waits for what follows it: the sign-out
// button of a session, or the form's error.
func signIn(t *testing.T, ctx context.Context, base, login, password, then string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("#login"), login),
		chromedp.SendKeys(chromedp.ID("#password"), password),
		chromedp.Click(chromedp.ID("#signin")),
		chromedp.WaitVisible(chromedp.CSS(then)),
	))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err)
	return s
}

// updateScreenshots rewrites the README's pictures (make screenshots);
// without it a test run leaves the tree as it was.
var updateScreenshots = flag.Bool("update-screenshots", false, "write the pages' pictures into ../screenshots")

// screenshot checks the page (labels, width) and takes a picture of it,
// kept for the README with -update-screenshots.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	accessible(t, ctx)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NotEmpty(t, png)
	if !*updateScreenshots {
		return
	}
	require.NoError(t, os.MkdirAll("../screenshots", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("../screenshots", name+".png"), png, 0o644))
}

// openFor opens the work item of the client's process from My work.
func openFor(t *testing.T, ctx context.Context, base, client string) string {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/work"),
		chromedp.WaitVisible(chromedp.ID("#work")),
		chromedp.Click(chromedp.Search(`//table[@id="work"]//tr[td[contains(., "`+client+`")]]//a`)),
		chromedp.WaitVisible(chromedp.ID("#complete")),
	))
	url, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	return url
}

func TestAClientTravelsTheConveyorByClicking(t *testing.T) {
	e := testenv.Seeded(t)
	base := e.URL

	// ivan, the cold caller: the Romashka call is new until he opens it.
	ivan := browser(t)
	signIn(t, ivan, base, "ivan", "demo", "#signout")
	require.Eventually(t, func() bool {
		_ = chromedp.Do(ivan, chromedp.Navigate(base+"/work"))
		return strings.Contains(text(t, ivan, "main"), "Romashka")
	}, 20*time.Second, 200*time.Millisecond)
	require.Contains(t, text(t, ivan, `#work tr.attention`), "Cold call", "new work stands out")
	screenshot(t, ivan, "my-work")
	coldURL := openFor(t, ivan, base, "Romashka")
	require.Equal(t, "in progress", text(t, ivan, "#item-state"), "opening moves it to in progress")
	screenshot(t, ivan, "work-item")
	require.NoError(t, chromedp.Do(ivan,
		chromedp.SetValue(chromedp.ID("#f-result"), "interested"),
		chromedp.Click(chromedp.ID("#submit")),
		chromedp.WaitVisible(chromedp.ID("#result")),
	))
	require.Equal(t, "maria", text(t, ivan, "#result .next-assignee"), "what came next and for whom")

	// maria, the deal maker: a value the server refuses is shown beside its
	// field and changes nothing.
	maria := browser(t)
	signIn(t, maria, base, "maria", "demo", "#signout")
	dealURL := openFor(t, maria, base, "Romashka")
	dealID := dealURL[strings.LastIndex(dealURL, "/")+1:]
	// The form follows the definition's conditions: the amount is asked
	// for once "Won" is chosen, and the choices read as labels.
	required := func(result string) bool {
		require.NoError(t, chromedp.Do(maria,
			chromedp.SetValue(chromedp.ID("#f-result"), result),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('f-result').dispatchEvent(new Event('change', {bubbles: true}))`)))
		req, err := chromedp.Run(maria, chromedp.Evaluate[bool](`document.getElementById('f-amount').required`))
		require.NoError(t, err)
		return req
	}
	require.True(t, required("won"), "a won deal needs its amount")
	require.False(t, required("lost"))
	require.Contains(t, text(t, maria, "#f-result"), "Next step")
	require.NoError(t, chromedp.Do(maria,
		chromedp.SetValue(chromedp.ID("#f-result"), "won"),
		// As a client that skips the browser's checks would.
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-amount').removeAttribute('min')`),
		chromedp.SetValue(chromedp.ID("#f-amount"), "-5"),
		chromedp.SetValue(chromedp.ID("#next"), "sergey"),
		chromedp.Click(chromedp.ID("#submit")),
		chromedp.WaitVisible(chromedp.ID("#e-amount")),
	))
	require.Contains(t, text(t, maria, "#e-amount"), "-5 is too little")
	w, err := e.Store.WorkItem(t.Context(), dealID)
	require.NoError(t, err)
	require.True(t, w.Open(), "a refused completion changes nothing")
	require.NoError(t, chromedp.Do(maria,
		chromedp.SetValue(chromedp.ID("#f-amount"), "1500"),
		chromedp.Click(chromedp.ID("#submit")),
		chromedp.WaitVisible(chromedp.ID("#result")),
	))
	require.Equal(t, "sergey", text(t, maria, "#result .next-assignee"))

	// ivan sees maria's work on his client, as the API shows it him, but
	// may not act on it.
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(dealURL), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	require.Equal(t, "Deal — Romashka LLC", text(t, ivan, "main h1"))
	require.NotContains(t, text(t, ivan, "main"), "Complete", "only those who may act get the form")
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(coldURL), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	require.NotContains(t, text(t, ivan, "main"), "Complete", "a closed item has no form")

	// sergey serves the client; the process ends won.
	sergey := browser(t)
	signIn(t, sergey, base, "sergey", "demo", "#signout")
	openFor(t, sergey, base, "Romashka")
	require.NoError(t, chromedp.Do(sergey,
		chromedp.SetValue(chromedp.ID("#f-result"), "done"),
		chromedp.Click(chromedp.ID("#submit")),
		chromedp.WaitVisible(chromedp.ID("#result")),
	))
	require.Contains(t, text(t, sergey, "#result"), "won")

	// olga sees it among the processes, with its Gantt view.
	olga := browser(t)
	signIn(t, olga, base, "olga", "demo", "#signout")
	require.NoError(t, chromedp.Do(olga,
		chromedp.Navigate(base+"/processes?state=completed"),
		chromedp.WaitVisible(chromedp.ID("#processes")),
	))
	require.Contains(t, text(t, olga, "#processes"), "completed")
	require.NoError(t, chromedp.Do(olga,
		chromedp.Navigate(base+"/processes?sort=due"),
		chromedp.WaitVisible(chromedp.ID("processes")),
	))
	screenshot(t, olga, "processes")
	require.NoError(t, chromedp.Do(olga,
		chromedp.Navigate(base+"/processes?state=completed"),
		chromedp.WaitVisible(chromedp.ID("processes")),
	))
	require.NoError(t, chromedp.Do(olga,
		chromedp.Click(chromedp.CSS(`#processes tbody a`)),
		chromedp.WaitVisible(chromedp.CSS("#gantt svg")),
	))
	require.Equal(t, "completed", text(t, olga, "#process-state"))
	bars, err := chromedp.Run(olga, chromedp.Evaluate[int](`document.querySelectorAll('#history tbody tr').length`))
	require.NoError(t, err)
	require.Equal(t, 3, bars)
	screenshot(t, olga, "process-gantt")

	p, err := e.Store.Process(t.Context(), w.ProcessID)
	require.NoError(t, err)
	require.Equal(t, store.ProcessCompleted, p.State)
	require.Equal(t, "won", p.End)
}

func TestTheUISpeaksRussianAndSignsOut(t *testing.T) {
	e := testenv.Seeded(t)
	ctx := browser(t)
	signIn(t, ctx, e.URL, "ivan", "demo", "#signout")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("#lang")), chromedp.WaitReady(chromedp.CSS(`html[lang="ru"]`))))
	require.Equal(t, "Мой рабочий стол", text(t, ctx, "main h1"), "the desktop is the start page")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("#signout")), chromedp.WaitVisible(chromedp.ID("#signin"))))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("#signin"))))

	signIn(t, ctx, e.URL, "ivan", "wrong", ".errors")
	require.Contains(t, text(t, ctx, ".errors"), "Неверный логин или пароль")
}

// On a phone's width every main page still fits: tables fold into cards and
// the charts scale.
func TestThePagesFitAPhone(t *testing.T) {
	e := testenv.Seeded(t)
	for _, who := range []struct{ login, password string }{{"ivan", "demo"}, {"olga", "demo"}, {"anna", "demo"}, {"admin", "admin"}} {
		ctx := browser(t)
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
		signIn(t, ctx, e.URL, who.login, who.password, "#signout")
		for _, path := range []string{"/work", "/processes", "/clients", "/definitions/sales", "/organisation"} {
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(e.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))))
			accessible(t, ctx)
		}
	}
	ctx := browser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	signIn(t, ctx, e.URL, "ivan", "demo", "#signout")
	require.Eventually(t, func() bool {
		_ = chromedp.Do(ctx, chromedp.Navigate(e.URL+"/work"))
		return strings.Contains(text(t, ctx, "main"), "Romashka")
	}, 20*time.Second, 200*time.Millisecond)
	openFor(t, ctx, e.URL, "Romashka")
	accessible(t, ctx)
	screenshot(t, ctx, "phone-work-item")
}

// The sign-in form only works from a page this site served (login CSRF).
func TestASignInFromElsewhereIsRefused(t *testing.T) {
	e := testenv.New(t)
	resp, err := http.PostForm(e.URL+"/login", url.Values{"login": {"ivan"}, "password": {"demo"}, "csrf": {"guessed"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	for _, c := range resp.Cookies() {
		require.NotEqual(t, "conveyor_session", c.Name, "no session is started")
	}
}
