package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/conveyorhq/conveyor/export"
)

func ExampleCSV() {
	var out strings.Builder
	w, err := export.CSV(&out, []export.Column{
		{Title: "Client"},
		{Title: "Amount", Kind: export.Number},
		{Title: "Won", Kind: export.Bool},
		{Title: "Closed", Kind: export.Time},
	}, time.FixedZone("MSK", 3*60*60))
	if err != nil {
		panic(err)
	}
	rows := [][]any{
		{"Bakery, Moscow", json.Number("1250.50"), true, time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)},
		{"=HYPERLINK(\"http://x\")", -3, nil, nil},
	}
	for _, r := range rows {
		if err := w.Row(r); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	fmt.Print(strings.ReplaceAll(strings.TrimPrefix(out.String(), "\ufeff"), "\r\n", "\n"))
	// Output:
	// Client,Amount,Won,Closed
	// "Bakery, Moscow",1250.50,true,2026-12-02 02:30
	// "'=HYPERLINK(""http://x"")",-3,,
}

func ExampleXLSX() {
	// A handler would set the Content-Type to export.XLSXContentType and
	// write to its http.ResponseWriter.
	var out bytes.Buffer
	w, err := export.XLSX(&out, []export.Column{{Title: "Client"}}, "Clients: all", time.UTC)
	if err != nil {
		panic(err)
	}
	if err := w.Row([]any{"Bakery"}); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	z, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		panic(err)
	}
	for _, f := range z.File {
		fmt.Println(f.Name)
	}
	fmt.Println(export.SheetName("Clients: all"))
	// Output:
	// [Content_Types].xml
	// _rels/.rels
	// xl/workbook.xml
	// xl/_rels/workbook.xml.rels
	// xl/styles.xml
	// xl/worksheets/sheet1.xml
	// Clients_ all
}
