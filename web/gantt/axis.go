package gantt

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The time axis's labels never overlap: the tick step is the finest of a
// ladder whose labels, at their estimated widths, keep labelGap between
// them. There are no font metrics on the server, so a label's width is
// estimated from its characters, each at a conservative width (see
// charEm) for the font size used.
const (
	tickFont  = 12.0 // the tick labels' font size, in viewBox units (pixels at MinWidth)
	labelGap  = 10.0 // the least room between two tick labels
	minSpan   = time.Hour
	maxTicks  = 400 // a step that would need more ticks than this is not tried
	labelEdge = 4.0 // labels keep this far from the drawing's sides
)

// MinWidth is the least width, in CSS pixels, the chart is drawn at (the
// .gantt svg rule in web/static/style.css): there one viewBox unit is a
// pixel, so the tick labels are tickFont pixels high; a narrower screen
// scrolls the chart sideways instead of shrinking it.
const MinWidth = width

type stepKind int

const (
	minutes stepKind = iota // sub-day steps: ticks on multiples of n minutes (UTC)
	days                    // every n days from the range's start (a UTC midnight)
	weeks                   // every n weeks from the first Monday
	months                  // every n months, counted from January of year 0: on the same months whatever the range
)

type step struct {
	kind  stepKind
	n     int
	minor int // grid lines every minor units between the labelled ticks; 0: none
}

// ladder is every step the axis may take, finest first.
var ladder = []step{
	{minutes, 15, 0}, {minutes, 30, 0}, {minutes, 60, 0}, {minutes, 180, 0}, {minutes, 360, 0}, {minutes, 720, 0},
	{days, 1, 0}, {days, 2, 1}, {weeks, 1, 0}, {weeks, 2, 1},
	{months, 1, 0}, {months, 3, 1}, {months, 6, 3},
	{months, 12, 0}, {months, 24, 12}, {months, 60, 12}, {months, 120, 0}, {months, 300, 0},
	{months, 600, 0}, {months, 1200, 0}, {months, 3000, 0}, {months, 6000, 0}, {months, 12000, 0},
}

// approx is the step's length in seconds, near enough to count ticks.
func (s step) approx() float64 {
	switch s.kind {
	case minutes:
		return float64(s.n) * 60
	case days:
		return float64(s.n) * 86400
	case weeks:
		return float64(s.n) * 7 * 86400
	}
	return float64(s.n) * 30.436875 * 86400
}

// align widens [from, to] to the step's grain: whole multiples of the step
// below a day, whole UTC days above.
func (s step) align(from, to time.Time) (time.Time, time.Time) {
	g := int64(86400)
	if s.kind == minutes {
		g = int64(s.n) * 60
	}
	a := floorDiv(from.Unix(), g) * g
	b := floorDiv(to.Unix(), g) * g
	if b < to.Unix() || (b == to.Unix() && to.Nanosecond() > 0) {
		b += g
	}
	return time.Unix(a, 0).UTC(), time.Unix(b, 0).UTC()
}

// first is the first tick at or after t, for a range that starts at start.
func (s step) first(t, start time.Time) time.Time {
	switch s.kind {
	case minutes:
		g := int64(s.n) * 60
		u := floorDiv(t.Unix(), g) * g
		f := time.Unix(u, 0).UTC()
		if f.Before(t) {
			f = f.Add(time.Duration(g) * time.Second)
		}
		return f
	case days:
		// Counted from the range's start, so it is always a tick.
		k := int(math.Ceil(seconds(start, t) / (86400 * float64(s.n))))
		return start.AddDate(0, 0, k*s.n)
	case weeks:
		f := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if f.Before(t) {
			f = f.AddDate(0, 0, 1)
		}
		for f.Weekday() != time.Monday {
			f = f.AddDate(0, 0, 1)
		}
		return f
	}
	idx := int64(t.Year())*12 + int64(t.Month()) - 1 // months since January of year 0
	f := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if f.Before(t) {
		idx++
	}
	idx = (floorDiv(idx-1, int64(s.n)) + 1) * int64(s.n) // round up to a multiple of n
	return time.Date(int(floorDiv(idx, 12)), time.Month(idx-floorDiv(idx, 12)*12+1), 1, 0, 0, 0, 0, time.UTC)
}

// add moves the tick t by k steps.
func (s step) add(t time.Time, k int) time.Time {
	switch s.kind {
	case minutes:
		return t.Add(time.Duration(k*s.n) * time.Minute)
	case days:
		return t.AddDate(0, 0, k*s.n)
	case weeks:
		return t.AddDate(0, 0, 7*k*s.n)
	}
	return t.AddDate(0, k*s.n, 0)
}

// times lists the step's ticks in [a, b].
func (s step) times(a, b time.Time) []time.Time {
	var out []time.Time
	for t := s.first(a, a); !t.After(b) && len(out) <= maxTicks; t = s.add(t, 1) {
		out = append(out, t)
	}
	return out
}

// label is the tick's text: times below a day (the date at midnight and on
// the first tick), dates for days and weeks, month names for months (with
// the year on the first tick and in January).
func (s step) label(t time.Time, first, firstYear bool, tx texts) string {
	switch s.kind {
	case minutes:
		if t.Hour() == 0 && t.Minute() == 0 {
			return t.Format(tx.dateFmt)
		}
		if first {
			return t.Format(tx.dateFmt) + " " + t.Format("15:04")
		}
		return t.Format("15:04")
	case days, weeks:
		return t.Format(tx.dateFmt)
	}
	m := tx.months[t.Month()-1]
	if t.Month() == time.January || (first && firstYear) {
		return m + " " + strconv.Itoa(t.Year())
	}
	return m
}

// textWidth is the estimated width of s at the tick labels' font size.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += charEm(r)
	}
	return w * tickFont
}

// charEm is a character's width in ems, rounded up over the sans-serif fonts
// a browser takes for system-ui (Segoe UI, San Francisco, Roboto, DejaVu
// Sans, the widest of them): punctuation and spaces, digits and lowercase
// letters, and the wide ones (capitals, м ш щ ж ю ы ф).
func charEm(r rune) float64 {
	switch {
	case r == ' ' || r == '.' || r == ':' || r == ',':
		return 0.35
	case unicode.IsUpper(r) || strings.ContainsRune("мшщжюыфmw", r):
		return 0.9
	}
	return 0.64
}

// axisTick is a grid line, labelled or not.
type axisTick struct {
	at     time.Time
	x      float64
	label  string  // "" for a grid line only
	tx     float64 // where the label's text is anchored
	anchor string  // its text-anchor
	x0, x1 float64 // the label's estimated extent
}

// axis is the time axis laid out: its range (the chart's scale) and ticks.
type axis struct {
	from, to time.Time
	step     step
	ticks    []axisTick
}

// layoutAxis lays out the axis for the times [from, to] drawn from x left to
// right, with labels kept within [minX, maxX]: the finest step of the ladder
// whose labels keep labelGap between them, with at least two labels.
func layoutAxis(from, to time.Time, left, right, minX, maxX float64, tx texts) axis {
	if to.Sub(from) < minSpan {
		to = from.Add(minSpan)
	}
	span := seconds(from, to)
	for _, s := range ladder {
		if span/s.approx() > maxTicks {
			continue
		}
		if ax, ok := tryStep(s, from, to, left, right, minX, maxX, tx); ok {
			return ax
		}
	}
	// Beyond the ladder (a span of tens of thousands of years, or a chart
	// far narrower than the UI's): years enough for a few labels, thinned
	// until none touch, even if that leaves one.
	years := int(math.Ceil(span / (365.25 * 86400) / 4))
	ax, _ := tryStep(step{months, 12 * max(years, 1), 0}, from, to, left, right, minX, maxX, tx)
	ax.thin()
	return ax
}

// tryStep lays the axis out with step s, and tells whether its labels fit.
// Month labels name the year on the first tick too, unless that is what
// keeps them from fitting and a January names it.
func tryStep(s step, from, to time.Time, left, right, minX, maxX float64, tx texts) (axis, bool) {
	ax, ok := tryLabels(s, from, to, left, right, minX, maxX, true, tx)
	if !ok && s.kind == months && s.n < 12 {
		for _, t := range ax.ticks {
			if t.label != "" && t.at.Month() == time.January {
				return tryLabels(s, from, to, left, right, minX, maxX, false, tx)
			}
		}
	}
	return ax, ok
}

func tryLabels(s step, from, to time.Time, left, right, minX, maxX float64, firstYear bool, tx texts) (axis, bool) {
	a, b := s.align(from, to)
	major := s.times(a, b)
	if len(major) < 2 { // too coarse for the range: widen it to the ticks around it
		if len(major) == 0 || major[0].After(a) {
			a = s.add(s.first(a, a), -1)
		}
		b = s.first(b, a)
		if !b.After(a) {
			b = s.add(a, 1)
		}
		major = s.times(a, b)
	}
	ax := axis{from: a, to: b, step: s}
	sc := scale{from: a, to: b, left: left, right: right}
	for i, t := range major {
		l := s.label(t, i == 0, firstYear, tx)
		x := sc.x(t)
		w := textWidth(l)
		tk := axisTick{at: t, x: x, label: l, tx: x, anchor: "middle", x0: x - w/2, x1: x + w/2}
		switch {
		case tk.x0 < minX:
			tk.tx, tk.anchor, tk.x0, tk.x1 = minX, "start", minX, minX+w
		case tk.x1 > maxX:
			tk.tx, tk.anchor, tk.x0, tk.x1 = maxX, "end", maxX-w, maxX
		}
		ax.ticks = append(ax.ticks, tk)
	}
	// The last label, pushed in from the right edge, may touch the one
	// before it: it goes (its grid line stays) if that leaves two.
	if n := len(ax.ticks); n >= 3 && ax.ticks[n-1].anchor == "end" && ax.ticks[n-1].x0-ax.ticks[n-2].x1 < labelGap {
		ax.ticks[n-1].label = ""
	}
	ok := len(major) <= maxTicks
	labels := 0
	var prev *axisTick
	for i := range ax.ticks {
		t := &ax.ticks[i]
		if t.label == "" {
			continue
		}
		labels++
		if prev != nil && t.x0-prev.x1 < labelGap {
			ok = false
		}
		prev = t
	}
	ok = ok && labels >= 2
	if s.minor > 0 {
		m := step{s.kind, s.minor, 0}
		var all []axisTick
		i := 0
		for _, t := range m.times(a, b) {
			for i < len(ax.ticks) && ax.ticks[i].at.Before(t) {
				all = append(all, ax.ticks[i])
				i++
			}
			if i < len(ax.ticks) && ax.ticks[i].at.Equal(t) {
				continue
			}
			all = append(all, axisTick{at: t, x: sc.x(t)})
		}
		ax.ticks = append(all, ax.ticks[i:]...)
	}
	return ax, ok
}

// thin drops labels, left to right, that would touch the one before.
func (ax *axis) thin() {
	var prev *axisTick
	for i := range ax.ticks {
		t := &ax.ticks[i]
		if t.label == "" {
			continue
		}
		if prev != nil && t.x0-prev.x1 < labelGap {
			t.label = ""
			continue
		}
		prev = t
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
