package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/services"
)

// analyticsLayout is what the browser made of the analytics page.
type analyticsLayout struct {
	Headings []string `json:"headings"` // the sections' h2
	Charts   int      `json:"charts"`
	Wide     []string `json:"wide"`   // the charts and tables wider than the window
	Tables   int      `json:"tables"` // each section's table, folded into cards
}

// On a phone, in English and in Russian, the analytics page shows every
// section with its chart and table, every filter labelled, nothing wider
// than the window, and no JavaScript error.
func TestTheAnalyticsPageFitsAPhoneInBothLanguages(t *testing.T) {
	e := testenv.Seeded(t)
	waitForDemo(t, e)
	// One cold call goes on to the deal, so that there is a handoff and a
	// week with work done.
	w := waitForItem(t, e, "ivan", func(w services.WorkItem) bool { return w.Stage == "cold_call" })
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+w.ID+"/complete", e.Login(t, "ivan"),
		map[string]any{"data": map[string]any{"result": "interested"}}, nil))

	ctx := browser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	signIn(t, ctx, e.URL, "olga", "demo", "#signout")
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(e.URL+"/lang/"+lang),
				chromedp.WaitVisible(chromedp.CSS("main h1")),
				chromedp.Navigate(e.URL+"/analytics?definition=sales"),
				chromedp.WaitVisible(chromedp.ID("an-heat")),
			))
			accessible(t, ctx)
			l, err := chromedp.Run(ctx, chromedp.Evaluate[analyticsLayout](`(() => {
				const sections = Array.from(document.querySelectorAll('main section'));
				const wide = Array.from(document.querySelectorAll('main svg, main table'))
					.filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
					.map(e => e.id || e.getAttribute('aria-label'));
				return {
					headings: sections.map(s => s.querySelector('h2').textContent),
					charts: document.querySelectorAll('main section svg').length,
					wide: wide,
					tables: sections.filter(s => s.querySelector('table') &&
						getComputedStyle(s.querySelector('table tr')).display === 'block').length,
				};
			})()`))
			require.NoError(t, err)
			t.Logf("%s: %+v", lang, l)
			want := make([]string, len(analyticsSections))
			for i, s := range analyticsSections {
				want[i] = map[string]string{"en": s.en, "ru": s.ru}[lang]
			}
			require.Equal(t, want, l.Headings)
			require.GreaterOrEqual(t, l.Charts, len(analyticsSections), "a chart a section")
			require.Empty(t, l.Wide, "charts or tables wider than the phone")
			require.Equal(t, len(analyticsSections), l.Tables, "every section's table folds into cards")
			asOf := text(t, ctx, "#an-asof")
			require.Contains(t, asOf, map[string]string{"en": "Live figures", "ru": "Данные на"}[lang])
		})
	}
}
