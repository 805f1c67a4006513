// Package export streams a table to a CSV or an XLSX file a row at a time,
// in memory that does not grow with the number of rows: each row is encoded
// and handed to the io.Writer (through a compressor, for XLSX) before the
// next one is read, so an export of a million rows holds one row.
//
// The package is pure: it knows nothing of clients, work items or processes.
// Its caller names the columns, passes each row's values in their order and
// chooses the time zone the times are shown in.
//
// Text is hostile input. Both formats cut a text cell to Excel's limit of
// MaxTextLength characters and replace bytes that are not UTF-8; the CSV
// writer defuses text that a spreadsheet would run as a formula and the
// XLSX writer drops the characters XML 1.0 cannot carry.
package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is what a column holds; it decides how its cells are written.
type Kind int

// The kinds of column. A Text column takes a value of any supported type and
// writes it as text; the others take only their own types (and nil).
const (
	// Text takes a string, and writes numbers, booleans and times as text
	// too (an identifier or a phone number stays text in a spreadsheet).
	Text Kind = iota
	// Number takes float64, float32, int, int32, int64 and json.Number.
	Number
	// Time takes time.Time and *time.Time; the zero time is an empty cell.
	Time
	// Bool takes bool.
	Bool
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "Text"
	case Number:
		return "Number"
	case Time:
		return "Time"
	case Bool:
		return "Bool"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Column is one column of the table: its header and its kind.
type Column struct {
	Title string
	Kind  Kind
}

// Writer writes the rows of one table. It is not safe for concurrent use.
type Writer interface {
	// Row writes one row. values match the columns in number and order; nil
	// is an empty cell. A value the column cannot take is an error that
	// writes nothing of the row, and the next row may still be written; an
	// error of the underlying io.Writer is returned by every later call.
	Row(values []any) error
	// Close flushes and finishes the file; the underlying io.Writer is not
	// closed. A Row after Close is an error.
	Close() error
}

// Bounds of the formats, Excel's own.
const (
	// MaxTextLength is the longest text cell, in UTF-16 code units as Excel
	// counts (a character outside the Basic Multilingual Plane counts two).
	// Longer text is cut, in both formats.
	MaxTextLength = 32767
	// MaxXLSXRows is the number of rows in a sheet, the header included, so
	// an XLSX file holds at most MaxXLSXRows-1 rows of data.
	MaxXLSXRows = 1 << 20
	// MaxXLSXColumns is the number of columns in a sheet.
	MaxXLSXColumns = 1 << 14
	// MaxSheetName is the longest sheet name.
	MaxSheetName = 31
)

// The media types to serve the files with.
const (
	CSVContentType  = "text/csv; charset=utf-8"
	XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

var (
	// ErrTooManyRows is returned by Row past MaxXLSXRows.
	ErrTooManyRows = errors.New("export: too many rows for a sheet")
	// ErrTooManyColumns is returned for more than MaxXLSXColumns columns.
	ErrTooManyColumns = errors.New("export: too many columns for a sheet")
	// ErrClosed is returned by Row after Close.
	ErrClosed = errors.New("export: writer is closed")
)

// timeLayout is how a time is written as text.
const timeLayout = "2006-01-02 15:04"

// checkColumns validates what both constructors take.
func checkColumns(cols []Column, loc *time.Location) error {
	if loc == nil {
		return errors.New("export: no time zone")
	}
	if len(cols) == 0 {
		return errors.New("export: no columns")
	}
	for i, c := range cols {
		if c.Kind < Text || c.Kind > Bool {
			return fmt.Errorf("export: column %d %q: unknown kind %d", i+1, c.Title, int(c.Kind))
		}
	}
	return nil
}

// valueKind is what a value turned out to be once checked.
type valueKind uint8

const (
	vEmpty valueKind = iota
	vText
	vNumber
	vTime
	vBool
)

// value is a checked value, ready for either format. Numbers are kept as
// they came so that each format appends them without allocating.
type value struct {
	kind valueKind
	// guard is set on text from the caller's strings: that is the text a
	// spreadsheet could take for a formula.
	guard bool
	s     string  // vText; for vNumber a json.Number literal when lit
	lit   bool    // vNumber: s is a plain decimal to write as it is
	isInt bool    // vNumber: i holds it
	i     int64   // vNumber
	f     float64 // vNumber
	bits  int     // vNumber: 32 for a float32, else 64
	t     time.Time
	b     bool
}

// check turns the value of column col (0-based) into a value, or says why
// the column cannot take it.
func check(cols []Column, col int, v any, loc *time.Location) (value, error) {
	kind := cols[col].Kind
	var out value
	switch x := v.(type) {
	case nil:
		return value{}, nil
	case string:
		if kind != Text {
			return value{}, kindError(cols, col, v)
		}
		if x == "" {
			return value{}, nil
		}
		return value{kind: vText, guard: true, s: x}, nil
	case float64:
		out = number(x, 64)
	case float32:
		out = number(float64(x), 32)
	case int:
		out = value{kind: vNumber, isInt: true, i: int64(x)}
	case int32:
		out = value{kind: vNumber, isInt: true, i: int64(x)}
	case int64:
		out = value{kind: vNumber, isInt: true, i: x}
	case json.Number:
		n, ok := jsonNumber(x)
		if !ok {
			if kind != Text {
				return value{}, fmt.Errorf("column %d %q: %.40q is not a number", col+1, cols[col].Title, string(x))
			}
			if x == "" {
				return value{}, nil
			}
			return value{kind: vText, guard: true, s: string(x)}, nil
		}
		out = n
	case bool:
		out = value{kind: vBool, b: x}
	case time.Time:
		out = timeValue(x, loc)
	case *time.Time:
		if x == nil {
			out = value{}
		} else {
			out = timeValue(*x, loc)
		}
	default:
		return value{}, fmt.Errorf("column %d %q: unsupported type %T", col+1, cols[col].Title, v)
	}
	switch {
	case kind == Text, out.kind == vEmpty, out.kind == holds(kind):
		return out, nil
	case kind == Number && out.kind == vText && out.guard:
		// A float that is NaN or infinite: no number a spreadsheet holds.
		return out, nil
	}
	return value{}, kindError(cols, col, v)
}

// holds is the value a column of the kind holds.
func holds(k Kind) valueKind {
	switch k {
	case Number:
		return vNumber
	case Time:
		return vTime
	case Bool:
		return vBool
	}
	return vText
}

func kindError(cols []Column, col int, v any) error {
	return fmt.Errorf("column %d %q: a %s column cannot take %T", col+1, cols[col].Title, cols[col].Kind, v)
}

// number checks a float: NaN and the infinities are no number a spreadsheet
// holds, so they are written as text.
func number(f float64, bits int) value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return value{kind: vText, guard: true, s: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	return value{kind: vNumber, f: f, bits: bits}
}

// maxLiteral bounds a json.Number written as it came; a longer one is parsed
// and written as a float.
const maxLiteral = 40

// jsonNumber checks a json.Number. A plain decimal (digits, a point, a
// minus) is kept as it came, precision and all; anything else that parses
// (an exponent) is written as the float it is.
func jsonNumber(n json.Number) (value, bool) {
	s := string(n)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || !json.Valid([]byte(s)) || strings.TrimSpace(s) != s {
		return value{}, false
	}
	if len(s) <= maxLiteral && strings.IndexAny(s, "eE") < 0 {
		return value{kind: vNumber, s: s, lit: true}, true
	}
	return value{kind: vNumber, f: f, bits: 64}, true
}

func timeValue(t time.Time, loc *time.Location) value {
	if t.IsZero() {
		return value{}
	}
	return value{kind: vTime, t: t.In(loc)}
}

// appendNumber appends a vNumber as text: without an exponent where that is
// reasonable, with one for the very large and the very small.
func appendNumber(dst []byte, v *value) []byte {
	switch {
	case v.isInt:
		return strconv.AppendInt(dst, v.i, 10)
	case v.lit:
		return append(dst, v.s...)
	}
	a := math.Abs(v.f)
	if a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(dst, v.f, 'f', -1, v.bits)
	}
	return strconv.AppendFloat(dst, v.f, 'g', -1, v.bits)
}

// appendText appends a non-text value as the text a Text column shows.
func appendText(dst []byte, v *value) []byte {
	switch v.kind {
	case vNumber:
		return appendNumber(dst, v)
	case vTime:
		return v.t.AppendFormat(dst, timeLayout)
	case vBool:
		return strconv.AppendBool(dst, v.b)
	}
	return append(dst, v.s...)
}

// cleanText makes text safe to write: bytes that are not UTF-8 become
// U+FFFD, keep(r) false drops a character, and the text is cut to max
// UTF-16 code units, never inside a pair. It allocates only when it has to
// change the text.
func cleanText(s string, max int, keep func(rune) bool) string {
	units, clean := 0, true
	for i, r := range s {
		if r == utf8.RuneError || !keep(r) {
			// RuneError is also a U+FFFD written as such; the slow path
			// keeps that one.
			clean = false
			break
		}
		units += utf16.RuneLen(r)
		if units > max {
			return s[:i]
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	units = 0
	for _, r := range s { // an invalid byte comes as utf8.RuneError
		if !keep(r) {
			continue
		}
		n := utf16.RuneLen(r)
		if units+n > max {
			break
		}
		units += n
		b.WriteRune(r)
	}
	return b.String()
}

func keepAll(rune) bool { return true }
