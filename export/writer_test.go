package export_test

import (
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/export"
)

// columns are eight columns of a saved view, of every kind.
var columns = []export.Column{
	{Title: "Клиент"},
	{Title: "Email"},
	{Title: "Stage"},
	{Title: "Amount", Kind: export.Number},
	{Title: "Items", Kind: export.Number},
	{Title: "Won", Kind: export.Bool},
	{Title: "Started", Kind: export.Time},
	{Title: "Due", Kind: export.Time},
}

// sampleRows are rows for the columns, different enough from each other
// that the files do not compress to nothing.
func sampleRows(n int) [][]any {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	for i := range rows {
		due := start.Add(time.Duration(i) * 97 * time.Minute)
		rows[i] = []any{
			"ООО «Клиент №" + strconv.Itoa(i) + "», Москва",
			"client" + strconv.Itoa(i*7919) + "@example.com",
			[]string{"lead", "qualified", "proposal", "won"}[i%4],
			json.Number(strconv.Itoa(i*37) + ".50"),
			i % 1000,
			i%3 == 0,
			start.Add(time.Duration(i) * time.Minute),
			&due,
		}
	}
	return rows
}

// heapInuse is the heap in use after a collection.
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestWritersHoldNoRowsInMemory(t *testing.T) {
	const rows = 200_000
	const slack = 4 << 20 // the rows themselves would be tens of megabytes
	sample := sampleRows(1000)
	for name, open := range map[string]func(io.Writer) (export.Writer, error){
		"CSV":  func(w io.Writer) (export.Writer, error) { return export.CSV(w, columns, moscow) },
		"XLSX": func(w io.Writer) (export.Writer, error) { return export.XLSX(w, columns, "Clients", moscow) },
	} {
		t.Run(name, func(t *testing.T) {
			var out counter
			w, err := open(&out)
			require.NoError(t, err)
			// The first rows size the buffers and the compressor.
			for _, r := range sample {
				require.NoError(t, w.Row(r))
			}
			before := heapInuse()
			for i := range rows {
				require.NoError(t, w.Row(sample[i%len(sample)]))
			}
			after := heapInuse()
			runtime.KeepAlive(w)
			require.NoError(t, w.Close())

			t.Logf("heap in use %d -> %d bytes over %d rows, %d bytes written", before, after, rows, out.n)
			require.Greater(t, out.n, int64(slack), "enough was written that holding it would show")
			require.LessOrEqual(t, int64(after)-int64(before), int64(slack),
				"heap in use grew from %d to %d bytes over %d rows (%d bytes written)", before, after, rows, out.n)
		})
	}
}

// failing fails every write after the first n bytes.
type failing struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failing) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestAnErrorOfTheUnderlyingWriterIsReturnedByEveryLaterCall(t *testing.T) {
	for name, open := range map[string]func(io.Writer) (export.Writer, error){
		"CSV": func(w io.Writer) (export.Writer, error) { return export.CSV(w, []export.Column{{Title: "a"}}, moscow) },
		"XLSX": func(w io.Writer) (export.Writer, error) {
			return export.XLSX(w, []export.Column{{Title: "a"}}, "s", moscow)
		},
	} {
		t.Run(name, func(t *testing.T) {
			w, err := open(&failing{n: 4 << 10})
			require.NoError(t, err)
			big := strings.Repeat("я", export.MaxTextLength)
			var rowErr error
			for i := 0; i < 1000 && rowErr == nil; i++ {
				rowErr = w.Row([]any{big + string(rune('a'+i%26))})
			}
			if rowErr == nil {
				rowErr = w.Close()
			}
			require.ErrorIs(t, rowErr, errDiskFull)
			require.ErrorIs(t, w.Row([]any{"more"}), errDiskFull)
			require.ErrorIs(t, w.Close(), errDiskFull)
		})
	}
}

// counter counts what is written to it and keeps none of it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func benchmark(b *testing.B, open func(io.Writer) (export.Writer, error)) {
	sample := sampleRows(1024)
	var out counter
	b.ReportAllocs()
	b.ResetTimer()
	w, err := open(&out)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if err := w.Row(sample[i%len(sample)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out.n)/float64(b.N), "B/row")
}

func BenchmarkCSV(b *testing.B) {
	benchmark(b, func(w io.Writer) (export.Writer, error) { return export.CSV(w, columns, moscow) })
}

func BenchmarkXLSX(b *testing.B) {
	benchmark(b, func(w io.Writer) (export.Writer, error) { return export.XLSX(w, columns, "Clients", moscow) })
}
