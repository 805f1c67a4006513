package funnel_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/web/funnel"
	"github.com/conveyorhq/conveyor/web/svg/svgtest"
)

// A bar a stage, as wide as those that reached it against the first, the
// part that left it done drawn inside; an empty funnel draws empty bars.
func TestABarIsAsWideAsTheProcessesThatReachedTheStage(t *testing.T) {
	doc := funnel.Render([]funnel.Stage{{"Cold call", 10, 6}, {"Deal", 6, 3}, {"Service", 3, 3}}, "Funnel: Sales")
	var reached, left []float64
	for _, e := range svgtest.WellFormed(t, doc) {
		if e.Name != "rect" {
			continue
		}
		w, err := strconv.ParseFloat(e.Attrs["width"], 64)
		require.NoError(t, err)
		switch e.Attrs["class"] {
		case "reached":
			reached = append(reached, w)
		case "left":
			left = append(left, w)
		}
	}
	require.Len(t, reached, 3)
	require.InDelta(t, reached[0]*0.6, reached[1], 0.2)
	require.InDelta(t, reached[0]*0.3, reached[2], 0.2)
	require.InDelta(t, reached[1], left[0], 0.2, "six of ten left the cold call done")
	require.Contains(t, doc, "6 · 60%")
	require.Contains(t, doc, `aria-label="Funnel: Sales"`)

	empty := funnel.Render([]funnel.Stage{{"Cold call", 0, 0}}, "Funnel")
	require.Contains(t, empty, `width="0"`)
}
