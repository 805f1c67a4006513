package definitions

import (
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checker runs the rules about meaning over a structurally checked model.
type checker struct {
	s      *source
	d      *definition
	stages map[string]*stage
	ends   map[string]*end
	out    Problems
	// warnings are what is valid but likely not meant (Plan.Warnings)
	warnings Problems
	// properties the schemas checked so far declare (forms.go)
	properties int
}

func (c *checker) add(ptr string, pos Pos, format string, args ...any) {
	c.out = append(c.out, c.s.problem(pos, ptr, format, args...))
}

func checkMeaning(s *source, d *definition) (problems, warnings Problems) {
	c := &checker{s: s, d: d, stages: map[string]*stage{}, ends: map[string]*end{}}
	for _, st := range d.Stages {
		c.stages[st.ID] = st
	}
	for _, e := range d.Ends {
		c.ends[e.ID] = e
		if _, clash := c.stages[e.ID]; clash {
			c.add(e.Ptr, s.keyAt(e.Ptr), "%q is both a stage and an end: a transition to it would be ambiguous", e.ID)
		}
	}
	c.checkStart()
	for _, st := range d.Stages {
		c.checkStage(st)
	}
	c.checkGraph()
	c.checkSchema("/variables", d.Variables)
	return c.out, c.warnings
}

func (c *checker) checkStart() {
	if c.d.Start == "" {
		return // missing or mistyped: the structure check said so
	}
	if _, ok := c.stages[c.d.Start]; ok {
		return
	}
	if _, ok := c.ends[c.d.Start]; ok {
		c.add("/start", c.s.at("/start"), "start must be a stage, and %q is an end", c.d.Start)
		return
	}
	c.add("/start", c.s.at("/start"), "start names an unknown stage %q%s", c.d.Start, c.suggest(c.d.Start))
}

func (c *checker) checkStage(st *stage) {
	if st.Progress != nil && (*st.Progress < 0 || *st.Progress > 100) {
		c.add(st.Ptr+"/progress", c.s.at(st.Ptr+"/progress"), "progress must be between 0 and 100, not %d", *st.Progress)
	}
	c.checkDuration(st.Ptr+"/due", st.Due)
	c.checkAssignee(st.Assignee, st.ID == c.d.Start)
	if c.checkSchema(st.Ptr+"/form", st.Form) && st.Form != nil && st.Form["type"] != "object" {
		c.add(st.Ptr+"/form", c.s.at(st.Ptr+"/form"), "form must describe an object (type: object): completion data is a set of named fields")
	}
	if st.PlannedStart != "" {
		c.checkExpr(st.Ptr+"/plannedStart", st.PlannedStart, newExprEnv(nil, c.d.Variables, false), resultTime)
	}
	if st.Assignee != nil && st.Assignee.Expr != "" {
		c.checkExpr(st.Assignee.Ptr+"/expr", st.Assignee.Expr, newExprEnv(nil, c.d.Variables, false), resultString)
	}

	// Transitions see the completion data of this stage.
	env := newExprEnv(st.Form, c.d.Variables, true)
	defaultAt := -1
	for i, t := range st.Transitions {
		if defaultAt >= 0 {
			c.add(t.Ptr, c.s.at(t.Ptr), "this transition is never taken: transition %d above it has no `when` and always wins", defaultAt+1)
		} else if t.When == "" {
			defaultAt = i
		}
		c.checkTarget(t)
		c.checkDuration(t.Ptr+"/due", t.Due)
		if t.When != "" {
			c.checkExpr(t.Ptr+"/when", t.When, env, resultBool)
			c.warnReads(t.Ptr+"/when", t.When, st.Form)
		}
		if t.PlannedStart != "" {
			c.checkExpr(t.Ptr+"/plannedStart", t.PlannedStart, env, resultTime)
		}
		if t.Assignee != nil && !t.Assignee.Same {
			c.checkAssignee(t.Assignee, false)
			if t.Assignee.Expr != "" {
				c.checkExpr(t.Assignee.Ptr+"/expr", t.Assignee.Expr, env, resultString)
			}
		}
		if t.Assignee != nil && c.ends[t.To] != nil {
			c.add(t.Assignee.Ptr, c.s.keyAt(t.Assignee.Ptr), "a transition to the end %q has no work to assign: remove its assignee", t.To)
		}
	}
	if len(st.Transitions) > 0 && defaultAt < 0 {
		ptr := st.Ptr + "/transitions"
		c.add(ptr, c.s.keyAt(ptr), "stage %q has no transition without `when`: when no condition holds, a process would be stuck here; add a last transition with only `to`", st.ID)
	}
}

func (c *checker) checkTarget(t *transition) {
	if t.To == "" {
		return
	}
	if c.stages[t.To] == nil && c.ends[t.To] == nil {
		c.add(t.Ptr+"/to", c.s.at(t.Ptr+"/to"), "transition to an unknown stage or end %q%s", t.To, c.suggest(t.To))
	}
}

func (c *checker) checkDuration(ptr, v string) {
	if v == "" {
		return
	}
	if _, err := ParseDuration(v); err != nil {
		c.add(ptr, c.s.at(ptr), "%v", err)
	}
}

// checkAssignee enforces that a rule is exactly one of the DSL's forms.
func (c *checker) checkAssignee(a *assignee, isStart bool) {
	if a == nil || a.Same {
		return
	}
	at := c.s.at(a.Ptr)
	const forms = "use one of {user: LOGIN}, {team: TEAM, pick: round_robin|least_loaded}, {team: TEAM, choose: true} or {expr: EXPRESSION}"
	switch {
	case a.Choose && a.Team == "":
		c.add(a.Ptr, at, "`choose: true` needs a team: the completer picks a member of it")
	case a.Choose && a.Pick != "":
		c.add(a.Ptr, at, "`choose` and `pick` exclude each other: either the completer chooses or the team rule picks")
	case a.Pick != "" && a.Team == "":
		c.add(a.Ptr, at, "`pick` needs a team")
	case len(a.keys) == 0:
		c.add(a.Ptr, at, "empty assignee rule: %s", forms)
	case countSet(a.User != "", a.Team != "", a.Expr != "") != 1:
		c.add(a.Ptr, at, "assignee rule mixes %s: %s", strings.Join(a.keys, ", "), forms)
	case a.Choose && isStart:
		c.add(a.Ptr, at, "the start stage cannot use `choose: true`: no earlier stage's completer is there to choose")
	}
}

func countSet(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// checkSchema compiles a form or variables schema; it reports false when the
// schema is unusable.
func (c *checker) checkSchema(ptr string, schema map[string]any) bool {
	if schema == nil {
		return true
	}
	c.checkProperties(ptr, schema)
	_, err := compileSchema(schema)
	if err == nil {
		return true
	}
	var serr *jsonschema.SchemaValidationError
	var verr *jsonschema.ValidationError
	if errors.As(err, &serr) && errors.As(serr.Err, &verr) {
		for _, leaf := range leaves(verr) {
			for _, p := range schemaProblems(c.s, ptr, leaf) {
				p.Message = "invalid JSON Schema: " + p.Message
				c.out = append(c.out, p)
			}
		}
		return false
	}
	c.add(ptr, c.s.at(ptr), "invalid JSON Schema: %v", err)
	return false
}

// compileSchema compiles a form or variables schema (JSON Schema 2020-12 by
// default) with format assertions on, so "date-time" is checked, not only a
// hint.
func compileSchema(schema map[string]any) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	const url = "conveyor:form.json"
	if err := c.AddResource(url, schema); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

func (c *checker) checkExpr(ptr, src string, env exprEnv, want exprResult) {
	if _, err := compileExpr(src, env, want); err != nil {
		c.out = append(c.out, exprProblem(c.s, ptr, err, want, env.withData))
		return
	}
	var form map[string]any
	if env.withData {
		form = env.form
	}
	for _, slip := range enumSlips(src, form, c.d.Variables) {
		c.out = append(c.out, c.slipProblem(ptr, src, slip))
	}
}

// warnReads warns of the optional fields a condition reads (optionalReads).
func (c *checker) warnReads(ptr, src string, form map[string]any) {
	for _, r := range optionalReads(src, form) {
		c.warnings = append(c.warnings, c.slipProblem(ptr, src, r))
	}
}

// slipProblem places what was found at an offset of the expression at ptr:
// at its own line and column when the expression is written on one line of
// the YAML, else at the expression, saying where in it.
func (c *checker) slipProblem(ptr, src string, slip enumSlip) Problem {
	line, col := lineCol(src, slip.offset)
	pos, exact := c.s.within(ptr, line, col)
	msg := "expression: " + slip.msg
	if !exact {
		msg += fmt.Sprintf(" (at line %d, column %d of the expression)", line, col)
	}
	return c.s.problem(pos, ptr, "%s", msg)
}

// lineCol turns a rune offset into a 1-based line and column.
func lineCol(src string, offset int) (line, col int) {
	line, col = 1, 1
	for i, r := range []rune(src) {
		if i == offset {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// suggest offers the closest known id for a misspelt one.
func (c *checker) suggest(name string) string {
	best, bestDist := "", 3
	consider := func(id string) {
		if d := editDistance(name, id); d < bestDist {
			best, bestDist = id, d
		}
	}
	for _, st := range c.d.Stages {
		consider(st.ID)
	}
	for _, e := range c.d.Ends {
		consider(e.ID)
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
