package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
)

// XLSX writes a table as an Excel workbook (Office Open XML) of one sheet,
// named by SheetName(sheet). The first row is the titles, bold, and stays
// in view as the rest scrolls. Text is written inline in its cell, numbers
// and booleans as such, times in loc as date-time cells ("yyyy-mm-dd
// hh:mm"); a time before 1900-03-01 or after 9999, which Excel cannot hold
// as a date, is written as text. Nil, "" and the zero time leave the cell
// out.
//
// A sheet holds at most MaxXLSXRows rows, the header included, and
// MaxXLSXColumns columns.
func XLSX(w io.Writer, cols []Column, sheet string, loc *time.Location) (Writer, error) {
	if err := checkColumns(cols, loc); err != nil {
		return nil, err
	}
	if len(cols) > MaxXLSXColumns {
		return nil, fmt.Errorf("%w: %d, at most %d", ErrTooManyColumns, len(cols), MaxXLSXColumns)
	}
	x := &xlsxWriter{
		zip:  zip.NewWriter(w),
		cols: cols,
		loc:  loc,
		vals: make([]value, len(cols)),
		refs: make([][]byte, len(cols)),
	}
	// The fastest level of deflate: an export is written while someone
	// waits for it, and the sheet's XML is repetitive enough to shrink well
	// at any level.
	x.zip.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for i := range cols {
		x.refs[i] = appendColumnName(nil, i)
	}
	if err := x.start(SheetName(sheet)); err != nil {
		return nil, err
	}
	return x, nil
}

type xlsxWriter struct {
	zip    *zip.Writer
	sheet  io.Writer
	cols   []Column
	loc    *time.Location
	vals   []value
	refs   [][]byte // the letters of each column
	buf    []byte
	row    int   // the number of the last row written, the header's is 1
	err    error // of the io.Writer: every later call returns it
	closed bool
}

// The parts of the package, but for the sheet.
const (
	contentTypesXML = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	relsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`
	workbookRelsXML = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`
	// The cell formats: 0 plain, 1 the bold header, 2 a date and time.
	stylesXML = xmlHeader + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>` +
		`<fonts count="2">` +
		`<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
		`<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
		`</fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="3">` +
		`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
		`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
		`</cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
		`</styleSheet>`
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = `http://schemas.openxmlformats.org/spreadsheetml/2006/main`
	nsRel     = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
)

// Styles of cells, indexes into cellXfs.
const (
	styleHeader = "1"
	styleTime   = "2"
)

// modified is the time the parts of every file carry, so that the same
// table makes the same bytes.
var modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// start writes every part but the sheet, then the sheet up to and with its
// header row.
func (x *xlsxWriter) start(sheet string) error {
	workbook := xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
		`<bookViews><workbookView/></bookViews>` +
		`<sheets><sheet name="` + string(appendXMLEscaped(nil, sheet, true)) + `" sheetId="1" r:id="rId1"/></sheets>` +
		`</workbook>`
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", relsXML},
		{"xl/workbook.xml", workbook},
		{"xl/_rels/workbook.xml.rels", workbookRelsXML},
		{"xl/styles.xml", stylesXML},
	} {
		f, err := x.create(part.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return err
		}
	}
	f, err := x.create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	x.sheet = f

	b := append(x.buf[:0], xmlHeader...)
	b = append(b, `<worksheet xmlns="`+nsMain+`" xmlns:r="`+nsRel+`">`...)
	b = append(b, `<sheetViews><sheetView tabSelected="1" workbookViewId="0">`+
		`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>`+
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>`+
		`</sheetView></sheetViews>`...)
	b = append(b, `<sheetFormatPr defaultRowHeight="15"/><cols>`...)
	for i, col := range x.cols {
		n := strconv.AppendInt(nil, int64(i+1), 10)
		b = append(b, `<col min="`...)
		b = append(b, n...)
		b = append(b, `" max="`...)
		b = append(b, n...)
		b = append(b, `" width="`...)
		b = strconv.AppendInt(b, int64(columnWidth(col)), 10)
		b = append(b, `" customWidth="1"/>`...)
	}
	b = append(b, `</cols><sheetData><row r="1">`...)
	for i, col := range x.cols {
		if col.Title == "" {
			continue
		}
		b = x.appendTextCell(b, i, styleHeader, col.Title)
	}
	b = append(b, `</row>`...)
	x.buf = b
	x.row = 1
	_, err = x.sheet.Write(b)
	return err
}

func (x *xlsxWriter) create(name string) (io.Writer, error) {
	return x.zip.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
}

// columnWidth is a column's width in characters: enough for its title, and
// for a time in a time column.
func columnWidth(c Column) int {
	w := len(utf16.Encode([]rune(c.Title))) + 3
	if c.Kind == Time {
		w = max(w, 17)
	}
	return min(max(w, 10), 60)
}

func (x *xlsxWriter) Row(values []any) error {
	switch {
	case x.closed:
		return ErrClosed
	case x.err != nil:
		return x.err
	case x.row >= MaxXLSXRows:
		return fmt.Errorf("%w: at most %d rows of data", ErrTooManyRows, MaxXLSXRows-1)
	case len(values) != len(x.cols):
		return fmt.Errorf("export: row %d has %d values for %d columns", x.row, len(values), len(x.cols))
	}
	for i, v := range values {
		val, err := check(x.cols, i, v, x.loc)
		if err != nil {
			return fmt.Errorf("export: row %d: %w", x.row, err)
		}
		x.vals[i] = val
	}
	r := x.row + 1
	b := append(x.buf[:0], `<row r="`...)
	b = strconv.AppendInt(b, int64(r), 10)
	b = append(b, `">`...)
	for i := range x.vals {
		v := &x.vals[i]
		switch {
		case v.kind == vEmpty:
			continue
		case v.kind == vText && v.guard:
			b = x.appendTextCell(b, i, "", v.s)
			continue
		case v.kind == vText || x.cols[i].Kind == Text:
			// Text of the package's own (a number in a Text column, NaN):
			// nothing to escape or cut.
			b = x.appendCellStart(b, i, r, "", "inlineStr")
			b = append(b, `<is><t>`...)
			b = appendText(b, v)
			b = append(b, `</t></is></c>`...)
			continue
		}
		switch v.kind {
		case vNumber:
			b = x.appendCellStart(b, i, r, "", "")
			b = append(b, `<v>`...)
			b = appendNumber(b, v)
		case vBool:
			b = x.appendCellStart(b, i, r, "", "b")
			b = append(b, `<v>`...)
			if v.b {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		case vTime:
			s, ok := serial(v.t)
			if !ok {
				b = x.appendCellStart(b, i, r, "", "inlineStr")
				b = append(b, `<is><t>`...)
				b = v.t.AppendFormat(b, timeLayout)
				b = append(b, `</t></is></c>`...)
				continue
			}
			b = x.appendCellStart(b, i, r, styleTime, "")
			b = append(b, `<v>`...)
			b = strconv.AppendFloat(b, s, 'f', -1, 64)
		}
		b = append(b, `</v></c>`...)
	}
	b = append(b, `</row>`...)
	x.buf = b
	if _, err := x.sheet.Write(b); err != nil {
		x.err = err
		return err
	}
	x.row = r
	return nil
}

func (x *xlsxWriter) Close() error {
	if x.closed {
		return x.err
	}
	x.closed = true
	if x.err != nil {
		return x.err
	}
	if _, err := io.WriteString(x.sheet, `</sheetData></worksheet>`); err != nil {
		x.err = err
		return err
	}
	x.err = x.zip.Close()
	return x.err
}

// appendCellStart appends the start of the cell of column i in row r, up to
// and with the '>' of its tag.
func (x *xlsxWriter) appendCellStart(b []byte, i, r int, style, typ string) []byte {
	b = append(b, `<c r="`...)
	b = append(b, x.refs[i]...)
	b = strconv.AppendInt(b, int64(r), 10)
	b = append(b, '"')
	if style != "" {
		b = append(b, ` s="`...)
		b = append(b, style...)
		b = append(b, '"')
	}
	if typ != "" {
		b = append(b, ` t="`...)
		b = append(b, typ...)
		b = append(b, '"')
	}
	return append(b, '>')
}

// appendTextCell appends a cell of the caller's text in column i of the row
// after the last written: cleaned of what XML cannot hold, cut, escaped.
func (x *xlsxWriter) appendTextCell(b []byte, i int, style, s string) []byte {
	s = cleanText(s, MaxTextLength, xmlChar)
	if s == "" {
		return b
	}
	b = x.appendCellStart(b, i, x.row+1, style, "inlineStr")
	if isXMLSpace(s[0]) || isXMLSpace(s[len(s)-1]) {
		b = append(b, `<is><t xml:space="preserve">`...)
	} else {
		b = append(b, `<is><t>`...)
	}
	b = appendXMLEscaped(b, s, false)
	return append(b, `</t></is></c>`...)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// xmlChar reports whether XML 1.0 allows the character.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// appendXMLEscaped appends clean text escaped for XML: the markup
// characters, a carriage return (which a parser would turn into a line
// feed), and an underscore that begins what Excel would read as an escaped
// character (_x000D_), which is written as _x005F_ so that the text reads
// back as it was.
func appendXMLEscaped(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\r':
			esc = "&#13;"
		case c == '"' && attr:
			esc = "&quot;"
		case (c == '\n' || c == '\t') && attr:
			esc = "&#" + strconv.Itoa(int(c)) + ";"
		case c == '_' && !attr && excelEscape(s[i:]):
			esc = "_x005F_"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// excelEscape reports whether s begins with _xHHHH_.
func excelEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

// appendColumnName appends the letters of column i (0-based): A, …, Z, AA, ….
func appendColumnName(b []byte, i int) []byte {
	var name [4]byte
	n := len(name)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		name[n] = byte('A' + (i-1)%26)
	}
	return append(b, name[n:]...)
}

// excelEpoch is day 0 of Excel's dates: 1899-12-30, so that 1900-03-01 is
// day 61 as Excel counts, with its 1900-02-29 that never was.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix() / 86400

// serial is a time as an Excel serial date: days since 1899-12-30 at the
// time's own wall clock, its time of day the fraction. Excel holds dates
// from 1900-03-01 (before that its 1900 is not the calendar's) to 9999.
func serial(t time.Time) (float64, bool) {
	y, m, d := t.Date()
	if y < 1900 || (y == 1900 && m < time.March) || y > 9999 {
		return 0, false
	}
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 - excelEpoch
	h, mi, s := t.Clock()
	secs := float64(h*3600+mi*60+s) + float64(t.Nanosecond())/1e9
	return float64(days) + secs/86400, true
}

// SheetName is name made fit to name a sheet, as XLSX does with the name it
// is given: without control characters and []:*?/\ (each becomes _),
// without spaces around it or apostrophes at its ends, at most MaxSheetName
// characters, and "Sheet1" if nothing is left. Excel's reserved "History"
// becomes "History_".
func SheetName(name string) string {
	name = cleanText(name, len(name), func(r rune) bool { return r >= 0x20 && xmlChar(r) })
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, name)
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\'' })
	}
	name = trim(cleanText(trim(name), MaxSheetName, keepAll))
	switch {
	case name == "":
		return "Sheet1"
	case strings.EqualFold(name, "History"):
		return name + "_"
	}
	return name
}
