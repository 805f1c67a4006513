package charts

import (
	"math"
	"strings"

	"github.com/conveyorhq/conveyor/web/svg"
)

// Series is one line: a value per x label, in their order. A value that is
// not a number (NaN) is a gap in the line; values beyond the labels are
// not drawn.
type Series struct {
	Name   string
	Values []float64
}

const (
	plotTop    = 12.0
	plotHeight = 180.0
	xLabelRoom = 84.0 // the widest an x label may be before it is cut
	legendRow  = 20.0
)

// Lines draws one line per series over xLabels (weeks, months), with a y
// axis of three to five round ticks and a legend under the chart. Each
// point carries its series, label and value in a tooltip. The colours
// follow one another in a fixed order, each with its own dash pattern.
func Lines(title string, xLabels []string, series []Series, opt Options) string {
	lo, hi, any := 0.0, 0.0, false
	integral := true
	for _, s := range series {
		for i, v := range s.Values {
			if i >= len(xLabels) || !finite(v) {
				continue
			}
			any = true
			lo, hi = min(lo, v), max(hi, v)
			integral = integral && v == math.Trunc(v)
		}
	}
	if len(xLabels) == 0 || !any {
		return empty(title, "chart-lines", opt)
	}
	ticks := yTicks(lo, hi, integral)
	tickTexts := make([]string, len(ticks))
	for i, t := range ticks {
		tickTexts[i] = opt.format(t)
	}
	tickRoom := min(widest(tickTexts, smallFont), width*0.2)
	plotLeft := margin + tickRoom + 6

	xs := cutAll(xLabels, smallFont, xLabelRoom)
	xw := widest(xs, smallFont)
	x0 := max(plotLeft+8, xw/2+2)
	x1 := width - max(margin, xw/2+2)
	n := len(xLabels)
	pitch := 0.0
	if n > 1 {
		pitch = (x1 - x0) / float64(n-1)
	}
	xAt := func(i int) float64 {
		if n == 1 {
			return (x0 + x1) / 2
		}
		return x0 + float64(i)*pitch
	}
	bottom := plotTop + plotHeight
	tlo, thi := ticks[0], ticks[len(ticks)-1]
	yAt := func(v float64) float64 { return bottom - (v-tlo)/(thi-tlo)*plotHeight }

	// The legend: swatches and names, as many to a row as fit.
	type item struct {
		x, y float64
		name string
	}
	legendTop := bottom + 40
	items := make([]item, len(series))
	lx, ly := margin, legendTop
	for i, s := range series {
		name, _ := fit(s.Name, smallFont, width*0.45)
		wide := 24 + textWidth(name, smallFont) + 16
		if lx > margin && lx+wide > width-margin {
			lx, ly = margin, ly+legendRow
		}
		items[i] = item{lx, ly, s.Name}
		lx += wide
	}
	height := ly + legendRow - 4

	var w svg.Writer
	w.Open(width, height, title, "chart chart-lines")
	w.Title(title)

	w.Raw(`<g class="axis">`)
	for i, t := range ticks {
		y := yAt(t)
		w.Raw(`<line x1="` + svg.Num(plotLeft) + `" y1="` + svg.Num(y) + `" x2="` + svg.Num(width-margin) + `" y2="` + svg.Num(y) +
			`" stroke="` + gridColor + `" stroke-width="1"/>`)
		label(&w, "tick", plotLeft-6, y+4, smallFont, "end", mutedColor, tickTexts[i], tickRoom)
	}
	step := every(xw, pitch)
	for i := range xLabels {
		if i%step != 0 {
			continue
		}
		label(&w, "x", xAt(i), bottom+18, smallFont, "middle", mutedColor, xLabels[i], xLabelRoom)
	}
	w.Raw(`</g>`)

	for si, s := range series {
		p := palette[si%len(palette)]
		dash := ""
		if p.dash != "" {
			dash = ` stroke-dasharray="` + p.dash + `"`
		}
		w.Raw(`<g class="series">`)
		w.Title(s.Name)
		// A line a run of numbers, broken where a value is missing.
		var run []string
		flush := func() {
			if len(run) > 1 {
				w.Raw(`<polyline points="` + strings.Join(run, " ") + `" fill="none" stroke="` + p.colour +
					`" stroke-width="2"` + dash + `/>`)
			}
			run = run[:0]
		}
		for i, v := range s.Values {
			if i >= n || !finite(v) {
				flush()
				continue
			}
			run = append(run, svg.Num(xAt(i))+","+svg.Num(yAt(v)))
		}
		flush()
		for i, v := range s.Values {
			if i >= n || !finite(v) {
				continue
			}
			w.Raw(`<circle class="point" cx="` + svg.Num(xAt(i)) + `" cy="` + svg.Num(yAt(v)) + `" r="3.5" fill="` + p.colour +
				`"><title>` + svg.Esc(s.Name+" — "+xLabels[i]+": "+opt.format(v)) + `</title></circle>`)
		}
		w.Raw(`</g>`)
	}

	w.Raw(`<g class="legend">`)
	for si, it := range items {
		p := palette[si%len(palette)]
		dash := ""
		if p.dash != "" {
			dash = ` stroke-dasharray="` + p.dash + `"`
		}
		w.Raw(`<line x1="` + svg.Num(it.x) + `" y1="` + svg.Num(it.y-4) + `" x2="` + svg.Num(it.x+18) + `" y2="` + svg.Num(it.y-4) +
			`" stroke="` + p.colour + `" stroke-width="3"` + dash + `/>`)
		label(&w, "legend", it.x+24, it.y, smallFont, "", textColor, it.name, width*0.45)
	}
	w.Raw(`</g>`)
	return w.Close()
}

// yTicks are three to five round values (1, 2, 2.5 or 5 times a power of
// ten apart) from at most lo to at least hi; integral values get integral
// ticks.
func yTicks(lo, hi float64, integral bool) []float64 {
	if hi == lo {
		hi = lo + 1
	}
	rng := hi - lo
	mag := math.Pow(10, math.Floor(math.Log10(rng/4)))
	var ticks []float64
	for _, f := range []float64{1, 2, 2.5, 5, 10, 20, 25, 50, 100} {
		step := f * mag
		if integral && step < 1 {
			continue
		}
		if integral && step != math.Trunc(step) {
			continue
		}
		if step < rng/4*(1-1e-9) {
			continue
		}
		first := math.Floor(lo/step+1e-9) * step
		last := math.Ceil(hi/step-1e-9) * step
		k := int(math.Round((last-first)/step)) + 1
		if k > 5 {
			continue
		}
		for ; k < 3; k++ {
			last += step
		}
		ticks = ticks[:0]
		for v := first; v <= last+step/2; v += step {
			t := math.Round(v/step) * step
			if t == 0 {
				t = 0 // no "-0"
			}
			ticks = append(ticks, t)
		}
		return ticks
	}
	return []float64{lo, hi} // unreachable for finite input
}
