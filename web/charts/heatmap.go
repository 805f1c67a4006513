package charts

import (
	"github.com/conveyorhq/conveyor/web/svg"
)

const (
	cellH       = 28.0
	headerH     = 22.0
	colLabelMax = 72.0 // the widest a column label may be before it is cut
	minRowRoom  = 48.0 // the row labels' column is never narrower
)

// levels are the heat map's fills from the least to the most, each with
// the text colour that reads on it at 4.5:1 or better. Zero has a fill of
// its own, so that "none" is told from "few".
var levels = []struct{ fill, text string }{
	{"#f6f8fa", textColor},
	{"#dbe9ff", textColor},
	{"#a8c8f5", textColor},
	{"#2f6fc8", "#ffffff"},
	{"#0a3069", "#ffffff"},
}

// level is the fill of v against the largest value top.
func level(v, top float64) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return min(len(levels)-1, 1+int(4*v/top*(1-1e-12)))
}

// HeatMap draws values as a grid, a row of rows and a column of cols each
// (values[r][c]), darker the larger the value against the largest; a cell
// prints its value when it fits, and every cell names its row, column and
// value in a tooltip. A missing value (NaN, or beyond a short row) is a
// blank cell. Column labels that would touch are thinned to every k-th.
func HeatMap(title string, rows, cols []string, values [][]float64, opt Options) string {
	if len(rows) == 0 || len(cols) == 0 {
		return empty(title, "chart-heatmap", opt)
	}
	at := func(r, c int) (float64, bool) {
		if r >= len(values) || c >= len(values[r]) || !finite(values[r][c]) {
			return 0, false
		}
		return values[r][c], true
	}
	top := 0.0
	for r := range rows {
		for c := range cols {
			if v, ok := at(r, c); ok {
				top = max(top, v)
			}
		}
	}
	rowRoom := max(minRowRoom, min(widest(rows, fontSize), width*0.35))
	left := margin + rowRoom + 8
	cs := cutAll(cols, smallFont, colLabelMax)
	cw := widest(cs, smallFont)
	right := width - max(margin, cw/2+2)
	cellW := (right - left) / float64(len(cols))
	height := headerH + float64(len(rows))*cellH + margin

	var w svg.Writer
	w.Open(width, height, title, "chart chart-heatmap")
	w.Title(title)

	w.Raw(`<g class="columns">`)
	step := every(cw, cellW)
	for c, name := range cols {
		if c%step != 0 {
			continue
		}
		label(&w, "col", left+(float64(c)+0.5)*cellW, headerH-7, smallFont, "middle", mutedColor, name, colLabelMax)
	}
	w.Raw(`</g>`)

	for r, name := range rows {
		y := headerH + float64(r)*cellH
		w.Raw(`<g class="row">`)
		label(&w, "row", left-8, y+cellH/2+4.5, fontSize, "end", textColor, name, rowRoom)
		for c := range cols {
			x := left + float64(c)*cellW
			v, ok := at(r, c)
			fill, ink, tip := "#ffffff", textColor, name+" — "+cols[c]+": —"
			if ok {
				l := levels[level(v, top)]
				fill, ink, tip = l.fill, l.text, name+" — "+cols[c]+": "+opt.format(v)
			}
			w.Raw(`<rect class="cell" x="` + svg.Num(x) + `" y="` + svg.Num(y) + `" width="` + svg.Num(cellW) + `" height="` + svg.Num(cellH) +
				`" fill="` + fill + `" stroke="#ffffff" stroke-width="1"><title>` + svg.Esc(tip) + `</title></rect>`)
			if !ok {
				continue
			}
			if s := opt.format(v); textWidth(s, cellFont)+4 <= cellW {
				w.Raw(`<text class="cell-value" x="` + svg.Num(x+cellW/2) + `" y="` + svg.Num(y+cellH/2+4) + `" font-size="` + svg.Num(cellFont) +
					`" fill="` + ink + `" text-anchor="middle">` + svg.Esc(s) + `</text>`)
			}
		}
		w.Raw(`</g>`)
	}
	return w.Close()
}
