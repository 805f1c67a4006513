// Package svg writes the SVG documents the web UI draws on the server:
// scalable (a viewBox), accessible (role and label) and free of style
// attributes, which the Content-Security-Policy would drop.
package svg

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
)

// Writer builds an SVG document as text. Everything that did not come
// from the caller as markup goes through Esc.
type Writer struct{ b strings.Builder }

// Open starts the document: a viewBox that scales to the container's width,
// and role="img" with label for assistive technology. No style attributes:
// the UI's Content-Security-Policy (style-src 'self') would drop them.
func (w *Writer) Open(width, height float64, label, class string) {
	w.b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + Num(width) + ` ` + Num(height) +
		`" width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-label="` + Esc(label) +
		`" class="` + Esc(class) + `" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">` + "\n")
}

// Title writes a <title> element: the accessible name of its parent.
func (w *Writer) Title(s string) { w.Raw(`<title>` + Esc(s) + `</title>`) }

// Raw writes markup that is already escaped, on a line of its own.
func (w *Writer) Raw(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

// Close ends the document and returns it.
func (w *Writer) Close() string {
	w.b.WriteString("</svg>\n")
	return w.b.String()
}

// Esc escapes s for XML text and attribute values alike.
func Esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// Num formats a coordinate with at most one decimal.
func Num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
