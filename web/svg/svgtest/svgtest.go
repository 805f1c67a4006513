// Package svgtest reads back the SVG the web UI draws, for its tests.
package svgtest

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Elem is one element of a drawing.
type Elem struct {
	Name  string
	Attrs map[string]string
	Text  string // character data of the element and its children
}

// Parse decodes svg to its end, failing t on any XML error, and returns its
// elements in document order.
func Parse(t testing.TB, svg string) []*Elem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	var out, stack []*Elem
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "not well-formed XML:\n%s", svg)
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &Elem{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, e := range stack {
				e.Text += string(tok)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// WellFormed parses svg and checks what every drawing of the UI must be: a
// scalable, accessible SVG with a title first and no inline styles (the
// UI's Content-Security-Policy drops them).
func WellFormed(t testing.TB, svg string) []*Elem {
	t.Helper()
	els := Parse(t, svg)
	root := els[0]
	assert.Equal(t, "svg", root.Name)
	assert.Equal(t, "http://www.w3.org/2000/svg", root.Attrs["xmlns"])
	assert.Equal(t, "img", root.Attrs["role"])
	assert.NotEmpty(t, root.Attrs["aria-label"])
	assert.NotEmpty(t, root.Attrs["viewBox"])
	assert.Equal(t, "100%", root.Attrs["width"])
	require.Greater(t, len(els), 1)
	assert.Equal(t, "title", els[1].Name, "the first child is the accessible title")
	assert.NotContains(t, svg, "style=", "the UI's CSP drops inline styles")
	return els
}
