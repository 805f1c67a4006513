// Package charts draws the analytics page's charts as SVG on the server:
// horizontal bars, lines over time and a heat map. The functions are pure
// and their output is the same for the same input; every word a chart
// shows comes from the caller, in the page's language.
//
// Every chart is 480 units wide and scales to its container (a viewBox,
// width="100%"), so that at a phone's 390 px its smallest text is still
// about 9 px and at a desktop's column it is larger. Labels are measured
// with a conservative estimate of their width; one that would not fit is
// cut with an ellipsis and keeps its full text in a <title>.
package charts

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/conveyorhq/conveyor/web/svg"
)

// Options carries what a chart says in the page's language and how it
// writes a value.
type Options struct {
	// Empty is said by a chart that has nothing to draw ("Нет данных").
	Empty string
	// Format writes a value as the page shows it (a count, a sum of
	// money, a share); nil writes it with at most two decimals.
	Format func(float64) string
	// ValueName and InnerName name a bar's value and its inner part in its
	// tooltip ("reached", "done"); either may be empty.
	ValueName, InnerName string
}

func (o Options) format(v float64) string {
	if o.Format != nil {
		return o.Format(v)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// Geometry and colours shared by the charts, in viewBox units.
const (
	width     = 480.0
	margin    = 8.0
	fontSize  = 13.0 // labels
	smallFont = 12.0 // ticks, values, the legend
	cellFont  = 11.0 // a heat map cell's value

	textColor  = "#1f2328"
	mutedColor = "#59636e"
	gridColor  = "#d1d9e0"
)

// Palette is the lines' colours in order: each at least 4.5:1 against the
// white background and told apart by its dash pattern as well, for those
// who do not tell the colours apart.
var palette = []struct{ colour, dash string }{
	{"#0969da", ""},
	{"#bc4c00", "6 3"},
	{"#1a7f37", "2 3"},
	{"#8250df", "8 3 2 3"},
	{"#cf222e", "4 2"},
	{"#1b7c83", "1 2"},
	{"#6e7781", "10 3"},
	{"#953800", "3 3 1 3"},
}

// textWidth is an upper estimate of s's width at size: wide letters and
// Cyrillic count more than narrow ones, so that a label measured here does
// not overflow the room it was given in the fonts of system-ui.
func textWidth(s string, size float64) float64 {
	em := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;'!|ıіј ", r):
			em += 0.35
		case strings.ContainsRune("MWmwЖШЩЮЫФМжшщюыфм@%—", r):
			em += 0.95
		case unicode.IsUpper(r), unicode.Is(unicode.Cyrillic, r):
			em += 0.72
		case r >= 0x2E80: // CJK and the like: a full em
			em += 1.0
		default:
			em += 0.6
		}
	}
	return em * size
}

// fit cuts s with an ellipsis so that it is at most room wide at size, and
// says whether it did.
func fit(s string, size, room float64) (string, bool) {
	if textWidth(s, size) <= room {
		return s, false
	}
	r := []rune(s)
	for n := len(r) - 1; n > 0; n-- {
		t := strings.TrimSpace(string(r[:n])) + "…"
		if textWidth(t, size) <= room {
			return t, true
		}
	}
	return "…", true
}

// label writes a text element, cut to room; a cut text keeps its full
// wording in a <title> inside it.
func label(w *svg.Writer, class string, x, y, size float64, anchor, fill, s string, room float64) {
	shown, cut := fit(s, size, room)
	t := `<text class="` + class + `" x="` + svg.Num(x) + `" y="` + svg.Num(y) + `" font-size="` + svg.Num(size) +
		`" fill="` + fill + `"`
	if anchor != "" {
		t += ` text-anchor="` + anchor + `"`
	}
	t += `>`
	if cut {
		t += `<title>` + svg.Esc(s) + `</title>`
	}
	w.Raw(t + svg.Esc(shown) + `</text>`)
}

// empty is the small chart that says there is nothing to draw.
func empty(title, class string, opt Options) string {
	var w svg.Writer
	name := title
	if opt.Empty != "" {
		name += ": " + opt.Empty
	}
	w.Open(width, 40, name, "chart "+class+" chart-empty")
	w.Title(title)
	label(&w, "empty", margin, 25, fontSize, "", mutedColor, opt.Empty, width-2*margin)
	return w.Close()
}

// finite says whether v is a number to draw.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// every is how many labels of pitch apart to skip so that labels as wide
// as widest do not touch: 1 shows them all.
func every(widest, pitch float64) int {
	if pitch <= 0 {
		return 1
	}
	return max(1, int(math.Ceil((widest+6)/pitch)))
}

// widest is the largest estimated width of texts at size.
func widest(texts []string, size float64) float64 {
	m := 0.0
	for _, s := range texts {
		m = max(m, textWidth(s, size))
	}
	return m
}

// cutAll fits every text into room and returns what is shown.
func cutAll(texts []string, size, room float64) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i], _ = fit(s, size, room)
	}
	return out
}
