package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/conveyorhq/conveyor/export"
)

// writeXLSX writes the rows under the columns and returns the file.
func writeXLSX(t *testing.T, cols []export.Column, sheet string, rows ...[]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.XLSX(&buf, cols, sheet, moscow)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Row(r))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// openXLSX reads a file back with excelize and returns its one sheet's name.
func openXLSX(t *testing.T, file []byte) (*excelize.File, string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, f.Close()) })
	sheets := f.GetSheetList()
	require.Len(t, sheets, 1)
	return f, sheets[0]
}

func TestXLSXReadsBackAsTheValuesThatWereWritten(t *testing.T) {
	cols := []export.Column{
		{Title: "Клиент"},
		{Title: "Сумма", Kind: export.Number},
		{Title: "Won", Kind: export.Bool},
		{Title: "Closed at", Kind: export.Time},
		{Title: "Note & <more>"},
	}
	closed := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC) // 02:30 on the 2nd in Moscow
	file := writeXLSX(t, cols, "Клиенты: [все]/2026?*",
		[]any{"ООО «Ромашка» & Co <b>", 1234.5, true, closed, `a "quoted" 'note'`},
		[]any{"Bakery", json.Number("-12.25"), false, &closed, nil},
		[]any{nil, nil, nil, nil, "  spaced  "},
		[]any{"_x000D_ stays", int64(1) << 40, nil, time.Time{}, "=1+2"},
	)
	f, sheet := openXLSX(t, file)
	require.Equal(t, "Клиенты_ _все__2026__", sheet)

	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	serial := rows[1][3]
	if diff := cmp.Diff([][]string{
		{"Клиент", "Сумма", "Won", "Closed at", "Note & <more>"},
		{"ООО «Ромашка» & Co <b>", "1234.5", "1", serial, `a "quoted" 'note'`},
		{"Bakery", "-12.25", "0", serial},
		{"", "", "", "", "  spaced  "},
		{"_x000D_ stays", "1099511627776", "", "", "=1+2"},
	}, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	days, err := strconv.ParseFloat(serial, 64)
	require.NoError(t, err)
	at, err := excelize.ExcelDateToTime(days, false)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 12, 2, 2, 30, 0, 0, time.UTC), at.Round(time.Second), "the wall clock in Moscow")
	shown, err := f.GetCellValue(sheet, "D2")
	require.NoError(t, err)
	require.Equal(t, "2026-12-02 02:30", shown, "the date cell is shown through its format")

	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeInlineString,
		"B2": excelize.CellTypeUnset, // a number, as t="n" is the default
		"C2": excelize.CellTypeBool,
		"E3": excelize.CellTypeUnset,
	} {
		got, err := f.GetCellType(sheet, cell)
		require.NoError(t, err)
		require.Equal(t, want, got, cell)
	}
	value, err := f.GetCellValue(sheet, "C2")
	require.NoError(t, err)
	require.Equal(t, "TRUE", value)
	value, err = f.GetCellValue(sheet, "E3")
	require.NoError(t, err)
	require.Empty(t, value, "nil leaves the cell empty")

	style := func(cell string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sheet, cell)
		require.NoError(t, err)
		s, err := f.GetStyle(id)
		require.NoError(t, err)
		return s
	}
	date := style("D2")
	require.NotNil(t, date.CustomNumFmt, "the time cell has a date format")
	require.Equal(t, "yyyy-mm-dd hh:mm", *date.CustomNumFmt)
	require.Nil(t, style("B2").CustomNumFmt)
	require.True(t, style("A1").Font.Bold, "the header is bold")
	require.True(t, style("E1").Font.Bold)
	if s := style("A2"); s.Font != nil {
		require.False(t, s.Font.Bold, "a row of data is not bold")
	}

	panes, err := f.GetPanes(sheet)
	require.NoError(t, err)
	require.True(t, panes.Freeze, "the header row is frozen")
	require.Equal(t, 1, panes.YSplit)
	require.Equal(t, "A2", panes.TopLeftCell)
}

func TestXLSXWritesNonNumbersOfANumberColumnAndTheRestOfATextColumnAsText(t *testing.T) {
	cols := []export.Column{{Title: "n", Kind: export.Number}, {Title: "t"}, {Title: "old", Kind: export.Time}}
	at := time.Date(2026, 12, 2, 2, 30, 0, 0, moscow)
	file := writeXLSX(t, cols, "s",
		[]any{math.NaN(), 42, time.Date(1899, 1, 1, 12, 0, 0, 0, moscow)},
		[]any{math.Inf(1), at, nil},
		[]any{1e-7, true, nil},
	)
	f, sheet := openXLSX(t, file)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"n", "t", "old"}, {"NaN", "42", "1899-01-01 12:00"}, {"+Inf", "2026-12-02 02:30"}, {"1e-07", "true"}}, rows)
	for _, cell := range []string{"A2", "B2", "C2", "A3", "B3", "B4"} {
		typ, err := f.GetCellType(sheet, cell)
		require.NoError(t, err)
		require.Equal(t, excelize.CellTypeInlineString, typ, cell)
	}
}

func TestXLSXNamesItsSheetAsExcelAllows(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Clients", "Clients"},
		{"", "Sheet1"},
		{"  ''  ", "Sheet1"},
		{"'quoted'", "quoted"},
		{"a/b\\c[d]e:f*g?h", "a_b_c_d_e_f_g_h"},
		{"tab\tand\x00nul", "tabandnul"},
		{"history", "history_"},
		{strings.Repeat("Ж", 40), strings.Repeat("Ж", 31)},
		{strings.Repeat("a", 30) + " b", strings.Repeat("a", 30)},
		{"A & <B>", "A & <B>"},
	} {
		require.Equal(t, tc.want, export.SheetName(tc.in), "%q", tc.in)
	}
	_, sheet := openXLSX(t, writeXLSX(t, []export.Column{{Title: "a"}}, "A & <B> \"x\""))
	require.Equal(t, `A & <B> "x"`, sheet)
}

// sheetXML returns the sheet's XML from a file.
func sheetXML(t *testing.T, file []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	require.NoError(t, err)
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{
		"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
		"xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
	}, names)
	r, err := z.Open("xl/worksheets/sheet1.xml")
	require.NoError(t, err)
	defer r.Close()
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	return body
}

// requireWellFormed parses XML to its end.
func requireWellFormed(t *testing.T, body []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "the XML is well-formed")
	}
}

func TestXLSXDropsCharactersXMLForbids(t *testing.T) {
	hostile := "a\x00b\x01c\x1fd\te\nf\rg\uFFFEh\xffi\x0bj"
	file := writeXLSX(t, []export.Column{{Title: "bad\x00title"}}, "s", []any{hostile})
	body := sheetXML(t, file)
	requireWellFormed(t, body)
	require.NotContains(t, string(body), "\x00")

	f, sheet := openXLSX(t, file)
	title, err := f.GetCellValue(sheet, "A1")
	require.NoError(t, err)
	require.Equal(t, "badtitle", title)
	got, err := f.GetCellValue(sheet, "A2")
	require.NoError(t, err)
	require.Equal(t, "abcd\te\nf\rgh\uFFFDij", got, "tab, line feed and carriage return stay")
}

func FuzzXLSXIsWellFormedForAnyText(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>\"'", "\x00\x1f\r\n\t", "\xff\xfe", "_x0041_", "  ", "\uFFFE\uFFFF\U0010FFFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		file := writeXLSX(t, []export.Column{{Title: s}, {Title: "n", Kind: export.Number}}, s, []any{s, 1})
		requireWellFormed(t, sheetXML(t, file))
	})
}

func TestXLSXComputesCellReferencesToTheLastColumn(t *testing.T) {
	cols := make([]export.Column, export.MaxXLSXColumns)
	row := make([]any, len(cols))
	for i := range cols {
		cols[i] = export.Column{Title: "c" + strconv.Itoa(i+1), Kind: export.Number}
	}
	for _, i := range []int{0, 25, 26, 27, 51, 52, 701, 702, export.MaxXLSXColumns - 1} {
		row[i] = i + 1
	}
	f, sheet := openXLSX(t, writeXLSX(t, cols, "wide", row))
	for ref, want := range map[string]string{
		"A2": "1", "Z2": "26", "AA2": "27", "AB2": "28", "AZ2": "52", "BA2": "53",
		"ZZ2": "702", "AAA2": "703", "XFD2": "16384", "XFD1": "c16384", "B2": "",
	} {
		got, err := f.GetCellValue(sheet, ref)
		require.NoError(t, err)
		require.Equal(t, want, got, ref)
	}

	_, err := export.XLSX(io.Discard, append(cols, export.Column{Title: "one too many"}), "s", moscow)
	require.ErrorIs(t, err, export.ErrTooManyColumns)
}

func TestXLSXRefusesARowPastTheLastOfASheet(t *testing.T) {
	w, err := export.XLSX(io.Discard, []export.Column{{Title: "a"}}, "s", moscow)
	require.NoError(t, err)
	row := []any{nil}
	for i := 1; i < export.MaxXLSXRows; i++ {
		require.NoError(t, w.Row(row), "row %d", i)
	}
	require.ErrorIs(t, w.Row(row), export.ErrTooManyRows)
	require.ErrorIs(t, w.Row(row), export.ErrTooManyRows)
	require.NoError(t, w.Close(), "the file is still whole")
}

func TestXLSXCutsTextToExcelsLimit(t *testing.T) {
	long := strings.Repeat("&я", export.MaxTextLength)
	f, sheet := openXLSX(t, writeXLSX(t, []export.Column{{Title: "a"}}, "s", []any{long}))
	got, err := f.GetCellValue(sheet, "A2")
	require.NoError(t, err)
	require.Equal(t, long[:len("&я")*(export.MaxTextLength/2)+1], got)
}

func TestXLSXRefusesAValueItsColumnCannotTakeAndNamesTheColumn(t *testing.T) {
	cols := []export.Column{{Title: "When", Kind: export.Time}, {Title: "Tags"}}
	var buf bytes.Buffer
	w, err := export.XLSX(&buf, cols, "s", moscow)
	require.NoError(t, err)
	require.ErrorContains(t, w.Row([]any{"yesterday", nil}), `column 1 "When": a Time column cannot take string`)
	require.ErrorContains(t, w.Row([]any{nil, []string{"a"}}), `column 2 "Tags": unsupported type []string`)
	require.ErrorContains(t, w.Row([]any{nil}), "row 1 has 1 values for 2 columns")
	require.NoError(t, w.Row([]any{nil, "kept"}))
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Row([]any{nil, "late"}), export.ErrClosed)

	f, sheet := openXLSX(t, buf.Bytes())
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	require.Equal(t, [][]string{{"When", "Tags"}, {"", "kept"}}, rows, "nothing of a refused row is written")
}
