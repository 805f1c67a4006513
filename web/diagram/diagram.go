// Package diagram draws a compiled conveyor definition as a flow diagram:
// a self-contained SVG the web UI inlines into its pages.
//
// The layout is a simple layered one. Stages stand in columns by their
// breadth-first distance from the start; ends stand in a last column of their
// own; within a column nodes are sorted by id. Transitions to the next column
// are S-curves; longer forward transitions and back-edges run along lanes
// under the nodes (back-edges with curved swings), transitions within a
// column bulge out to the right, and self-loops arc over their stage. The
// output depends on the plan alone: equal plans give equal SVG.
package diagram

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/web/svg"
)

// Geometry, in viewBox units; the SVG scales to its container's width.
const (
	marginLeft  = 104.0 // room for the start marker and back-edges' swings
	marginRight = 24.0
	headerH     = 40.0 // the plan's title
	stageW      = 230.0
	stageH      = 74.0
	endW        = 150.0
	endH        = 44.0
	colGap      = 190.0
	minRowGap   = 44.0
	lineH       = 13.0 // an edge label's line
	labelChars  = 28   // runes per edge label line
	labelLines  = 3
	charW       = 6.0  // a label character's likely width at 11px
	portGap     = 10.0 // between parallel vertical runs of lane edges
)

// Colours.
const (
	stageFill   = "#e8f0fe"
	stageStroke = "#1a73e8"
	endFill     = "#f1f3f4"
	endStroke   = "#5f6368"
	edgeColor   = "#5f6368"
	textColor   = "#202124"
	mutedColor  = "#5f6368"
	labelColor  = "#3c4043"
	startColor  = "#202124"
)

type node struct {
	id, title string
	end       bool
	stage     definitions.StagePlan
	col, row  int
	x, y      float64
	w, h      float64
	left      []*port // attachments on the left side, top to bottom
	right     []*port // and on the right side
	loops     []*edge // self-loops, innermost first
	above     float64 // room the loops and their labels take over the node
}

func (n *node) cx() float64     { return n.x + n.w/2 }
func (n *node) cy() float64     { return n.y + n.h/2 }
func (n *node) rightX() float64 { return n.x + n.w }
func (n *node) bottom() float64 { return n.y + n.h }

// port is where an edge meets a node's side; key orders ports along it.
type port struct {
	key float64
	seq int // tie-break: creation order, itself deterministic
	y   float64
}

type edgeKind int

const (
	adjacent   edgeKind = iota // into the next column
	laneFwd                    // forward over one or more columns, along a lane
	laneBack                   // backward, along a lane
	sameColumn                 // between two nodes of one column
	selfLoop
)

type edge struct {
	from, to *node
	t        definitions.TransitionPlan
	index    int // the transition's index within its stage
	kind     edgeKind
	out, in  *port
	laneY    float64
	label    []string // label lines
	summary  string   // the label in full, for the tooltip
	loopH    float64  // a self-loop's height above its node
	loopDX   float64  // and its half width
	bulge    float64  // a same-column edge's reach to the right
	swingOut float64  // a lane edge's vertical run, right of its source
	swingIn  float64  // and left of its target
}

// Render draws p. A nil plan gives a small SVG saying so.
func Render(p *definitions.Plan) string {
	if p == nil {
		var w svg.Writer
		w.Open(480, 48, "No plan", "conveyor-diagram")
		w.Title("No plan")
		w.Raw(fmt.Sprintf(`<text x="12" y="30" font-size="14" fill="%s">No plan</text>`, mutedColor))
		return w.Close()
	}
	d := layout(p)
	return d.draw()
}

type diagram struct {
	p           *definitions.Plan
	stages      map[string]*node
	ends        map[string]*node
	nodes       []*node // stages by column and row, then ends by row
	edges       []*edge // by source stage (column, row), then transition order
	start       *node
	startPort   *port
	width       float64
	height      float64
	nodesBottom float64
	markerID    string
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func layout(p *definitions.Plan) *diagram {
	d := &diagram{p: p, stages: map[string]*node{}, ends: map[string]*node{}, markerID: "conveyor-arrow-" + idSafe(p.ID)}

	// Columns: breadth-first distance from the start. Stages the start does
	// not reach (an invalid plan) stand in a column after the others.
	depth := map[string]int{}
	if _, ok := p.Stages[p.Start]; ok {
		depth[p.Start] = 0
		for queue := []string{p.Start}; len(queue) > 0; queue = queue[1:] {
			from := queue[0]
			for _, t := range p.Stages[from].Transitions {
				if _, ok := p.Stages[t.To]; ok && !t.ToEnd {
					if _, seen := depth[t.To]; !seen {
						depth[t.To] = depth[from] + 1
						queue = append(queue, t.To)
					}
				}
			}
		}
	}
	lastCol := -1
	for _, c := range depth {
		lastCol = max(lastCol, c)
	}
	unreached := lastCol + 1
	for _, id := range sortedKeys(p.Stages) {
		if _, ok := depth[id]; !ok {
			depth[id] = unreached
			lastCol = unreached
		}
	}
	endCol := lastCol + 1

	columns := make([][]*node, endCol+1)
	for _, id := range sortedKeys(p.Stages) {
		st := p.Stages[id]
		n := &node{id: id, title: st.Title, stage: st, col: depth[id], w: stageW, h: stageH}
		n.row = len(columns[n.col])
		columns[n.col] = append(columns[n.col], n)
		d.stages[id] = n
	}
	for _, id := range sortedKeys(p.Ends) {
		n := &node{id: id, title: p.Ends[id].Title, end: true, col: endCol, w: endW, h: endH}
		n.row = len(columns[endCol])
		columns[endCol] = append(columns[endCol], n)
		d.ends[id] = n
	}
	for _, col := range columns {
		d.nodes = append(d.nodes, col...)
	}
	d.start = d.stages[p.Start]

	// Edges, in a fixed order: sources by column and row, then transitions.
	for _, from := range d.nodes {
		if from.end {
			continue
		}
		for i, t := range from.stage.Transitions {
			to := d.target(t)
			if to == nil {
				continue // an invalid plan: nothing to point at
			}
			e := &edge{from: from, to: to, t: t, index: i}
			switch {
			case to == from:
				e.kind = selfLoop
			case to.col == from.col+1:
				e.kind = adjacent
			case to.col > from.col:
				e.kind = laneFwd
			case to.col < from.col:
				e.kind = laneBack
			default:
				e.kind = sameColumn
			}
			e.summary, e.label = edgeLabel(t)
			d.edges = append(d.edges, e)
		}
	}

	// Self-loops stack over their stage, each label above its loop.
	for _, e := range d.edges {
		if e.kind != selfLoop {
			continue
		}
		n := e.from
		k := len(n.loops)
		e.loopDX = 26 + 14*float64(k)
		e.loopH = 34
		if k > 0 {
			prev := n.loops[k-1]
			e.loopH = prev.loopH + float64(len(prev.label))*lineH + 12
		}
		n.loops = append(n.loops, e)
		n.above = e.loopH + float64(len(e.label))*lineH + 8
	}

	// Positions: columns side by side, each centred on one axis, rows far
	// enough apart for the loops over them; then all moved down under the
	// header.
	x := marginLeft
	for c, col := range columns {
		gap := minRowGap
		for _, n := range col[min(1, len(col)):] {
			gap = max(gap, n.above+12)
		}
		h := float64(len(col))*stageH + float64(max(len(col)-1, 0))*gap
		for _, n := range col {
			n.x = x
			n.y = -h/2 + float64(n.row)*(stageH+gap) + (stageH-n.h)/2
		}
		w := stageW
		if c == endCol {
			w = endW
		}
		d.width = x + w + marginRight
		x += w + colGap
	}
	top := math.Inf(1)
	for _, n := range d.nodes {
		top = min(top, n.y-n.above)
	}
	d.nodesBottom = headerH + 8
	for _, n := range d.nodes {
		n.y += headerH + 8 - top
		d.nodesBottom = max(d.nodesBottom, n.bottom())
	}
	if len(d.nodes) == 0 {
		d.width = 480
	}

	// Lanes under the nodes for long and backward edges: shorter spans
	// nearer the nodes, each lane leaving room for its label above it.
	var lanes []*edge
	for _, e := range d.edges {
		if e.kind == laneFwd || e.kind == laneBack {
			lanes = append(lanes, e)
		}
	}
	sort.SliceStable(lanes, func(i, j int) bool {
		si, sj := abs(lanes[i].to.col-lanes[i].from.col), abs(lanes[j].to.col-lanes[j].from.col)
		if si != sj {
			return si < sj
		}
		return lanes[i].kind == laneFwd && lanes[j].kind == laneBack
	})
	y := d.nodesBottom + 16
	for _, e := range lanes {
		y += float64(len(e.label))*lineH + 6
		e.laneY = y
		y += 12
	}
	d.height = y + 16
	if len(lanes) == 0 {
		d.height = d.nodesBottom + 24
	}

	// Ports: where each edge meets its nodes, spread along the side and
	// ordered by where the edge's other end lies, so edges fan out without
	// crossing at the node.
	seq := 0
	attach := func(side *[]*port, key float64) *port {
		seq++
		pt := &port{key: key, seq: seq}
		*side = append(*side, pt)
		return pt
	}
	if d.start != nil {
		d.startPort = attach(&d.start.left, d.start.cy())
	}
	for _, e := range d.edges {
		switch e.kind {
		case adjacent:
			e.out = attach(&e.from.right, e.to.cy())
			e.in = attach(&e.to.left, e.from.cy())
		case laneFwd, laneBack:
			e.out = attach(&e.from.right, e.laneY)
			e.in = attach(&e.to.left, e.laneY)
		case sameColumn:
			e.out = attach(&e.from.right, e.to.cy())
			e.in = attach(&e.to.right, e.from.cy())
		}
	}
	bulges := map[*node]int{}
	for _, e := range d.edges {
		if e.kind == sameColumn {
			e.bulge = 56 + 14*float64(bulges[e.from])
			bulges[e.from]++
		}
	}
	for _, n := range d.nodes {
		spread(n.left, n)
		spread(n.right, n)
	}

	// Lane edges' vertical runs beside a node: the lane nearest the nodes
	// runs farthest out, so that runs, lanes and ports do not cross.
	for _, n := range d.nodes {
		var out, in []*edge
		for _, e := range lanes {
			if e.from == n {
				out = append(out, e)
			}
			if e.to == n {
				in = append(in, e)
			}
		}
		for i, e := range out { // lanes come nearest first
			e.swingOut = 18 + portGap*float64(len(out)-1-i)
		}
		for i, e := range in {
			e.swingIn = 18 + portGap*float64(len(in)-1-i)
		}
	}
	return d
}

// spread places a side's ports evenly along its middle part.
func spread(ports []*port, n *node) {
	sort.SliceStable(ports, func(i, j int) bool {
		if ports[i].key != ports[j].key {
			return ports[i].key < ports[j].key
		}
		return ports[i].seq < ports[j].seq
	})
	span := n.h * 0.6
	if n.end {
		span = n.h * 0.5
	}
	for i, pt := range ports {
		if len(ports) == 1 {
			pt.y = n.cy()
			continue
		}
		pt.y = n.cy() - span/2 + span*float64(i)/float64(len(ports)-1)
	}
}

// target is the node a transition leads to, or nil.
func (d *diagram) target(t definitions.TransitionPlan) *node {
	if t.ToEnd {
		if n := d.ends[t.To]; n != nil {
			return n
		}
		return d.stages[t.To]
	}
	if n := d.stages[t.To]; n != nil {
		return n
	}
	return d.ends[t.To]
}

func (d *diagram) draw() string {
	p := d.p
	title := p.Title
	if title == "" {
		title = p.ID
	}
	var w svg.Writer
	w.Open(d.width, d.height, "Conveyor diagram: "+title, "conveyor-diagram")
	w.Title(title)
	w.Raw(`<desc>` + svg.Esc(d.describe()) + `</desc>`)
	w.Raw(fmt.Sprintf(`<defs><marker id="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L9,5 L0,9 z" fill="%s"/></marker></defs>`,
		svg.Esc(d.markerID), edgeColor))
	w.Raw(fmt.Sprintf(`<text x="12" y="26" font-size="16" font-weight="700" fill="%s">%s</text>`, textColor, svg.Esc(cut(title, 80))))

	// Start marker.
	if d.start != nil {
		y := d.startPort.y
		cx := d.start.x - 76
		w.Raw(`<g class="start">`)
		w.Title("Start: " + d.start.id)
		w.Raw(fmt.Sprintf(`<circle cx="%s" cy="%s" r="9" fill="%s"/>`, svg.Num(cx), svg.Num(y), startColor))
		w.Raw(fmt.Sprintf(`<path class="start-edge" d="M%s,%s H%s" fill="none" stroke="%s" stroke-width="1.5" marker-end="url(#%s)"/>`,
			svg.Num(cx+9), svg.Num(y), svg.Num(d.start.x), edgeColor, svg.Esc(d.markerID)))
		w.Raw(`</g>`)
	}

	// Nodes.
	for _, n := range d.nodes {
		if n.end {
			d.drawEnd(&w, n)
		} else {
			d.drawStage(&w, n)
		}
	}

	// Edges, then every label over them.
	w.Raw(`<g class="transitions">`)
	for _, e := range d.edges {
		w.Raw(fmt.Sprintf(`<g class="transition" data-from="%s" data-to="%s">`, svg.Esc(e.from.id), svg.Esc(e.to.id)))
		w.Title(e.from.id + " → " + e.to.id + ": " + e.summary)
		w.Raw(fmt.Sprintf(`<path class="edge" d="%s" fill="none" stroke="%s" stroke-width="1.5" marker-end="url(#%s)"/>`,
			d.path(e), edgeColor, svg.Esc(d.markerID)))
		w.Raw(`</g>`)
	}
	w.Raw(`</g>`)
	w.Raw(fmt.Sprintf(`<g class="edge-labels" font-size="11" fill="%s" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">`, labelColor))
	for _, e := range d.edges {
		d.drawLabel(&w, e)
	}
	w.Raw(`</g>`)
	return w.Close()
}

func (d *diagram) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Starts at %s.", d.p.Start)
	for _, n := range d.nodes {
		if n.end {
			continue
		}
		fmt.Fprintf(&b, " Stage %s (%s), %s:", n.id, n.title, assigneeSummary(n.stage.Assignee))
		for i, e := range d.edges {
			if e.from == n {
				if i > 0 && d.edges[i-1].from == n {
					b.WriteString(";")
				}
				fmt.Fprintf(&b, " %s → %s", e.summary, e.to.id)
			}
		}
		b.WriteString(".")
	}
	var ends []string
	for _, n := range d.nodes {
		if n.end {
			ends = append(ends, n.id+" ("+n.title+")")
		}
	}
	if len(ends) > 0 {
		b.WriteString(" Ends: " + strings.Join(ends, ", ") + ".")
	}
	return b.String()
}

func (d *diagram) drawStage(w *svg.Writer, n *node) {
	st := n.stage
	who := assigneeSummary(st.Assignee)
	detail := n.id
	if st.Due > 0 {
		detail += " · due " + formatDuration(time.Duration(st.Due))
	}
	w.Raw(fmt.Sprintf(`<g class="stage" data-id="%s">`, svg.Esc(n.id)))
	w.Title(n.title + " (" + detail + "): " + who)
	w.Raw(fmt.Sprintf(`<rect x="%s" y="%s" width="%s" height="%s" rx="10" fill="%s" stroke="%s" stroke-width="1.5"/>`,
		svg.Num(n.x), svg.Num(n.y), svg.Num(n.w), svg.Num(n.h), stageFill, stageStroke))
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" font-size="14" font-weight="600" fill="%s">%s</text>`,
		svg.Num(n.x+12), svg.Num(n.y+24), textColor, svg.Esc(cut(n.title, 24))))
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" font-size="11" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" fill="%s">%s</text>`,
		svg.Num(n.x+12), svg.Num(n.y+42), mutedColor, svg.Esc(cut(detail, 30))))
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" font-size="11" fill="%s">%s</text>`,
		svg.Num(n.x+12), svg.Num(n.y+60), textColor, svg.Esc(cut(who, 33))))
	w.Raw(`</g>`)
}

func (d *diagram) drawEnd(w *svg.Writer, n *node) {
	w.Raw(fmt.Sprintf(`<g class="end" data-id="%s">`, svg.Esc(n.id)))
	w.Title("End: " + n.title + " (" + n.id + ")")
	w.Raw(fmt.Sprintf(`<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s" stroke-width="1.5"/>`,
		svg.Num(n.x), svg.Num(n.y), svg.Num(n.w), svg.Num(n.h), svg.Num(n.h/2), endFill, endStroke))
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" font-size="13" font-weight="600" fill="%s" text-anchor="middle">%s</text>`,
		svg.Num(n.cx()), svg.Num(n.cy()+4.5), textColor, svg.Esc(cut(n.title, 18))))
	w.Raw(`</g>`)
}

// path is an edge's SVG path data.
func (d *diagram) path(e *edge) string {
	f := func(v float64) string { return svg.Num(v) }
	switch e.kind {
	case selfLoop:
		n := e.from
		x1, x2, y := n.cx()-e.loopDX, n.cx()+e.loopDX, n.y
		c := y - e.loopH*4/3 // a cubic's peak is 3/4 of the way to its controls
		return "M" + f(x1) + "," + f(y) + " C" + f(x1) + "," + f(c) + " " + f(x2) + "," + f(c) + " " + f(x2) + "," + f(y)
	case adjacent:
		sx, sy, tx, ty := e.from.rightX(), e.out.y, e.to.x, e.in.y
		mx := (sx + tx) / 2
		return "M" + f(sx) + "," + f(sy) + " C" + f(mx) + "," + f(sy) + " " + f(mx) + "," + f(ty) + " " + f(tx) + "," + f(ty)
	case sameColumn:
		sx, sy, tx, ty := e.from.rightX(), e.out.y, e.to.rightX(), e.in.y
		b := max(sx, tx) + e.bulge*4/3
		return "M" + f(sx) + "," + f(sy) + " C" + f(b) + "," + f(sy) + " " + f(b) + "," + f(ty) + " " + f(tx) + "," + f(ty)
	case laneFwd:
		// Right, down to the lane, along it, up and into the target: square
		// corners rounded off.
		sx, sy, tx, ty, l := e.from.rightX(), e.out.y, e.to.x, e.in.y, e.laneY
		x1, x2 := sx+e.swingOut, tx-e.swingIn
		const r = 10.0
		return "M" + f(sx) + "," + f(sy) + " H" + f(x1-r) + " Q" + f(x1) + "," + f(sy) + " " + f(x1) + "," + f(sy+r) +
			" V" + f(l-r) + " Q" + f(x1) + "," + f(l) + " " + f(x1+r) + "," + f(l) +
			" H" + f(x2-r) + " Q" + f(x2) + "," + f(l) + " " + f(x2) + "," + f(l-r) +
			" V" + f(ty+r) + " Q" + f(x2) + "," + f(ty) + " " + f(x2+r) + "," + f(ty) + " H" + f(tx)
	default: // laneBack
		// A curved swing out of the source down to the lane, back along it,
		// and a curved swing up into the target's left side.
		sx, sy, tx, ty, l := e.from.rightX(), e.out.y, e.to.x, e.in.y, e.laneY
		so, si := (e.swingOut+30)*4/3, (e.swingIn+30)*4/3
		return "M" + f(sx) + "," + f(sy) + " C" + f(sx+so) + "," + f(sy) + " " + f(sx+so) + "," + f(l) + " " + f(sx) + "," + f(l) +
			" H" + f(tx) + " C" + f(tx-si) + "," + f(l) + " " + f(tx-si) + "," + f(ty) + " " + f(tx) + "," + f(ty)
	}
}

// drawLabel writes an edge's label lines; (x, y) is the last line's
// baseline.
func (d *diagram) drawLabel(w *svg.Writer, e *edge) {
	var x, y float64
	anchor := "middle"
	switch e.kind {
	case selfLoop:
		x, y = e.from.cx(), e.from.y-e.loopH-5
	case adjacent:
		// The block centred on the curve's middle.
		x, y = (e.from.rightX()+e.to.x)/2, (e.out.y+e.in.y)/2+4+float64(len(e.label)-1)*lineH/2
	case sameColumn:
		x, y = max(e.from.rightX(), e.to.rightX())+e.bulge+6, (e.out.y+e.in.y)/2+4
		anchor = "start"
	case laneFwd:
		x, y = (e.from.rightX()+e.swingOut+e.to.x-e.swingIn)/2, e.laneY-5
	default:
		x, y = (e.from.rightX()+e.to.x)/2, e.laneY-5
	}
	y0 := y - float64(len(e.label)-1)*lineH
	// A backing under the text, as wide as the text is likely to be (no
	// fonts to measure with here), hides the lines it crosses.
	longest := 0
	for _, l := range e.label {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	bw := float64(longest)*charW + 6
	bx := x - bw/2
	if anchor == "start" {
		bx = x - 3
	}
	w.Raw(fmt.Sprintf(`<rect x="%s" y="%s" width="%s" height="%s" rx="3" fill="#ffffff" fill-opacity="0.9" stroke="none"/>`,
		svg.Num(bx), svg.Num(y0-lineH+2), svg.Num(bw), svg.Num(float64(len(e.label))*lineH+2)))
	w.Raw(fmt.Sprintf(`<text x="%s" y="%s" text-anchor="%s">`, svg.Num(x), svg.Num(y0), anchor))
	for i, l := range e.label {
		dy := "0"
		if i > 0 {
			dy = svg.Num(lineH)
		}
		w.Raw(fmt.Sprintf(`<tspan x="%s" dy="%s">%s</tspan>`, svg.Num(x), dy, svg.Esc(l)))
	}
	w.Raw(`</text>`)
}

// edgeLabel is a transition's label in full and wrapped into lines: its
// condition, or "otherwise", and the assignee it sets, if any.
func edgeLabel(t definitions.TransitionPlan) (string, []string) {
	cond := t.When
	if cond == "" {
		cond = "otherwise"
	}
	lines := wrap(cond, labelChars, labelLines)
	full := cond
	if t.Assignee != nil {
		who := "→ " + assigneeSummary(*t.Assignee)
		full += " " + who
		lines = append(lines, cut(who, labelChars+4))
	}
	return full, lines
}

// assigneeSummary describes an assignee rule in a few words.
func assigneeSummary(a definitions.Assignee) string {
	switch a.Kind {
	case definitions.AssignTeam:
		s := "team " + a.Team
		switch a.Pick {
		case "":
		case definitions.PickRoundRobin:
			s += " · round robin"
		case definitions.PickLeastLoaded:
			s += " · least loaded"
		default:
			s += " · " + strings.ReplaceAll(a.Pick, "_", " ")
		}
		return s
	case definitions.AssignChoose:
		return "chosen from team " + a.Team
	case definitions.AssignUser:
		return "user " + a.User
	case definitions.AssignExpr:
		return "expr: " + a.Expr
	case definitions.AssignSame:
		return "same assignee"
	case "":
		return "unassigned"
	default:
		return a.Kind
	}
}

// formatDuration writes d in the DSL's units: "2d", "10d", "2w", "1d12h",
// "30m"; weeks only when they are whole.
func formatDuration(d time.Duration) string {
	const dayLen, week = 24 * time.Hour, 7 * 24 * time.Hour
	if d > 0 && d%week == 0 {
		return fmt.Sprintf("%dw", d/week)
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{dayLen, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if b.Len() == 0 || d > 0 {
		return b.String() + d.String() // below a minute: not from the DSL
	}
	return b.String()
}

// wrap breaks s at spaces into lines of at most width runes, at most
// maxLines of them; a word longer than a line is broken, and text beyond the
// last line is cut with an ellipsis.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			lines = append(lines, string(cur))
			cur = nil
		}
	}
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		if len(cur) > 0 && len(cur)+1+len(wr) > width {
			flush()
		}
		for len(wr) > width {
			flush()
			lines = append(lines, string(wr[:width]))
			wr = wr[width:]
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, wr...)
	}
	flush()
	if len(lines) > maxLines {
		last := []rune(lines[maxLines-1])
		if len(last) >= width {
			last = last[:width-1]
		}
		lines = append(lines[:maxLines-1], strings.TrimSpace(string(last))+"…")
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// cut shortens s to at most n runes, ending it with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// idSafe keeps the characters an XML id may hold everywhere.
func idSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func abs(v int) int { return int(math.Abs(float64(v))) }
