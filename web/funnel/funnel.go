// Package funnel draws a conveyor's funnel as SVG on the server: a bar a
// stage, as wide as the processes that reached it, with how many left it
// done, the share of the first stage beside.
package funnel

import (
	"fmt"

	"github.com/conveyorhq/conveyor/web/svg"
)

// Stage is one bar.
type Stage struct {
	Title         string
	Reached, Left int
}

const (
	width  = 720.0
	label  = 200.0 // the stage titles' column
	barH   = 28.0
	gap    = 10.0
	margin = 8.0
)

// Render draws stages in order; label names the chart for assistive
// technology ("Funnel: Sales conveyor").
func Render(stages []Stage, name string) string {
	var w svg.Writer
	height := margin*2 + float64(len(stages))*(barH+gap)
	w.Open(width, height, name, "funnel")
	w.Title(name)
	top := 0
	for _, s := range stages {
		top = max(top, s.Reached)
	}
	span := width - label - 90
	for i, s := range stages {
		y := margin + float64(i)*(barH+gap)
		reached, left := 0.0, 0.0
		if top > 0 {
			reached, left = span*float64(s.Reached)/float64(top), span*float64(s.Left)/float64(top)
		}
		share := ""
		if first := stages[0].Reached; first > 0 {
			share = fmt.Sprintf(" · %d%%", s.Reached*100/first)
		}
		w.Raw(`<g class="stage"><title>` + svg.Esc(fmt.Sprintf("%s: %d reached, %d left done", s.Title, s.Reached, s.Left)) + `</title>`)
		w.Raw(`<text x="` + svg.Num(label-8) + `" y="` + svg.Num(y+barH/2+4) + `" text-anchor="end" font-size="13" fill="#1f2328">` + svg.Esc(s.Title) + `</text>`)
		w.Raw(`<rect class="reached" x="` + svg.Num(label) + `" y="` + svg.Num(y) + `" width="` + svg.Num(reached) + `" height="` + svg.Num(barH) + `" fill="#cfe3ff"/>`)
		w.Raw(`<rect class="left" x="` + svg.Num(label) + `" y="` + svg.Num(y) + `" width="` + svg.Num(left) + `" height="` + svg.Num(barH) + `" fill="#0969da"/>`)
		w.Raw(`<text x="` + svg.Num(label+reached+6) + `" y="` + svg.Num(y+barH/2+4) + `" font-size="12" fill="#59636e">` + svg.Esc(fmt.Sprintf("%d%s", s.Reached, share)) + `</text>`)
		w.Raw(`</g>`)
	}
	return w.Close()
}
