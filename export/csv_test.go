package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/export"
)

// moscow is a zone away from UTC, fixed so the tests need no zone database.
var moscow = time.FixedZone("MSK", 3*60*60)

// writeCSV writes the rows under the columns and returns the file.
func writeCSV(t *testing.T, cols []export.Column, rows ...[]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.CSV(&buf, cols, moscow)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Row(r))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// readCSV reads a file back with encoding/csv, after its byte order mark.
func readCSV(t *testing.T, file []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(file, []byte("\xef\xbb\xbf"))
	require.True(t, ok, "the file starts with a UTF-8 byte order mark: % x", file[:min(len(file), 3)])
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	return records
}

func TestCSVStartsWithAByteOrderMarkAndQuotesAsRFC4180Says(t *testing.T) {
	file := writeCSV(t, []export.Column{{Title: "Client"}, {Title: "Note"}},
		[]any{"Bakery, Moscow", `say "hi"`},
		[]any{"line one\nline two", " leading space"},
		[]any{"plain", "ООО «Ромашка»"},
	)
	want := "\xef\xbb\xbf" + "Client,Note\r\n" +
		`"Bakery, Moscow","say ""hi"""` + "\r\n" +
		"\"line one\nline two\",\" leading space\"\r\n" +
		"plain,ООО «Ромашка»\r\n"
	require.Equal(t, want, string(file))

	got := readCSV(t, file)
	if diff := cmp.Diff([][]string{
		{"Client", "Note"},
		{"Bakery, Moscow", `say "hi"`},
		{"line one\nline two", " leading space"},
		{"plain", "ООО «Ромашка»"},
	}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestCSVDefusesTextASpreadsheetWouldRunButNotNumbers(t *testing.T) {
	cols := []export.Column{{Title: "=HYPERLINK(\"x\")"}, {Title: "Amount", Kind: export.Number}}
	for _, tc := range []struct {
		name   string
		text   any
		number any
		want   []string
	}{
		{"an equals sign", "=1+2", -5, []string{"'=1+2", "-5"}},
		{"a plus", "+7 495 000", 1.5, []string{"'+7 495 000", "1.5"}},
		{"a minus", "-2+3", -1.25, []string{"'-2+3", "-1.25"}},
		{"an at sign", "@SUM(A1)", json.Number("-3"), []string{"'@SUM(A1)", "-3"}},
		{"a tab", "\t=cmd", int64(-9), []string{"'\t=cmd", "-9"}},
		{"a carriage return", "\r=cmd", int32(-1), []string{"'\r=cmd", "-1"}},
		{"a sign inside the text", "a=b-c", float32(-0.5), []string{"a=b-c", "-0.5"}},
		{"a number in a text column", -42, nil, []string{"-42", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readCSV(t, writeCSV(t, cols, []any{tc.text, tc.number}))
			require.Equal(t, []string{`'=HYPERLINK("x")`, "Amount"}, got[0], "the titles are defused too")
			if diff := cmp.Diff(tc.want, got[1]); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVWritesTimesInTheZoneAndNilAsEmptyCells(t *testing.T) {
	cols := []export.Column{
		{Title: "Started", Kind: export.Time},
		{Title: "Ended", Kind: export.Time},
		{Title: "Amount", Kind: export.Number},
		{Title: "Won", Kind: export.Bool},
		{Title: "Note"},
	}
	started := time.Date(2026, 12, 1, 23, 30, 59, 0, time.UTC)
	var never *time.Time
	got := readCSV(t, writeCSV(t, cols,
		[]any{started, &started, 12, true, "x"},
		[]any{nil, never, nil, false, nil},
		[]any{time.Time{}, nil, nil, nil, ""},
	))
	if diff := cmp.Diff([][]string{
		{"Started", "Ended", "Amount", "Won", "Note"},
		{"2026-12-02 02:30", "2026-12-02 02:30", "12", "true", "x"},
		{"", "", "", "false", ""},
		{"", "", "", "", ""},
	}, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestCSVWritesNumbersWithoutAnExponentWhereReasonable(t *testing.T) {
	cols := []export.Column{{Title: "n", Kind: export.Number}}
	for _, tc := range []struct {
		in   any
		want string
	}{
		{1e20, "100000000000000000000"},
		{123456.789, "123456.789"},
		{float32(0.1), "0.1"},
		{0.000001, "0.000001"},
		{1e-7, "1e-07"},
		{1e300, "1e+300"},
		{math.MaxInt64, "9223372036854775807"},
		{json.Number("12345678901234567890.125"), "12345678901234567890.125"},
		{json.Number("1.5e3"), "1500"},
		{math.NaN(), "NaN"},
		{math.Inf(-1), "'-Inf"},
	} {
		got := readCSV(t, writeCSV(t, cols, []any{tc.in}))
		require.Equal(t, tc.want, got[1][0], "%T %v", tc.in, tc.in)
	}
}

func TestCSVCutsTextToExcelsLimit(t *testing.T) {
	long := strings.Repeat("я", export.MaxTextLength+10)
	emoji := strings.Repeat("😀", export.MaxTextLength) // two UTF-16 units each
	got := readCSV(t, writeCSV(t, []export.Column{{Title: "a"}, {Title: "b"}, {Title: "c"}},
		[]any{long, emoji, "=" + long}))
	require.Equal(t, long[:2*export.MaxTextLength], got[1][0])
	require.Len(t, utf16.Encode([]rune(got[1][1])), export.MaxTextLength-1, "a pair is never split")
	require.Len(t, []rune(got[1][2]), export.MaxTextLength, "the quote counts")
	require.True(t, strings.HasPrefix(got[1][2], "'="))
}

func TestCSVReplacesBytesThatAreNotUTF8(t *testing.T) {
	got := readCSV(t, writeCSV(t, []export.Column{{Title: "a"}}, []any{"ok\xffok"}))
	require.Equal(t, "ok\uFFFDok", got[1][0])
}

func TestCSVRefusesAValueItsColumnCannotTakeAndNamesTheColumn(t *testing.T) {
	cols := []export.Column{{Title: "Client"}, {Title: "Amount", Kind: export.Number}, {Title: "Won", Kind: export.Bool}}
	var buf bytes.Buffer
	w, err := export.CSV(&buf, cols, moscow)
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		row  []any
		want string
	}{
		{"a type no column takes", []any{struct{}{}, 1, true}, `column 1 "Client": unsupported type struct {}`},
		{"a string in a number column", []any{"a", "12", true}, `column 2 "Amount": a Number column cannot take string`},
		{"a number in a bool column", []any{"a", 1, 1}, `column 3 "Won": a Bool column cannot take int`},
		{"a json.Number that is none", []any{"a", json.Number("12abc"), true}, `column 2 "Amount": "12abc" is not a number`},
		{"too few values", []any{"a"}, "row 1 has 1 values for 3 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.Row(tc.row)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	require.NoError(t, w.Row([]any{"after", 1, false}), "a refused row leaves the writer usable")
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Row([]any{"late", 1, true}), export.ErrClosed)
	require.NoError(t, w.Close(), "a second close says what the first did")

	got := readCSV(t, buf.Bytes())
	require.Equal(t, [][]string{{"Client", "Amount", "Won"}, {"after", "1", "false"}}, got, "nothing of a refused row is written")
}

func TestCSVRefusesColumnsItCannotWrite(t *testing.T) {
	_, err := export.CSV(io.Discard, nil, moscow)
	require.ErrorContains(t, err, "no columns")
	_, err = export.CSV(io.Discard, []export.Column{{Title: "a"}}, nil)
	require.ErrorContains(t, err, "no time zone")
	_, err = export.CSV(io.Discard, []export.Column{{Title: "a", Kind: 9}}, moscow)
	require.ErrorContains(t, err, `column 1 "a": unknown kind 9`)
}
