package charts

import (
	"github.com/conveyorhq/conveyor/web/svg"
)

// Bar is one row of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Inner is the part of Value drawn inside the bar (those of a stage's
	// reached who left it done); zero draws none.
	Inner float64
}

const (
	barH   = 24.0
	barGap = 10.0
)

// Bars draws bars, one row each in the given order, as long as their
// values against the largest: the label in a column on the left, the value
// at the bar's end, the inner part darker inside with its value in it when
// it fits. A negative value draws no bar.
func Bars(title string, bars []Bar, opt Options) string {
	if len(bars) == 0 {
		return empty(title, "chart-bars", opt)
	}
	labels := make([]string, len(bars))
	values := make([]string, len(bars))
	top := 0.0
	for i, b := range bars {
		labels[i] = b.Label
		values[i] = opt.format(b.Value)
		if finite(b.Value) {
			top = max(top, b.Value)
		}
	}
	labelRoom := min(widest(labels, fontSize), width*0.4)
	valueRoom := min(widest(values, smallFont), width*0.25)
	barX := margin + labelRoom + 8
	span := width - margin - barX - valueRoom - 6

	var w svg.Writer
	height := 2*margin + float64(len(bars))*(barH+barGap) - barGap
	w.Open(width, height, title, "chart chart-bars")
	w.Title(title)
	for i, b := range bars {
		y := margin + float64(i)*(barH+barGap)
		full, inner := 0.0, 0.0
		if top > 0 && finite(b.Value) && b.Value > 0 {
			full = span * b.Value / top
			if finite(b.Inner) && b.Inner > 0 {
				inner = min(span*b.Inner/top, full)
			}
		}
		w.Raw(`<g class="bar">`)
		w.Title(barSummary(b, opt))
		label(&w, "label", barX-8, y+barH/2+4.5, fontSize, "end", textColor, b.Label, labelRoom)
		w.Raw(`<rect class="value" x="` + svg.Num(barX) + `" y="` + svg.Num(y) + `" width="` + svg.Num(full) +
			`" height="` + svg.Num(barH) + `" fill="#cfe3ff"/>`)
		if inner > 0 {
			w.Raw(`<rect class="inner" x="` + svg.Num(barX) + `" y="` + svg.Num(y) + `" width="` + svg.Num(inner) +
				`" height="` + svg.Num(barH) + `" fill="#0969da"/>`)
			if s := opt.format(b.Inner); textWidth(s, smallFont)+8 <= inner {
				w.Raw(`<text class="inner-value" x="` + svg.Num(barX+inner-4) + `" y="` + svg.Num(y+barH/2+4) +
					`" font-size="` + svg.Num(smallFont) + `" fill="#ffffff" text-anchor="end">` + svg.Esc(s) + `</text>`)
			}
		}
		label(&w, "value", barX+full+6, y+barH/2+4, smallFont, "", mutedColor, values[i], valueRoom)
		w.Raw(`</g>`)
	}
	return w.Close()
}

// barSummary is a bar's tooltip: its label and values, named as the caller
// names them.
func barSummary(b Bar, opt Options) string {
	s := b.Label + ": "
	if opt.ValueName != "" {
		s += opt.ValueName + " "
	}
	s += opt.format(b.Value)
	if b.Inner != 0 || opt.InnerName != "" {
		s += ", "
		if opt.InnerName != "" {
			s += opt.InnerName + " "
		}
		s += opt.format(b.Inner)
	}
	return s
}
