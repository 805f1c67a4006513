package charts_test

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/web/charts"
	"github.com/conveyorhq/conveyor/web/svg/svgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const hostile = `Воронка <script>alert("x")</script> & 'Q4' ]]>`

var ru = charts.Options{
	Empty:     "Нет данных за период",
	Format:    func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) },
	ValueName: "дошли", InnerName: "завершили",
}

func stageBars() []charts.Bar {
	return []charts.Bar{
		{Label: "Холодный звонок", Value: 120, Inner: 80},
		{Label: "Сделка", Value: 80, Inner: 31},
		{Label: "Подписание договора с очень длинным названием этапа", Value: 31, Inner: 2},
		{Label: "Service", Value: 0},
	}
}

func weeks(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("нед. %d", i+1)
	}
	return out
}

func salesLines() []charts.Series {
	return []charts.Series{
		{Name: "Начато", Values: []float64{12, 15, 9, 20, 18, 22}},
		{Name: "Завершено", Values: []float64{3, 8, 11, 10, 16, 19}},
		{Name: "Отменено <&>", Values: []float64{0, 1, 2, 0, 1, 3}},
	}
}

func stageWeeks() ([]string, []string, [][]float64) {
	rows := []string{"Холодный звонок", "Сделка", "Обслуживание клиента по договору"}
	return rows, weeks(5), [][]float64{
		{10, 12, 8, 0, 15},
		{4, 6, 9, 120, 2},
		{0, 1, math.NaN(), 3, 4},
	}
}

// TestGolden keeps the drawings as they were reviewed; go test -update
// rewrites them after a change meant to alter them.
func TestGolden(t *testing.T) {
	rows, cols, vals := stageWeeks()
	for name, doc := range map[string]string{
		"bars.svg":    charts.Bars("Воронка: Продажи", stageBars(), ru),
		"lines.svg":   charts.Lines("Процессы по неделям", weeks(6), salesLines(), ru),
		"heatmap.svg": charts.HeatMap("Этапы по неделям", rows, cols, vals, ru),
		"empty.svg":   charts.Bars("Воронка", nil, ru),
	} {
		t.Run(name, func(t *testing.T) {
			svgtest.WellFormed(t, doc)
			path := filepath.Join("testdata", name)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden file")
			if diff := cmp.Diff(string(want), doc); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got); go test -update rewrites it:\n%s", path, diff)
			}
		})
	}
}

// all draws every kind of chart with the given title and data shapes.
func all(title string) map[string]string {
	rows, cols, vals := stageWeeks()
	return map[string]string{
		"bars":    charts.Bars(title, stageBars(), ru),
		"lines":   charts.Lines(title, weeks(6), salesLines(), ru),
		"heatmap": charts.HeatMap(title, rows, cols, vals, ru),
		"empty":   charts.Lines(title, nil, nil, ru),
	}
}

func TestEveryChartIsAnAccessibleImageNamedByItsTitle(t *testing.T) {
	for kind, doc := range all("Воронка: Продажи") {
		t.Run(kind, func(t *testing.T) {
			els := svgtest.WellFormed(t, doc)
			assert.Equal(t, "Воронка: Продажи", els[1].Text)
			assert.True(t, strings.HasPrefix(els[0].Attrs["aria-label"], "Воронка: Продажи"))
			assert.Contains(t, els[0].Attrs["class"], "chart")
		})
	}
}

func TestAHostileTitleIsEscapedEverywhere(t *testing.T) {
	for kind, doc := range all(hostile) {
		t.Run(kind, func(t *testing.T) {
			els := svgtest.WellFormed(t, doc) // the whole document decodes
			assert.NotContains(t, doc, "<script")
			assert.NotContains(t, doc, `"x")`)
			assert.Equal(t, hostile, els[1].Text, "the title reads back as written")
			assert.True(t, strings.HasPrefix(els[0].Attrs["aria-label"], hostile))
			for _, e := range els {
				assert.NotEqual(t, "script", e.Name)
			}
		})
	}
	// Labels, names and values from the caller are escaped as well.
	doc := charts.Bars("t", []charts.Bar{{Label: hostile, Value: 1}}, charts.Options{Format: func(float64) string { return "<1 & 2>" }})
	svgtest.WellFormed(t, doc)
	assert.NotContains(t, doc, "<script")
	assert.Contains(t, doc, "&lt;1 &amp; 2&gt;")
}

func count(els []*svgtest.Elem, name, class string) int {
	n := 0
	for _, e := range els {
		if e.Name == name && (class == "" || e.Attrs["class"] == class) {
			n++
		}
	}
	return n
}

func TestABarARowAsLongAsItsValue(t *testing.T) {
	bars := stageBars()
	els := svgtest.WellFormed(t, charts.Bars("Воронка", bars, ru))
	require.Equal(t, len(bars), count(els, "g", "bar"))
	require.Equal(t, len(bars), count(els, "rect", "value"))
	require.Equal(t, 3, count(els, "rect", "inner"), "a bar without an inner part draws none")
	var widths []float64
	for _, e := range els {
		if e.Name == "rect" && e.Attrs["class"] == "value" {
			w, err := strconv.ParseFloat(e.Attrs["width"], 64)
			require.NoError(t, err)
			widths = append(widths, w)
		}
	}
	assert.InDelta(t, widths[0]*80/120, widths[1], 0.2)
	assert.InDelta(t, widths[0]*31/120, widths[2], 0.2)
	assert.Zero(t, widths[3])
	var values, inner []string
	for _, e := range els {
		switch e.Attrs["class"] {
		case "value":
			if e.Name == "text" {
				values = append(values, e.Text)
			}
		case "inner-value":
			inner = append(inner, e.Text)
		}
	}
	assert.Equal(t, []string{"120", "80", "31", "0"}, values, "the value at each bar's end, as the caller writes it")
	assert.Equal(t, []string{"80", "31"}, inner, "the inner value where it fits, not in a sliver")
	assert.Contains(t, charts.Bars("Воронка", bars, ru), "<title>Сделка: дошли 80, завершили 31</title>")
}

func TestALineAPointAValue(t *testing.T) {
	series := salesLines()
	els := svgtest.WellFormed(t, charts.Lines("Процессы", weeks(6), series, ru))
	require.Equal(t, len(series), count(els, "polyline", ""))
	require.Equal(t, 18, count(els, "circle", "point"))
	var tips []string
	colours := map[string]bool{}
	for _, e := range els {
		if e.Name == "circle" {
			tips = append(tips, e.Text)
		}
		if e.Name == "polyline" {
			colours[e.Attrs["stroke"]] = true
			assert.GreaterOrEqual(t, contrast(e.Attrs["stroke"], "#ffffff"), 4.5, "a line reads on white")
		}
	}
	assert.Len(t, colours, len(series), "every line its own colour")
	assert.Contains(t, tips, "Завершено — нед. 3: 11")
	assert.Contains(t, tips, "Отменено <&> — нед. 6: 3")
	assert.Equal(t, len(series), count(els, "text", "legend"))

	// A missing value is a gap: two lines, one point fewer.
	gap := charts.Lines("П", weeks(5), []charts.Series{{Name: "a", Values: []float64{1, 2, math.NaN(), 4, 5}}}, ru)
	els = svgtest.WellFormed(t, gap)
	assert.Equal(t, 2, count(els, "polyline", ""))
	assert.Equal(t, 4, count(els, "circle", "point"))
}

func TestTheYAxisHasThreeToFiveRoundTicks(t *testing.T) {
	for _, top := range []float64{0, 1, 3, 7, 10, 19, 42, 99, 101, 250, 999, 1234, 0.3, 17.5} {
		t.Run(fmt.Sprint(top), func(t *testing.T) {
			doc := charts.Lines("t", []string{"a", "b"}, []charts.Series{{Name: "s", Values: []float64{0, top}}}, charts.Options{})
			var ticks []float64
			for _, e := range svgtest.WellFormed(t, doc) {
				if e.Attrs["class"] == "tick" {
					v, err := strconv.ParseFloat(e.Text, 64)
					require.NoError(t, err)
					ticks = append(ticks, v)
				}
			}
			require.GreaterOrEqual(t, len(ticks), 3)
			require.LessOrEqual(t, len(ticks), 5)
			assert.LessOrEqual(t, ticks[0], 0.0)
			assert.GreaterOrEqual(t, ticks[len(ticks)-1], top)
			step := ticks[1] - ticks[0]
			mant := step / math.Pow(10, math.Floor(math.Log10(step)))
			assert.Contains(t, []float64{1, 2, 2.5, 5}, math.Round(mant*10)/10, "round steps: %v", ticks)
		})
	}
}

func TestACellARowAndColumn(t *testing.T) {
	rows, cols, vals := stageWeeks()
	els := svgtest.WellFormed(t, charts.HeatMap("Этапы", rows, cols, vals, ru))
	require.Equal(t, len(rows)*len(cols), count(els, "rect", "cell"))
	require.Equal(t, len(rows), count(els, "text", "row"))
	require.Equal(t, len(cols), count(els, "text", "col"))
	require.Equal(t, len(rows)*len(cols)-1, count(els, "text", "cell-value"), "every value but the missing one is printed")
	fills := map[string]string{}
	for i, e := range els {
		if e.Name == "rect" && e.Attrs["class"] == "cell" {
			fills[e.Text] = e.Attrs["fill"]
		}
		if e.Name == "text" && e.Attrs["class"] == "cell-value" {
			cell := els[i-2] // the rect, then its title
			require.Equal(t, "rect", cell.Name)
			assert.GreaterOrEqual(t, contrast(e.Attrs["fill"], cell.Attrs["fill"]), 4.5, "%s on %s", e.Attrs["fill"], cell.Attrs["fill"])
		}
	}
	assert.NotEqual(t, fills["Сделка — нед. 4: 120"], fills["Сделка — нед. 1: 4"], "more is darker")
	assert.NotEqual(t, fills["Холодный звонок — нед. 4: 0"], fills["Сделка — нед. 5: 2"], "none is told from few")
	assert.Contains(t, fills, "Обслуживание клиента по договору — нед. 3: —")

	// Many columns: values no longer fit and the column labels thin out.
	many := make([][]float64, 1)
	for range 52 {
		many[0] = append(many[0], 1234)
	}
	els = svgtest.WellFormed(t, charts.HeatMap("Год", []string{"Сделка"}, weeks(52), many, ru))
	assert.Equal(t, 52, count(els, "rect", "cell"))
	assert.Zero(t, count(els, "text", "cell-value"))
	assertApart(t, els, "col")
}

func TestEmptyDataSaysSoInTheCallersWords(t *testing.T) {
	for name, doc := range map[string]string{
		"no bars":        charts.Bars("Воронка", nil, ru),
		"no weeks":       charts.Lines("Недели", nil, salesLines(), ru),
		"no series":      charts.Lines("Недели", weeks(4), nil, ru),
		"only gaps":      charts.Lines("Недели", weeks(2), []charts.Series{{Name: "a", Values: []float64{math.NaN()}}}, ru),
		"no rows":        charts.HeatMap("Этапы", nil, weeks(3), nil, ru),
		"no columns":     charts.HeatMap("Этапы", []string{"a"}, nil, nil, ru),
		"in english too": charts.Bars("Funnel", []charts.Bar{}, charts.Options{Empty: "No data"}),
	} {
		t.Run(name, func(t *testing.T) {
			els := svgtest.WellFormed(t, doc)
			want := ru.Empty
			if strings.Contains(name, "english") {
				want = "No data"
			}
			var texts []string
			for _, e := range els {
				if e.Name == "text" {
					texts = append(texts, e.Text)
				}
			}
			assert.Equal(t, []string{want}, texts)
			assert.Contains(t, els[0].Attrs["aria-label"], want)
			assert.Contains(t, els[0].Attrs["class"], "chart-empty")
		})
	}
}

func TestALongLabelIsCutAndKeptWhole(t *testing.T) {
	long := "Подписание договора с очень длинным названием этапа"
	rows, cols, vals := stageWeeks()
	rows[0] = long
	series := salesLines()
	series[0].Name = long + " и ещё длиннее, чтобы не уместиться в легенду"
	xs := weeks(6)
	xs[0] = "Неделя с очень длинной подписью"
	for kind, doc := range map[string]string{
		"bars":    charts.Bars("Воронка", stageBars(), ru),
		"lines":   charts.Lines("Недели", xs, series, ru),
		"heatmap": charts.HeatMap("Этапы", rows, cols, vals, ru),
	} {
		t.Run(kind, func(t *testing.T) {
			els := svgtest.WellFormed(t, doc)
			cut := 0
			for i, e := range els {
				if e.Name != "text" || !strings.Contains(e.Text, "…") {
					continue
				}
				cut++
				require.Equal(t, "title", els[i+1].Name, "a cut label keeps its full text")
				full := els[i+1].Text
				shown := strings.TrimPrefix(e.Text, full)
				assert.True(t, strings.HasSuffix(shown, "…"))
				assert.True(t, strings.HasPrefix(full, strings.TrimSuffix(shown, "…")), "%q starts %q", full, shown)
			}
			assert.Positive(t, cut)
		})
	}
}

// TestReadableAtAPhonesWidth: at 390 px no text is smaller than 9 px.
func TestReadableAtAPhonesWidth(t *testing.T) {
	for kind, doc := range all("Воронка") {
		t.Run(kind, func(t *testing.T) {
			els := svgtest.WellFormed(t, doc)
			box := strings.Fields(els[0].Attrs["viewBox"])
			require.Len(t, box, 4)
			w, err := strconv.ParseFloat(box[2], 64)
			require.NoError(t, err)
			for _, e := range els {
				if e.Name != "text" {
					continue
				}
				size, err := strconv.ParseFloat(e.Attrs["font-size"], 64)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, size*390/w, 8.9, "%q", e.Text)
			}
		})
	}
}

func TestXLabelsThinOutRatherThanOverlap(t *testing.T) {
	vals := make([]float64, 52)
	for i := range vals {
		vals[i] = float64(i % 7)
	}
	els := svgtest.WellFormed(t, charts.Lines("Год", weeks(52), []charts.Series{{Name: "a", Values: vals}}, ru))
	assert.Equal(t, 52, count(els, "circle", "point"))
	assertApart(t, els, "x")
}

// assertApart checks that the labels of class, centred on their x, leave
// room between them for as many wide letters as they hold.
func assertApart(t *testing.T, els []*svgtest.Elem, class string) {
	t.Helper()
	var xs []float64
	var texts []string
	for _, e := range els {
		if e.Name == "text" && e.Attrs["class"] == class {
			x, err := strconv.ParseFloat(e.Attrs["x"], 64)
			require.NoError(t, err)
			xs = append(xs, x)
			texts = append(texts, e.Text)
		}
	}
	require.Greater(t, len(xs), 1)
	for i := 1; i < len(xs); i++ {
		size := 12.0
		need := 0.6 * size * float64(len([]rune(texts[i-1]))+len([]rune(texts[i]))) / 2
		assert.GreaterOrEqual(t, xs[i]-xs[i-1], need, "%q and %q", texts[i-1], texts[i])
	}
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil {
		panic(hex)
	}
	ch := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}
