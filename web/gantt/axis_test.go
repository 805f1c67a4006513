package gantt

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// spans are the axis's test ranges: from an instant to decades, starting at
// odd times.
var spans = []struct {
	name string
	from string
	d    time.Duration
}{
	{"instant", "2025-12-02T10:17:00Z", 0},
	{"20 minutes", "2025-12-02T10:17:00Z", 20 * time.Minute},
	{"an hour", "2025-12-02T10:17:00Z", time.Hour},
	{"five hours across midnight", "2025-12-02T21:40:00Z", 5 * time.Hour},
	{"a day", "2025-12-02T10:17:00Z", day},
	{"36 hours", "2025-12-02T10:17:00Z", 36 * time.Hour},
	{"three days", "2025-12-02T10:17:00Z", 3 * day},
	{"a week", "2025-12-02T10:17:00Z", 7 * day},
	{"two weeks", "2025-12-02T10:17:00Z", 14 * day},
	{"a month", "2025-11-20T10:17:00Z", 31 * day},
	{"three months", "2025-10-15T10:17:00Z", 92 * day},
	{"half a year", "2025-06-15T10:17:00Z", 183 * day},
	{"a year", "2025-01-10T00:00:00Z", 365 * day},
	{"three years", "2023-05-10T00:00:00Z", 3 * 365 * day},
	{"forty years", "1990-05-17T00:00:00Z", 40 * 365 * day},
	{"centuries", "0001-01-01T00:00:00Z", time.Duration(1<<63 - 1)},
}

// widths are the charts' axis lengths, in viewBox units: the real chart's
// and narrower and wider ones.
var widths = []float64{260, 320, 480, chartRight - chartLeft, 1200, 2400}

func TestAxisLabelsNeverOverlap(t *testing.T) {
	for _, sp := range spans {
		for _, w := range widths {
			for _, lang := range []string{"en", "ru"} {
				t.Run(fmt.Sprintf("%s/%v/%s", sp.name, w, lang), func(t *testing.T) {
					from := mustTime(sp.from)
					to := from.Add(sp.d)
					if sp.name == "centuries" {
						to = mustTime("2025-03-12T10:00:00Z")
					}
					left := 250.0
					ax := layoutAxis(from, to, left, left+w, labelEdge, left+w+24-labelEdge, textsFor(lang))

					assert.False(t, ax.from.After(from), "the axis starts at or before the first time")
					assert.False(t, ax.to.Before(to), "the axis ends at or after the last time")
					var labels []axisTick
					for i, tk := range ax.ticks {
						assert.False(t, tk.at.Before(ax.from) || tk.at.After(ax.to), "tick %s within the axis", tk.at)
						assert.True(t, tk.x >= left-0.01 && tk.x <= left+w+0.01, "tick at %v on the axis", tk.x)
						if i > 0 {
							assert.True(t, tk.at.After(ax.ticks[i-1].at), "ticks in order")
						}
						if tk.label == "" {
							continue
						}
						assert.InDelta(t, textWidth(tk.label), tk.x1-tk.x0, 0.01, "the box is the label's width")
						assert.GreaterOrEqual(t, tk.x0, labelEdge-0.01, tk.label)
						assert.LessOrEqual(t, tk.x1, left+w+24-labelEdge+0.01, tk.label)
						labels = append(labels, tk)
					}
					require.GreaterOrEqual(t, len(labels), 2, "at least two labels: %+v", ax.ticks)
					for i := 1; i < len(labels); i++ {
						a, b := labels[i-1], labels[i]
						assert.GreaterOrEqual(t, b.x0-a.x1, labelGap-0.01, "%q [%.1f, %.1f] and %q [%.1f, %.1f] keep a gap",
							a.label, a.x0, a.x1, b.label, b.x0, b.x1)
					}
				})
			}
		}
	}
}

// The axis takes the finest step whose labels fit: on the real chart the
// spans the UI meets get the steps one would choose by hand.
func TestAxisStepForTheSpan(t *testing.T) {
	cases := []struct {
		from, to string
		kind     stepKind
		n        int
	}{
		{"2025-12-02T10:17:00Z", "2025-12-02T11:17:00Z", minutes, 15},
		{"2025-12-02T09:00:00Z", "2025-12-02T17:00:00Z", minutes, 60},
		{"2025-12-02T10:17:00Z", "2025-12-03T10:17:00Z", minutes, 180},
		{"2025-12-01T00:00:00Z", "2025-12-15T00:00:00Z", days, 1},
		{"2025-12-01T00:00:00Z", "2025-12-20T00:00:00Z", days, 2},
		{"2025-10-01T00:00:00Z", "2025-12-20T00:00:00Z", weeks, 1},
		{"2025-01-10T00:00:00Z", "2026-01-10T00:00:00Z", months, 1},
		{"2023-05-10T00:00:00Z", "2026-05-10T00:00:00Z", months, 3},
	}
	for _, c := range cases {
		ax := layoutAxis(mustTime(c.from), mustTime(c.to), chartLeft, chartRight, labelEdge, width-labelEdge, textsRU)
		assert.Equal(t, step{c.kind, c.n, ax.step.minor}, ax.step, "%s – %s", c.from, c.to)
	}
}

func axisLabels(from, to string, lang string) []string {
	ax := layoutAxis(mustTime(from), mustTime(to), chartLeft, chartRight, labelEdge, width-labelEdge, textsFor(lang))
	var out []string
	for _, tk := range ax.ticks {
		if tk.label != "" {
			out = append(out, tk.label)
		}
	}
	return out
}

func TestAxisLabelsForTheStep(t *testing.T) {
	// Below a day: times, the date on the first tick and at midnight.
	l := axisLabels("2025-12-02T21:40:00Z", "2025-12-03T02:40:00Z", "ru")
	assert.Equal(t, "02.12 21:00", l[0])
	assert.Contains(t, l, "03.12")
	assert.Contains(t, l, "23:00")
	assert.NotContains(t, l, "00:00")
	l = axisLabels("2025-12-02T21:40:00Z", "2025-12-03T02:40:00Z", "en")
	assert.Equal(t, "Dec 2 21:00", l[0])
	assert.Contains(t, l, "Dec 3")

	// Days: the date.
	l = axisLabels("2025-12-01T00:00:00Z", "2025-12-15T00:00:00Z", "ru")
	assert.Equal(t, "01.12", l[0])
	assert.Contains(t, l, "02.12")

	// Months: their names in the page's language, the year in January and on the first, unless it crowds them.
	l = axisLabels("2025-01-10T00:00:00Z", "2026-01-10T00:00:00Z", "ru")
	assert.Equal(t, "февр.", l[0], "the year is in January")
	assert.Contains(t, l, "дек.")
	assert.Contains(t, l, "янв. 2026")
	for _, s := range l {
		assert.NotContains(t, s, "01.", "names, not numbers")
	}
	l = axisLabels("2025-01-10T00:00:00Z", "2026-01-10T00:00:00Z", "en")
	assert.Contains(t, l, "Dec")
	assert.Contains(t, l, "Jan 2026")

	// Years: January of every few years.
	for _, s := range axisLabels("1990-05-17T00:00:00Z", "2030-01-01T00:00:00Z", "en") {
		assert.True(t, strings.HasPrefix(s, "Jan "), s)
	}
}
