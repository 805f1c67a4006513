package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// editSource changes the editor's text as typing would: the value, then an
// input event for the live check.
func editSource(t *testing.T, ctx context.Context, from, to string) {
	t.Helper()
	src, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("source")))
	require.NoError(t, err)
	require.Contains(t, src, from)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("source"), strings.Replace(src, from, to, 1)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('source').dispatchEvent(new Event('input', {bubbles: true}))`),
	))
}

func TestAnAnalystEditsAndPublishesADefinition(t *testing.T) {
	e := testenv.Seeded(t)
	base := e.URL

	anna := browser(t)
	signIn(t, anna, base, "anna", "demo", "#signout")
	require.NoError(t, chromedp.Do(anna,
		chromedp.Click(chromedp.CSS(`header a[href="/definitions"]`)),
		chromedp.WaitVisible(chromedp.ID("definitions")),
	))
	require.Contains(t, text(t, anna, "#definitions"), "Sales conveyor")
	require.NoError(t, chromedp.Do(anna,
		chromedp.Click(chromedp.CSS(`#definitions a[href="/definitions/sales"]`)),
		chromedp.WaitVisible(chromedp.ID("source")),
		chromedp.WaitVisible(chromedp.CSS("#diagram svg")),
	))

	// What compiles but is likely not meant is warned of as it is typed: a
	// condition reading a field the form may leave out.
	editSource(t, anna, `when: data.result == "interested"`, `when: data.result == "interested" && data.note != ""`)
	require.NoError(t, chromedp.Do(anna, chromedp.WaitVisible(chromedp.CSS("#problems li.warning"))))
	require.Contains(t, text(t, anna, "#problems li.warning"), "Warning: expression: data.note is optional in the form")
	editSource(t, anna, `when: data.result == "interested" && data.note != ""`, `when: data.result == "interested"`)
	require.NoError(t, chromedp.Do(anna, chromedp.WaitVisible(chromedp.ID("no-problems"))))

	// A mistake shows as it is typed, at its line: `due` of the cold call
	// is line 21 of examples/sales-conveyor.yaml.
	editSource(t, anna, "due: 2d", "due: 2x")
	problem := `//ul[@id="problems"]/li[starts-with(normalize-space(.), "21:10:")]`
	require.NoError(t, chromedp.Do(anna, chromedp.WaitVisible(chromedp.Search(problem))))
	require.Contains(t, text(t, anna, "#problems"), `invalid duration "2x"`)
	// Its link selects the line in the editor.
	require.NoError(t, chromedp.Do(anna, chromedp.Click(chromedp.Search(problem+"/a"))))
	selected, err := chromedp.Run(anna, chromedp.Evaluate[string](
		`(s => s.value.substring(s.selectionStart, s.selectionEnd))(document.getElementById('source'))`))
	require.NoError(t, err)
	require.Contains(t, selected, "due: 2x")
	screenshot(t, anna, "definition-editor")

	// Publishing it anyway is refused by the server, which shows the same
	// problem and keeps the text.
	require.NoError(t, chromedp.Do(anna,
		chromedp.Click(chromedp.ID("publish-button")),
		chromedp.WaitVisible(chromedp.ID("publish-errors")),
		chromedp.WaitVisible(chromedp.Search(problem)),
	))
	src, err := chromedp.Run(anna, chromedp.Value(chromedp.ID("source")))
	require.NoError(t, err)
	require.Contains(t, src, "due: 2x")
	v, err := e.Store.DefinitionVersion(t.Context(), "sales", 0)
	require.NoError(t, err)
	require.Equal(t, 1, v.Version, "nothing published")

	// Fixed, the problem goes and the diagram comes back; published, it is
	// version 2.
	editSource(t, anna, "due: 2x", "due: 3d")
	require.NoError(t, chromedp.Do(anna,
		chromedp.WaitVisible(chromedp.ID("no-problems")),
		chromedp.WaitNotPresent(chromedp.CSS("#problems li")),
		chromedp.WaitVisible(chromedp.CSS("#diagram svg")),
		chromedp.Click(chromedp.ID("publish-button")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Contains(t, text(t, anna, "#notice"), "Version 2 is published")
	require.Contains(t, text(t, anna, "#versions"), "v2")
	v, err = e.Store.DefinitionVersion(t.Context(), "sales", 0)
	require.NoError(t, err)
	require.Equal(t, 2, v.Version)
	require.Equal(t, "anna", v.PublishedBy)
	require.Contains(t, v.Source, "    due: 3d ")
	require.NotContains(t, v.Source, "\r", "the browser's line ends are undone")

	// The diff of 1 and 2 marks the changed line.
	require.NoError(t, chromedp.Do(anna,
		chromedp.Click(chromedp.CSS(`#versions a[href$="diff?from=1&to=2"]`)),
		chromedp.WaitVisible(chromedp.ID("diff")),
	))
	require.Contains(t, text(t, anna, "#diff-summary"), "+1")
	require.Contains(t, text(t, anna, "#diff tr.del"), "due: 2d")
	require.Equal(t, "−", text(t, anna, "#diff tr.del td.mark"))
	require.Contains(t, text(t, anna, "#diff tr.add"), "due: 3d")
	require.Equal(t, "+", text(t, anna, "#diff tr.add td.mark"))
	rows, err := chromedp.Run(anna, chromedp.Evaluate[int](`document.querySelectorAll('#diff tr.add, #diff tr.del').length`))
	require.NoError(t, err)
	require.Equal(t, 2, rows, "only the changed line")
	screenshot(t, anna, "definition-diff")

	// Version 1 stays as it was, read-only, with its diagram.
	require.NoError(t, chromedp.Do(anna,
		chromedp.Navigate(base+"/definitions/sales/versions/1"),
		chromedp.WaitVisible(chromedp.CSS("#diagram svg")),
	))
	require.Contains(t, text(t, anna, "#version-source"), "due: 2d")
	n, err := chromedp.Run(anna, chromedp.Evaluate[int](`document.querySelectorAll('textarea').length`))
	require.NoError(t, err)
	require.Zero(t, n)

	// The live check wants the session's CSRF token in the form and, when
	// sent, in X-CSRF-Token too.
	for _, tc := range []struct {
		form, header string
		want         int
	}{{"good", "good", 200}, {"good", "", 200}, {"good", "bad", 403}, {"bad", "good", 403}, {"", "", 403}} {
		status, err := chromedp.Run(anna, chromedp.Evaluate[int](`(() => {
			const token = document.querySelector('header input[name=csrf]').value;
			const pick = v => v === 'good' ? token : v;
			const body = new URLSearchParams({csrf: pick('`+tc.form+`'), source: 'id: x'});
			const headers = {'Content-Type': 'application/x-www-form-urlencoded'};
			if ('`+tc.header+`') headers['X-CSRF-Token'] = pick('`+tc.header+`');
			return fetch('/definitions/validate', {method: 'POST', headers, body}).then(r => r.status);
		})()`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		require.Equal(t, tc.want, status, "form %q, header %q", tc.form, tc.header)
	}
}

func TestOnlyAnalystsSeeDefinitions(t *testing.T) {
	e := testenv.Seeded(t)
	ivan := browser(t)
	signIn(t, ivan, e.URL, "ivan", "demo", "#signout")
	require.NotContains(t, text(t, ivan, "header"), "Definitions")
	for _, path := range []string{"/definitions", "/definitions/sales", "/definitions/new", "/definitions/sales/diff?from=1&to=1"} {
		require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(e.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))))
		require.Equal(t, "Not found", text(t, ivan, "main h1"), path)
	}
}
