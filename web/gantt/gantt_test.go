package gantt_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/web/gantt"
	"github.com/conveyorhq/conveyor/web/svg/svgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(s string) *time.Time {
	t := at(s)
	return &t
}

var now = at("2025-03-12T10:00:00Z")

// threeStages is the sales conveyor's process: the cold call done on time,
// the deal done two days late, the service open and on time.
func threeStages() []gantt.Bar {
	return []gantt.Bar{
		{Label: "Cold call", Assignee: "ivan", PlannedStart: at("2025-03-01T09:00:00Z"), Due: ptr("2025-03-03T09:00:00Z"),
			Started: ptr("2025-03-01T11:00:00Z"), Completed: ptr("2025-03-02T15:00:00Z")},
		{Label: "Deal", Assignee: "maria", PlannedStart: at("2025-03-02T15:00:00Z"), Due: ptr("2025-03-07T15:00:00Z"),
			Started: ptr("2025-03-03T10:00:00Z"), Completed: ptr("2025-03-09T12:00:00Z"), Overdue: true},
		{Label: "Service", Assignee: "petr", PlannedStart: at("2025-03-09T12:00:00Z"), Due: ptr("2025-03-19T12:00:00Z")},
	}
}

// longSpan covers more than a year, with an open stage without a due date.
func longSpan() []gantt.Bar {
	return []gantt.Bar{
		{Label: "Onboarding", Assignee: "anna", PlannedStart: at("2024-01-10T00:00:00Z"), Due: ptr("2024-02-10T00:00:00Z"),
			Completed: ptr("2024-02-01T00:00:00Z")},
		{Label: "Yearly service", Assignee: "petr", PlannedStart: at("2024-02-01T00:00:00Z"), Due: ptr("2025-02-01T00:00:00Z"),
			Started: ptr("2024-02-03T00:00:00Z"), Completed: ptr("2025-01-20T00:00:00Z")},
		{Label: "Renewal talk", Assignee: "maria", PlannedStart: at("2025-01-20T00:00:00Z")},
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		bars []gantt.Bar
		lang string
	}{
		{"three-stages", threeStages(), "en"},
		{"empty", nil, "ru"},
		{"long-span", longSpan(), "ru"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := gantt.Render(c.bars, now, c.lang)
			svgtest.WellFormed(t, got)
			path := filepath.Join("testdata", c.name+".svg")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden file")
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got); go test -update rewrites it:\n%s", path, diff)
			}
		})
	}
}

func find(els []*svgtest.Elem, name, attr, value string) []*svgtest.Elem {
	var out []*svgtest.Elem
	for _, e := range els {
		if e.Name == name && (attr == "" || e.Attrs[attr] == value) {
			out = append(out, e)
		}
	}
	return out
}

func hasOverdueRect(els []*svgtest.Elem) bool {
	return len(find(els, "rect", "fill", gantt.OverdueColor)) > 0
}

func TestOverdueColourExactlyWhenOverdue(t *testing.T) {
	open := func(b gantt.Bar) gantt.Bar { b.Completed = nil; return b }
	base := gantt.Bar{Label: "Deal", Assignee: "maria", PlannedStart: at("2025-03-10T00:00:00Z"), Due: ptr("2025-03-14T00:00:00Z")}
	cases := []struct {
		name    string
		bar     gantt.Bar
		overdue bool
	}{
		{"open, on time", open(base), false},
		{"open, flagged overdue", func() gantt.Bar { b := open(base); b.Overdue = true; return b }(), true},
		{"open, past due", func() gantt.Bar { b := open(base); b.Due = ptr("2025-03-11T00:00:00Z"); return b }(), true},
		{"done on time", func() gantt.Bar { b := base; b.Completed = ptr("2025-03-11T00:00:00Z"); return b }(), false},
		{"done late", func() gantt.Bar {
			b := base
			b.Due = ptr("2025-03-10T12:00:00Z")
			b.Completed = ptr("2025-03-11T00:00:00Z")
			return b
		}(), true},
		{"no due date", func() gantt.Bar { b := open(base); b.Due = nil; return b }(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			els := svgtest.WellFormed(t, gantt.Render([]gantt.Bar{c.bar}, now, "en"))
			assert.Equal(t, c.overdue, hasOverdueRect(els))
		})
	}
	assert.True(t, hasOverdueRect(svgtest.Parse(t, gantt.Render(threeStages(), now, "en"))))
	assert.False(t, hasOverdueRect(svgtest.Parse(t, gantt.Render(threeStages()[:1], now, "en"))))
	assert.False(t, hasOverdueRect(svgtest.Parse(t, gantt.Render(nil, now, "en"))))
}

func attrNum(t *testing.T, e *svgtest.Elem, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.Attrs[name], 64)
	require.NoError(t, err, "attribute %s of <%s>", name, e.Name)
	return v
}

func TestTodayLineWithinAxis(t *testing.T) {
	cases := map[string][]gantt.Bar{
		"three stages":      threeStages(),
		"long span":         longSpan(),
		"all in the future": {{Label: "Later", PlannedStart: at("2025-06-01T00:00:00Z"), Due: ptr("2025-06-03T00:00:00Z")}},
		"single instant":    {{Label: "Now", PlannedStart: now, Due: &now, Started: &now, Completed: &now}},
	}
	for name, bars := range cases {
		t.Run(name, func(t *testing.T) {
			for _, lang := range []string{"en", "ru"} {
				svg := gantt.Render(bars, now, lang)
				els := svgtest.WellFormed(t, svg)
				axis := find(els, "line", "class", "axis-line")
				today := find(els, "line", "class", "today-line")
				require.Len(t, axis, 1)
				require.Len(t, today, 1)
				x := attrNum(t, today[0], "x1")
				assert.Equal(t, x, attrNum(t, today[0], "x2"), "vertical")
				assert.GreaterOrEqual(t, x, attrNum(t, axis[0], "x1"))
				assert.LessOrEqual(t, x, attrNum(t, axis[0], "x2"))
				want := map[string]string{"en": "Today", "ru": "Сегодня"}[lang]
				assert.NotEmpty(t, find(els, "text", "", ""), "texts")
				found := false
				for _, e := range find(els, "text", "", "") {
					found = found || e.Text == want
				}
				assert.True(t, found, "today labelled %q", want)
				for _, r := range find(els, "rect", "", "") {
					if r.Attrs["class"] == "planned" || r.Attrs["class"] == "actual" {
						assert.GreaterOrEqual(t, attrNum(t, r, "x"), attrNum(t, axis[0], "x1"))
						assert.LessOrEqual(t, attrNum(t, r, "x"), attrNum(t, axis[0], "x2"))
						assert.Greater(t, attrNum(t, r, "width"), 0.0)
					}
				}
			}
		})
	}
}

func TestEscapesText(t *testing.T) {
	bars := []gantt.Bar{{Label: `<script>&alert("x")`, Assignee: `a&b <i>`, PlannedStart: at("2025-03-10T00:00:00Z")}}
	svg := gantt.Render(bars, now, "en")
	els := svgtest.WellFormed(t, svg)
	assert.NotContains(t, svg, "<script>")
	assert.NotContains(t, svg, "<i>")
	assert.Contains(t, svg, "&lt;script&gt;&amp;")
	assert.Contains(t, svg, "a&amp;b &lt;i&gt;")
	var texts []string
	for _, e := range find(els, "text", "", "") {
		texts = append(texts, e.Text)
	}
	assert.Contains(t, texts, `<script>&alert("x")`, "decodes back to the label")
}

func TestEmpty(t *testing.T) {
	en := gantt.Render(nil, now, "en")
	ru := gantt.Render([]gantt.Bar{}, now, "ru")
	svgtest.WellFormed(t, en)
	svgtest.WellFormed(t, ru)
	assert.Contains(t, en, "No stages")
	assert.Contains(t, ru, "Нет этапов")
}

func TestTicks(t *testing.T) {
	tickLabels := func(bars []gantt.Bar, lang string) []string {
		var out []string
		els := svgtest.Parse(t, gantt.Render(bars, now, lang))
		for i, e := range els {
			if e.Name == "g" && e.Attrs["class"] == "axis" {
				for _, c := range els[i+1:] {
					if c.Name == "text" {
						out = append(out, c.Text)
					}
					if c.Attrs["class"] == "axis-line" {
						break
					}
				}
			}
		}
		return out
	}
	// Days: the three-stage chart spans March 1 to 20.
	en := tickLabels(threeStages(), "en")
	assert.Contains(t, en, "Mar 1")
	assert.Contains(t, en, "Mar 19")
	assert.NotContains(t, en, "Mar 2")
	ru := tickLabels(threeStages(), "ru")
	assert.Contains(t, ru, "01.03")
	assert.LessOrEqual(t, len(ru), 16)

	// Weeks beyond 30 days: ticks on Mondays.
	weeks := []gantt.Bar{{Label: "Long deal", PlannedStart: at("2025-01-01T00:00:00Z"), Due: ptr("2025-03-01T00:00:00Z")}}
	labels := tickLabels(weeks, "en")
	assert.Equal(t, "Jan 6", labels[0], "first Monday") // 2025-01-06 is a Monday
	assert.Contains(t, labels, "Jan 13")
	assert.NotContains(t, labels, "Jan 7")

	// Months for long spans, never crowded, even over decades.
	assert.Contains(t, tickLabels(longSpan(), "ru"), "янв. 2025") // month names, the year in January
	decades := []gantt.Bar{{Label: "Forever", PlannedStart: at("1990-05-17T00:00:00Z"), Due: ptr("2030-01-01T00:00:00Z")}}
	labels = tickLabels(decades, "en")
	assert.NotEmpty(t, labels)
	assert.LessOrEqual(t, len(labels), 13)
	for _, l := range labels {
		assert.True(t, strings.HasPrefix(l, "Jan "), l)
	}
}

func TestDeterministic(t *testing.T) {
	assert.Equal(t, gantt.Render(threeStages(), now, "en"), gantt.Render(threeStages(), now, "en"))
}

func TestNonUTCInput(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	bars := threeStages()
	for i := range bars {
		bars[i].PlannedStart = bars[i].PlannedStart.In(msk)
	}
	assert.Equal(t, gantt.Render(threeStages(), now, "en"), gantt.Render(bars, now.In(msk), "en"))
}

func TestWaitingStageHasNoActualBar(t *testing.T) {
	bars := []gantt.Bar{{Label: "Call back", PlannedStart: at("2025-03-20T09:00:00Z"), Due: ptr("2025-03-22T09:00:00Z")}}
	els := svgtest.WellFormed(t, gantt.Render(bars, now, "en"))
	assert.Len(t, find(els, "rect", "class", "planned"), 1)
	assert.Empty(t, find(els, "rect", "class", "actual"))
}

func TestNoStyleAttributes(t *testing.T) {
	// The UI's Content-Security-Policy has style-src 'self': inline styles
	// would be dropped.
	for _, svg := range []string{gantt.Render(threeStages(), now, "en"), gantt.Render(nil, now, "en"), gantt.Render(longSpan(), now, "ru")} {
		assert.NotContains(t, svg, "style=")
		assert.NotContains(t, svg, "<style")
	}
}

func TestCenturies(t *testing.T) {
	// A zero time from a caller's bug must still draw sensibly.
	bars := []gantt.Bar{{Label: "Zero", PlannedStart: time.Time{}}, {Label: "Now", PlannedStart: now}}
	els := svgtest.WellFormed(t, gantt.Render(bars, now, "en"))
	axis := find(els, "line", "class", "axis-line")[0]
	today := find(els, "line", "class", "today-line")[0]
	assert.InDelta(t, attrNum(t, axis, "x2"), attrNum(t, today, "x1"), 1)
	var labels int
	for _, e := range find(els, "text", "", "") {
		if strings.HasPrefix(e.Text, "Jan ") {
			labels++
		}
	}
	assert.LessOrEqual(t, labels, 13)
}

// The rendered axis: over spans from an hour to decades and any number of
// bars, no two tick labels' boxes (from the SVG: x, text-anchor and the
// label's estimated width) overlap, and there are at least two.
func TestRenderedAxisLabelsNeverOverlap(t *testing.T) {
	start := at("2025-12-02T10:17:00Z")
	spans := map[string]time.Duration{
		"an hour": time.Hour, "a day": 24 * time.Hour, "two weeks": 14 * 24 * time.Hour,
		"three months": 92 * 24 * time.Hour, "a year": 365 * 24 * time.Hour, "ten years": 3652 * 24 * time.Hour,
	}
	for name, span := range spans {
		for _, n := range []int{1, 3, 12} {
			for _, lang := range []string{"en", "ru"} {
				t.Run(name+"/"+strconv.Itoa(n)+"/"+lang, func(t *testing.T) {
					var bars []gantt.Bar
					for i := range n {
						s := start.Add(span * time.Duration(i) / time.Duration(n))
						due := s.Add(span / time.Duration(n))
						bars = append(bars, gantt.Bar{Label: "Stage " + strconv.Itoa(i), PlannedStart: s, Due: &due, Started: &s, Completed: &due})
					}
					// now at the end: the span is the bars'.
					els := svgtest.WellFormed(t, gantt.Render(bars, start.Add(span), lang))
					assert.Equal(t, "0 0 960 "+strconv.Itoa(38+40*n+26), els[0].Attrs["viewBox"])
					type box struct {
						label  string
						x0, x1 float64
					}
					var boxes []box
					for _, e := range find(els, "text", "class", "tick") {
						x, w := attrNum(t, e, "x"), gantt.TextWidth(e.Text)
						assert.Equal(t, "12", e.Attrs["font-size"])
						switch e.Attrs["text-anchor"] {
						case "start":
							boxes = append(boxes, box{e.Text, x, x + w})
						case "end":
							boxes = append(boxes, box{e.Text, x - w, x})
						default:
							boxes = append(boxes, box{e.Text, x - w/2, x + w/2})
						}
					}
					require.GreaterOrEqual(t, len(boxes), 2, "at least two labels")
					for i, b := range boxes {
						assert.GreaterOrEqual(t, b.x0, 0.0, b.label)
						assert.LessOrEqual(t, b.x1, 960.0, b.label)
						if i > 0 {
							assert.Greater(t, b.x0, boxes[i-1].x1, "%q and %q overlap", boxes[i-1].label, b.label)
						}
					}
				})
			}
		}
	}
}
