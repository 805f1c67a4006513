// Package gantt draws a process's stages (its work items) as a Gantt chart:
// a self-contained SVG the web UI inlines into its pages.
//
// The package is pure: it reads no clock and does no I/O; "now" is a
// parameter. All times are shown in UTC.
package gantt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conveyorhq/conveyor/web/svg"
)

// Bar is one row of the chart: one stage's work item.
type Bar struct {
	Label        string
	Assignee     string
	PlannedStart time.Time
	Due          *time.Time // nil: no deadline; the planned bar is one day long and dashed
	Started      *time.Time // actual start, may be nil (then PlannedStart)
	Completed    *time.Time // nil while open
	Overdue      bool
}

// Colours. OverdueColor is used for overdue actual bars and nothing else, so a
// chart contains it exactly when some stage is overdue.
const (
	OverdueColor   = "#d93025"
	OpenColor      = "#1a73e8"
	DoneColor      = "#1e8e3e"
	TodayColor     = "#e37400"
	plannedFill    = "#e8f0fe"
	plannedStroke  = "#aecbfa"
	undueStroke    = "#9aa0a6"
	gridColor      = "#e0e0e0"
	textColor      = "#202124"
	mutedTextColor = "#5f6368"
	stripeColor    = "#f8f9fa"
)

// Geometry, in viewBox units. The SVG scales to its container's width, but
// not below MinWidth (style.css): a narrower container scrolls it.
const (
	width       = 960.0
	labelWidth  = 230.0 // the row labels' column
	chartLeft   = 250.0 // the time axis's left end
	chartRight  = width - 24
	axisY       = 34.0 // the axis line; tick labels above it
	rowTop      = axisY + 4
	rowHeight   = 40.0
	footer      = 26.0 // room for the "today" label
	maxLabelLen = 30   // runes of a row label before it is cut with an ellipsis
)

const day = 24 * time.Hour

type texts struct {
	today, noStages, title               string
	planned, actual, now, overdue, noDue string
	dateFmt, timeFmt                     string     // time layouts: tick labels, tooltips
	months                               [12]string // month ticks' names
	stages                               func(n int) string
}

var textsRU = texts{
	today: "Сегодня", noStages: "Нет этапов", title: "Диаграмма Ганта",
	planned: "план", actual: "факт", now: "сейчас", overdue: "просрочено", noDue: "без срока",
	dateFmt: "02.01", timeFmt: "02.01.2006 15:04",
	months: [12]string{"янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.", "дек."},
	stages: func(n int) string { return "этапов: " + strconv.Itoa(n) },
}

var textsEN = texts{
	today: "Today", noStages: "No stages", title: "Gantt chart",
	planned: "planned", actual: "actual", now: "now", overdue: "overdue", noDue: "no due date",
	dateFmt: "Jan 2", timeFmt: "Jan 2, 2006 15:04",
	months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	stages: func(n int) string {
		if n == 1 {
			return "1 stage"
		}
		return strconv.Itoa(n) + " stages"
	},
}

func textsFor(lang string) texts {
	if strings.HasPrefix(strings.ToLower(lang), "ru") {
		return textsRU
	}
	return textsEN
}

// Render draws bars, one row each in the given order, on a UTC time axis
// that spans them all and now. lang "ru" gives Russian labels; anything
// else English.
func Render(bars []Bar, now time.Time, lang string) string {
	tx := textsFor(lang)
	now = now.UTC()
	if len(bars) == 0 {
		return renderEmpty(tx)
	}

	rows := make([]row, len(bars))
	from, to := now, now
	for i, b := range bars {
		r := makeRow(b, now)
		rows[i] = r
		for _, t := range []time.Time{r.planStart, r.planEnd, r.actStart, r.actEnd} {
			if t.Before(from) {
				from = t
			}
			if t.After(to) {
				to = t
			}
		}
	}
	ax := layoutAxis(from, to, chartLeft, chartRight, labelEdge, width-labelEdge, tx)
	sc := scale{from: ax.from, to: ax.to, left: chartLeft, right: chartRight}

	height := rowTop + float64(len(rows))*rowHeight + footer
	label := tx.title + ", " + tx.stages(len(rows))
	var w svg.Writer
	w.Open(width, height, label, "gantt")
	w.Title(label)

	// Rows' stripes first, under the grid.
	for i := range rows {
		if i%2 == 1 {
			w.Raw(fmt.Sprintf(`<rect x="0" y="%s" width="%s" height="%s" fill="%s"/>`,
				svg.Num(rowTop+float64(i)*rowHeight), svg.Num(width), svg.Num(rowHeight), stripeColor))
		}
	}

	// Axis, grid and tick labels.
	bottom := rowTop + float64(len(rows))*rowHeight
	w.Raw(`<g class="axis">`)
	for _, t := range ax.ticks {
		w.Raw(fmt.Sprintf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`,
			svg.Num(t.x), svg.Num(axisY), svg.Num(t.x), svg.Num(bottom), gridColor))
		if t.label == "" {
			continue
		}
		w.Raw(fmt.Sprintf(`<text class="tick" x="%s" y="%s" font-size="%s" fill="%s" text-anchor="%s">%s</text>`,
			svg.Num(t.tx), svg.Num(axisY-8), svg.Num(tickFont), mutedTextColor, t.anchor, svg.Esc(t.label)))
	}
	w.Raw(fmt.Sprintf(`<line class="axis-line" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`,
		svg.Num(chartLeft), svg.Num(axisY), svg.Num(chartRight), svg.Num(axisY), mutedTextColor))
	w.Raw(`</g>`)

	for i, r := range rows {
		drawRow(&w, r, i, sc, now, tx)
	}

	// Today: a line across the rows, labelled under them.
	x := sc.x(now)
	w.Raw(fmt.Sprintf(`<g class="today"><line class="today-line" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`,
		svg.Num(x), svg.Num(axisY), svg.Num(x), svg.Num(bottom+4), TodayColor))
	anchor := "middle"
	if x-chartLeft < 30 {
		anchor = "start"
	} else if chartRight-x < 30 {
		anchor = "end"
	}
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" font-size="12" font-weight="600" fill="%s" text-anchor="%s">%s</text></g>`,
		svg.Num(x), svg.Num(bottom+18), TodayColor, anchor, svg.Esc(tx.today)))

	return w.Close()
}

// row is a bar resolved against now.
type row struct {
	Bar
	planStart, planEnd time.Time
	actStart, actEnd   time.Time
	late               bool
}

func makeRow(b Bar, now time.Time) row {
	r := row{Bar: b, planStart: b.PlannedStart.UTC()}
	if b.Due != nil {
		r.planEnd = b.Due.UTC()
	} else {
		r.planEnd = r.planStart.Add(day)
	}
	if r.planEnd.Before(r.planStart) {
		r.planEnd = r.planStart
	}
	r.actStart = r.planStart
	if b.Started != nil {
		r.actStart = b.Started.UTC()
	}
	r.actEnd = now
	if b.Completed != nil {
		r.actEnd = b.Completed.UTC()
	}
	if r.actEnd.Before(r.actStart) {
		r.actEnd = r.actStart
	}
	r.late = b.Overdue ||
		(b.Due != nil && b.Completed == nil && now.After(*b.Due)) ||
		(b.Due != nil && b.Completed != nil && b.Completed.After(*b.Due))
	return r
}

func drawRow(w *svg.Writer, r row, i int, sc scale, now time.Time, tx texts) {
	y := rowTop + float64(i)*rowHeight
	w.Raw(`<g class="row">`)
	w.Title(rowSummary(r, tx))

	// Label and assignee on the left.
	w.Raw(fmt.Sprintf(`<text x="12" y="%s" font-size="13" font-weight="600" fill="%s">%s</text>`,
		svg.Num(y+17), textColor, svg.Esc(cut(r.Label, maxLabelLen))))
	if r.Assignee != "" {
		w.Raw(fmt.Sprintf(`<text x="12" y="%s" font-size="11" fill="%s">%s</text>`,
			svg.Num(y+32), mutedTextColor, svg.Esc(cut(r.Assignee, maxLabelLen+4))))
	}

	// Planned: light, full row height; dashed when there is no due date.
	px1, px2 := sc.x(r.planStart), sc.x(r.planEnd)
	dash := ""
	stroke := plannedStroke
	if r.Due == nil {
		dash = ` stroke-dasharray="4 3"`
		stroke = undueStroke
	}
	w.Raw(fmt.Sprintf(`<rect class="planned" x="%s" y="%s" width="%s" height="24" rx="3" fill="%s" stroke="%s" stroke-width="1"%s/>`,
		svg.Num(px1), svg.Num(y+8), svg.Num(math.Max(px2-px1, 2)), plannedFill, stroke, dash))

	// Actual: solid, narrower, on top; none yet for a stage that waits for
	// its planned start (unless it is somehow overdue already).
	if r.Started == nil && r.Completed == nil && now.Before(r.planStart) && !r.late {
		w.Raw(`</g>`)
		return
	}
	ax1, ax2 := sc.x(r.actStart), sc.x(r.actEnd)
	fill := OpenColor
	switch {
	case r.late:
		fill = OverdueColor
	case r.Completed != nil:
		fill = DoneColor
	}
	w.Raw(fmt.Sprintf(`<rect class="actual" x="%s" y="%s" width="%s" height="12" rx="2" fill="%s"/>`,
		svg.Num(ax1), svg.Num(y+14), svg.Num(math.Max(ax2-ax1, 3)), fill))
	w.Raw(`</g>`)
}

// rowSummary is the row's tooltip: every date in words.
func rowSummary(r row, tx texts) string {
	var b strings.Builder
	b.WriteString(r.Label)
	if r.Assignee != "" {
		b.WriteString(" — " + r.Assignee)
	}
	b.WriteString(": " + tx.planned + " " + r.planStart.Format(tx.timeFmt) + " – ")
	if r.Due != nil {
		b.WriteString(r.planEnd.Format(tx.timeFmt))
	} else {
		b.WriteString(tx.noDue)
	}
	b.WriteString("; " + tx.actual + " " + r.actStart.Format(tx.timeFmt) + " – ")
	if r.Completed != nil {
		b.WriteString(r.actEnd.Format(tx.timeFmt))
	} else {
		b.WriteString(tx.now)
	}
	if r.late {
		b.WriteString("; " + tx.overdue)
	}
	return b.String()
}

func renderEmpty(tx texts) string {
	var w svg.Writer
	// As wide as a chart, so it reads at the size a chart's labels do.
	w.Open(width, 48, tx.title+": "+tx.noStages, "gantt gantt-empty")
	w.Title(tx.title + ": " + tx.noStages)
	w.Raw(fmt.Sprintf(`<text x="12" y="30" font-size="14" fill="%s">%s</text>`, mutedTextColor, svg.Esc(tx.noStages)))
	return w.Close()
}

// scale maps times in [from, to] onto [left, right].
type scale struct {
	from, to    time.Time
	left, right float64
}

func (s scale) x(t time.Time) float64 {
	f := seconds(s.from, t) / seconds(s.from, s.to)
	f = math.Min(math.Max(f, 0), 1)
	return s.left + f*(s.right-s.left)
}

// seconds is t-from in seconds; unlike time.Time.Sub it does not saturate
// at 292 years, whatever the dates a caller passes.
func seconds(from, t time.Time) float64 {
	return float64(t.Unix()-from.Unix()) + float64(t.Nanosecond()-from.Nanosecond())/1e9
}

// cut shortens s to at most n runes, ending it with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
