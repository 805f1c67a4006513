package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// ganttLayout is what the browser made of a process page's Gantt chart.
type ganttLayout struct {
	ScrollWidth int       `json:"scrollWidth"` // the .gantt box's
	ClientWidth int       `json:"clientWidth"`
	SVGWidth    float64   `json:"svgWidth"` // the chart's, in CSS pixels
	Overflow    bool      `json:"overflow"` // the page is wider than the window
	FontPx      float64   `json:"fontPx"`   // the smallest computed font size of the axis's labels
	Scale       float64   `json:"scale"`    // CSS pixels per viewBox unit
	Labels      []string  `json:"labels"`
	Boxes       []float64 `json:"boxes"` // the labels' left and right edges, as drawn
}

func gantt(t *testing.T, ctx context.Context) ganttLayout {
	t.Helper()
	l, err := chromedp.Run(ctx, chromedp.Evaluate[ganttLayout](`(() => {
		const g = document.querySelector('.gantt'), svg = g.querySelector('svg');
		const ticks = Array.from(svg.querySelectorAll('.axis text'));
		const r = svg.getBoundingClientRect();
		return {
			scrollWidth: g.scrollWidth, clientWidth: g.clientWidth, svgWidth: r.width,
			overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
			fontPx: Math.min(...ticks.map(e => parseFloat(getComputedStyle(e).fontSize))),
			scale: r.width / svg.viewBox.baseVal.width,
			labels: ticks.map(e => e.textContent),
			boxes: ticks.flatMap(e => { const b = e.getBoundingClientRect(); return [b.left, b.right]; }),
		};
	})()`))
	require.NoError(t, err)
	return l
}

// On a phone the Gantt chart keeps a readable scale and scrolls sideways in
// its box, while the page itself fits the window; on a desktop it fills the
// width. Either way its axis's labels, in the browser's own fonts, do not
// touch.
func TestTheGanttScrollsOnAPhone(t *testing.T) {
	e := testenv.Seeded(t)
	for _, c := range []struct {
		name          string
		width, height int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := browser(t)
			require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(c.width, c.height)))
			signIn(t, ctx, e.URL, "olga", "demo", "#signout")
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(e.URL+"/processes"),
				chromedp.WaitVisible(chromedp.ID("#processes")),
				chromedp.Click(chromedp.CSS(`#processes tbody a[href^="/processes/"]`)),
				chromedp.WaitVisible(chromedp.CSS("#gantt svg")),
			))
			l := gantt(t, ctx)
			t.Logf("%s: %+v", c.name, l)

			assert.False(t, l.Overflow, "the page is wider than the window")
			accessible(t, ctx)
			require.GreaterOrEqual(t, len(l.Labels), 2, "the axis has labels")
			assert.GreaterOrEqual(t, l.FontPx, 11.0, "the axis's font size")
			assert.GreaterOrEqual(t, l.FontPx*l.Scale, 11.0, "the axis's text as drawn, in CSS pixels")
			for i := 1; i < len(l.Labels); i++ {
				assert.Less(t, l.Boxes[2*i-1], l.Boxes[2*i], "%q and %q overlap", l.Labels[i-1], l.Labels[i])
			}
			if c.name == "phone" {
				assert.Greater(t, l.ScrollWidth, l.ClientWidth, "the chart scrolls in its box")
				// And it does scroll: the box moves, the page does not.
				moved, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
					const g = document.querySelector('.gantt'); g.scrollLeft = 200; return g.scrollLeft; })()`))
				require.NoError(t, err)
				assert.Greater(t, moved, 0.0)
				assert.False(t, gantt(t, ctx).Overflow)
			} else {
				assert.LessOrEqual(t, l.ScrollWidth, l.ClientWidth, "no scrolling on a desktop")
				assert.InDelta(t, float64(l.ClientWidth), l.SVGWidth, 1, "the chart fills the width")
			}
		})
	}
}
