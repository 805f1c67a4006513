package diagram_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/web/diagram"
	"github.com/conveyorhq/conveyor/web/svg/svgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func salesPlan(t *testing.T) *definitions.Plan {
	t.Helper()
	src, err := os.ReadFile("../../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	p, err := definitions.Compile(src)
	require.NoError(t, err)
	return p
}

func find(els []*svgtest.Elem, name, attr, value string) []*svgtest.Elem {
	var out []*svgtest.Elem
	for _, e := range els {
		if e.Name == name && (attr == "" || e.Attrs[attr] == value) {
			out = append(out, e)
		}
	}
	return out
}

func visibleTexts(els []*svgtest.Elem) []string {
	var out []string
	for _, e := range els {
		if e.Name == "text" {
			out = append(out, e.Text)
		}
	}
	return out
}

func countTransitions(p *definitions.Plan) int {
	n := 0
	for _, st := range p.Stages {
		n += len(st.Transitions)
	}
	return n
}

func TestGoldenSalesConveyor(t *testing.T) {
	got := diagram.Render(salesPlan(t))
	svgtest.WellFormed(t, got)
	path := filepath.Join("testdata", "sales-conveyor.svg")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create the golden file")
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); go test -update rewrites it:\n%s", path, diff)
	}
}

func TestSalesConveyorContent(t *testing.T) {
	p := salesPlan(t)
	els := svgtest.WellFormed(t, diagram.Render(p))
	texts := strings.Join(visibleTexts(els), "\n")
	for id, st := range p.Stages {
		assert.Contains(t, texts, id, "stage id")
		assert.Contains(t, texts, st.Title, "stage title")
	}
	for _, end := range p.Ends {
		assert.Contains(t, texts, end.Title, "end title")
	}
	assert.Len(t, find(els, "path", "class", "edge"), countTransitions(p))
	assert.Len(t, find(els, "g", "class", "stage"), len(p.Stages))
	assert.Len(t, find(els, "g", "class", "end"), len(p.Ends))
	assert.Len(t, find(els, "path", "class", "start-edge"), 1)

	for _, want := range []string{
		"team cold-callers · round robin",
		"team deal-makers · least loaded",
		"otherwise",
		`data.result == "interested"`,
		"→ chosen from team service",
		"→ same assignee",
		"cold_call · due 2d",
	} {
		assert.Contains(t, texts, want)
	}
	// Every arrow has an arrowhead.
	for _, e := range find(els, "path", "class", "edge") {
		assert.Equal(t, "url(#conveyor-arrow-sales)", e.Attrs["marker-end"])
	}
	assert.Len(t, find(els, "marker", "id", "conveyor-arrow-sales"), 1)
}

func TestDeterministic(t *testing.T) {
	first := diagram.Render(salesPlan(t))
	for range 20 { // map iteration order varies from run to run
		require.Equal(t, first, diagram.Render(salesPlan(t)))
	}
}

func TestShapes(t *testing.T) {
	// Every kind of edge: a self-loop, next column, a long forward edge, a
	// back-edge, one within a column; and a stage nothing reaches.
	p := &definitions.Plan{
		ID: "shapes", Title: `Shapes <&> "test"`, Start: "a",
		Stages: map[string]definitions.StagePlan{
			"a": {Title: "A", Assignee: definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}, Transitions: []definitions.TransitionPlan{
				{When: "data.x == 1", To: "b"},
				{When: "data.x == 2", To: "c"},
				{When: "data.x == 3", To: "a", Assignee: &definitions.Assignee{Kind: definitions.AssignSame}},
				{When: "data.x == 4", To: "a"},
				{To: "done", ToEnd: true},
			}},
			"b": {Title: "B", Assignee: definitions.Assignee{Kind: definitions.AssignExpr, Expr: `vars.owner + "<x>"`}, Transitions: []definitions.TransitionPlan{
				{When: "data.back", To: "a"},
				{When: "data.sideways", To: "c"},
				{To: "d"},
			}},
			"c": {Title: "C", Assignee: definitions.Assignee{Kind: definitions.AssignChoose, Team: "service"}, Transitions: []definitions.TransitionPlan{
				{To: "done", ToEnd: true},
			}},
			"d": {Title: "D", Assignee: definitions.Assignee{Kind: definitions.AssignTeam, Team: "t"}, Transitions: []definitions.TransitionPlan{
				{When: "a very long condition that goes on and on and on and cannot possibly fit on three short lines of a label", To: "a"},
				{To: "done", ToEnd: true},
			}},
			"orphan": {Title: "Orphan", Transitions: []definitions.TransitionPlan{{To: "nowhere"}}},
		},
		Ends: map[string]definitions.EndPlan{"done": {Title: "Done"}, "unused": {Title: "Unused"}},
	}
	svg := diagram.Render(p)
	els := svgtest.WellFormed(t, svg)
	// Edges to unknown targets are left out; all others drawn.
	assert.Len(t, find(els, "path", "class", "edge"), countTransitions(p)-1)
	texts := strings.Join(visibleTexts(els), "\n")
	for _, want := range []string{"A", "B", "C", "D", "Orphan", "orphan", "Done", "Unused", "user ivan",
		`expr: vars.owner + "<x>"`, "chosen from team service", "team t", "otherwise", "unassigned", `Shapes <&> "test"`} {
		assert.Contains(t, texts, want)
	}
	assert.Contains(t, svg, "Shapes &lt;&amp;&gt; &#34;test&#34;")
	assert.NotContains(t, svg, "<x>")
	assert.Contains(t, texts, "…", "the long condition is cut")
	assert.Equal(t, svg, diagram.Render(p))
}

func TestNilAndEmpty(t *testing.T) {
	svgtest.WellFormed(t, diagram.Render(nil))
	els := svgtest.WellFormed(t, diagram.Render(&definitions.Plan{ID: "empty"}))
	assert.Empty(t, find(els, "path", "class", "edge"))
}
