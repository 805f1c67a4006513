package gantt

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
)

// svgWriter builds an SVG document as text. Everything that did not come
// from this package goes through esc.
type svgWriter struct{ b strings.Builder }

// open starts the document: a viewBox that scales to the container's width,
// and role="img" with label for assistive technology. No style attributes:
// the UI's Content-Security-Policy (style-src 'self') would drop them.
func (w *svgWriter) open(width, height float64, label, class string) {
	w.b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + num(width) + ` ` + num(height) +
		`" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="` + esc(label) +
		`" class="` + esc(class) + `" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">` + "\n")
}

// title writes a <title> element: the accessible name of its parent.
func (w *svgWriter) title(s string) { w.raw(`<title>` + esc(s) + `</title>`) }

// raw writes markup that is already escaped, on a line of its own.
func (w *svgWriter) raw(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *svgWriter) close() string {
	w.b.WriteString("</svg>\n")
	return w.b.String()
}

// esc escapes s for XML text and attribute values alike.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// num formats a coordinate with at most one decimal.
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
