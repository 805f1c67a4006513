package definitions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrExpression is wrapped by every error of an expression at run time: it
// failed, gave a value of the wrong kind, went over its memory budget, or is
// one that this version refuses although the plan was published before.
// Plans are immutable, so the process needs a person, not a retry.
var ErrExpression = errors.New("expression failed")

// Runtime is a plan made ready to run: its schemas and expressions compiled
// once. Everything it does is a pure function of the plan and its inputs, so
// workflow code may call it and replay gets the same answers.
type Runtime struct {
	Plan  *Plan
	vars  *jsonschema.Schema
	forms map[string]*jsonschema.Schema
	// The schemas as JSON values, which shape what expressions see.
	varsSchema  map[string]any
	formSchemas map[string]map[string]any
	progs       map[exprKey]compiled
}

// exprKey names a compiled expression: its source and the stage whose
// completion data it sees ("" for a stage's own expressions, which see no
// data).
type exprKey struct{ dataOf, src string }

// compiled is an expression's program, or why it cannot run.
type compiled struct {
	prog *vm.Program
	err  error
}

var runtimes sync.Map // plan hash -> *Runtime

// NewRuntime compiles a plan, reusing an earlier compilation of the same
// hash: every workflow replay of every process would otherwise redo it. An
// expression this version refuses (a plan published before a limit came)
// does not stop the others: it fails with ErrExpression when it is used.
func NewRuntime(p *Plan) (*Runtime, error) {
	if r, ok := runtimes.Load(p.Hash); ok {
		return r.(*Runtime), nil
	}
	r := &Runtime{Plan: p, forms: map[string]*jsonschema.Schema{}, formSchemas: map[string]map[string]any{}, progs: map[exprKey]compiled{}}
	var err error
	if r.varsSchema, err = decodeSchema(p.Variables); err != nil {
		return nil, fmt.Errorf("plan %s: variables: %w", p.ID, err)
	}
	if r.varsSchema != nil {
		if r.vars, err = compileSchema(r.varsSchema); err != nil {
			return nil, fmt.Errorf("plan %s: variables: %w", p.ID, err)
		}
	}
	entry := newExprEnv(nil, r.varsSchema, false)
	for id, st := range p.Stages {
		form, err := decodeSchema(st.Form)
		if err != nil {
			return nil, fmt.Errorf("plan %s: stage %s form: %w", p.ID, id, err)
		}
		if form != nil {
			if r.forms[id], err = compileSchema(closeForm(form)); err != nil {
				return nil, fmt.Errorf("plan %s: stage %s form: %w", p.ID, id, err)
			}
		}
		r.formSchemas[id] = form
		withData := newExprEnv(form, r.varsSchema, true)
		r.compile("", st.PlannedStart, entry, resultTime)
		r.compile("", st.Assignee.Expr, entry, resultString)
		for _, t := range st.Transitions {
			r.compile(id, t.When, withData, resultBool)
			r.compile(id, t.PlannedStart, withData, resultTime)
			if t.Assignee != nil {
				r.compile(id, t.Assignee.Expr, withData, resultString)
			}
		}
	}
	actual, _ := runtimes.LoadOrStore(p.Hash, r)
	return actual.(*Runtime), nil
}

func (r *Runtime) compile(dataOf, src string, env exprEnv, want exprResult) {
	if src == "" {
		return
	}
	key := exprKey{dataOf, src}
	if _, done := r.progs[key]; !done {
		prog, err := compileExpr(src, env, want)
		r.progs[key] = compiled{prog, err}
	}
}

func decodeSchema(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&m)
	return m, err
}

// Scope is what expressions see besides the completion data.
type Scope struct {
	Vars    json.RawMessage
	Client  Client
	Process Process
	Now     time.Time
}

// exprError is an expression that failed at run time, named by its place.
type exprError struct {
	stage, place, src string
	err               error
}

func (e *exprError) Error() string {
	src := e.src
	if len(src) > 200 {
		src = src[:200] + "..."
	}
	return fmt.Sprintf("stage %s, %s: expression %q failed: %v", e.stage, e.place, src, e.err)
}

func (e *exprError) Is(target error) bool { return target == ErrExpression }
func (e *exprError) Unwrap() error        { return e.err }

// Choose returns the index of the first transition of stage whose `when`
// holds for data; a valid plan always has one that holds.
func (r *Runtime) Choose(stage string, data json.RawMessage, sc Scope) (int, error) {
	st, ok := r.Plan.Stages[stage]
	if !ok {
		return 0, fmt.Errorf("unknown stage %q", stage)
	}
	var env map[string]any
	for i, t := range st.Transitions {
		if t.When == "" {
			return i, nil
		}
		fail := func(err error) (int, error) {
			return 0, exprAt{stage, fmt.Sprintf("transition %d (to %s), when", i+1, t.To), t.When, stage}.fail(err)
		}
		var err error
		if env == nil {
			if env, err = r.env(stage, data, sc); err != nil {
				return fail(err)
			}
		}
		v, err := r.eval(stage, t.When, env)
		if err != nil {
			return fail(err)
		}
		holds, isBool := v.(bool)
		if !isBool {
			return fail(fmt.Errorf("gave %T, not true or false", v))
		}
		if holds {
			return i, nil
		}
	}
	return 0, fmt.Errorf("stage %s: no transition holds", stage)
}

// Entry is how a stage is entered: who works it, from when, until when.
type Entry struct {
	Stage string
	Title string
	// Assignee is resolved to AssignUser, AssignTeam, AssignChoose or
	// AssignSame; for AssignSame, User is whoever the process believes worked
	// the completed stage (the store takes the item's current assignee, which
	// a reassignment or a portfolio transfer may have changed).
	Assignee     Assignee
	PlannedStart time.Time
	Due          *time.Time
}

// Enter computes the entry of stage, reached by transition t of stage from
// with data (t nil for the start stage). sc.Process.Assignee is whoever
// worked the completed stage: `same` resolves to them.
func (r *Runtime) Enter(stage string, from string, t *TransitionPlan, data json.RawMessage, sc Scope) (Entry, error) {
	st, ok := r.Plan.Stages[stage]
	if !ok {
		return Entry{}, fmt.Errorf("unknown stage %q", stage)
	}
	e := Entry{Stage: stage, Title: st.Title, Assignee: st.Assignee, PlannedStart: sc.Now}
	// An expression of the stage sees no data; one of the transition sees
	// the completion data of the stage it leaves.
	ofStage := func(place, src string) exprAt { return exprAt{stage, place, src, ""} }
	ofTransition := func(place, src string) exprAt {
		return exprAt{from, r.transitionName(from, t) + ", " + place, src, from}
	}

	// Assignee: the transition's rule wins over the stage's.
	who := ofStage("assignee", st.Assignee.Expr)
	if t != nil && t.Assignee != nil {
		e.Assignee = *t.Assignee
		who = ofTransition("assignee", t.Assignee.Expr)
	}
	switch e.Assignee.Kind {
	case AssignSame:
		e.Assignee = Assignee{Kind: AssignSame, User: sc.Process.Assignee}
	case AssignExpr:
		v, err := r.evalAt(who, data, sc)
		if err != nil {
			return Entry{}, err
		}
		login, isString := v.(string)
		if !isString {
			return Entry{}, who.fail(fmt.Errorf("gave %T, not a login", v))
		}
		e.Assignee = Assignee{Kind: AssignUser, User: login}
	}

	// Planned start: the transition's expression, else the stage's, else now.
	var when *exprAt
	switch {
	case t != nil && t.PlannedStart != "":
		w := ofTransition("plannedStart", t.PlannedStart)
		when = &w
	case st.PlannedStart != "":
		w := ofStage("plannedStart", st.PlannedStart)
		when = &w
	}
	if when != nil {
		v, err := r.evalAt(*when, data, sc)
		if err != nil {
			return Entry{}, err
		}
		ts, err := asTime(v)
		if err != nil {
			return Entry{}, when.fail(err)
		}
		if !ts.IsZero() {
			e.PlannedStart = ts.UTC()
		}
	}

	due := st.Due
	if t != nil && t.Due != 0 {
		due = t.Due
	}
	if due != 0 {
		d := e.PlannedStart.Add(time.Duration(due))
		e.Due = &d
	}
	return e, nil
}

// exprAt is an expression with its place in the plan, for errors: place
// within stage, and the stage whose completion data it sees ("" if none).
type exprAt struct{ stage, place, src, dataOf string }

func (w exprAt) fail(err error) error { return &exprError{w.stage, w.place, w.src, err} }

// evalAt evaluates w with data (ignored when w sees none).
func (r *Runtime) evalAt(w exprAt, data json.RawMessage, sc Scope) (any, error) {
	if w.dataOf == "" {
		data = nil
	}
	env, err := r.env(w.dataOf, data, sc)
	if err != nil {
		return nil, w.fail(err)
	}
	v, err := r.eval(w.dataOf, w.src, env)
	if err != nil {
		return nil, w.fail(err)
	}
	return v, nil
}

// transitionName names t among the transitions of stage from.
func (r *Runtime) transitionName(from string, t *TransitionPlan) string {
	for i, other := range r.Plan.Stages[from].Transitions {
		if other.When == t.When && other.To == t.To && other.PlannedStart == t.PlannedStart &&
			(other.Assignee == nil) == (t.Assignee == nil) && (t.Assignee == nil || *other.Assignee == *t.Assignee) {
			return fmt.Sprintf("transition %d (to %s)", i+1, t.To)
		}
	}
	return "the transition to " + t.To
}

// asTime accepts what a plannedStart expression may give: a time, an RFC 3339
// string (from an untyped field) or nothing (an empty optional field).
func asTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v, nil
	case string:
		if v == "" {
			return time.Time{}, nil
		}
		return time.Parse(time.RFC3339, v)
	}
	return time.Time{}, fmt.Errorf("gave %T, not a time", v)
}

// env builds what expressions see. The sizes the cost check assumed are
// checked here too: data or a client from before the limits could break
// them.
func (r *Runtime) env(dataOf string, data json.RawMessage, sc Scope) (map[string]any, error) {
	if err := scopeWithinLimits(sc); err != nil {
		return nil, err
	}
	vars, err := decodeAs(r.varsSchema, sc.Vars, "vars")
	if err != nil {
		return nil, err
	}
	env := map[string]any{"vars": vars, "client": fieldsValue(sc.Client), "process": fieldsValue(sc.Process), "now": sc.Now}
	if dataOf != "" {
		if env["data"], err = decodeAs(r.formSchemas[dataOf], data, "data"); err != nil {
			return nil, err
		}
	}
	return env, nil
}

func decodeAs(schema map[string]any, raw json.RawMessage, name string) (any, error) {
	if len(raw) > MaxDataBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d expressions are checked for", name, len(raw), MaxDataBytes)
	}
	var v any
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if fe := outOfBounds(v, ""); len(fe) > 0 {
			return nil, fmt.Errorf("%s%s: %s", name, fe[0].Path, fe[0].Message)
		}
	}
	return conform(schema, v, name)
}

// scopeWithinLimits checks that the client and the process are as small as
// the cost check assumes: their strings together within MaxDataBytes, their
// lists within maxDataItems.
func scopeWithinLimits(sc Scope) error {
	c, p := sc.Client, sc.Process
	clientBytes := len(c.ID) + len(c.Name) + len(c.Owner)
	for _, list := range [][]string{c.Segments, c.ProductGroups} {
		if len(list) > maxDataItems {
			return fmt.Errorf("client %s: a list of %d items, more than the %d expressions are checked for", c.ID, len(list), maxDataItems)
		}
		for _, s := range list {
			clientBytes += len(s)
		}
	}
	if clientBytes > MaxDataBytes {
		return fmt.Errorf("client %s: %d bytes of text, more than the %d expressions are checked for", c.ID, clientBytes, MaxDataBytes)
	}
	if n := len(p.ID) + len(p.Definition) + len(p.BusinessKey) + len(p.Stage) + len(p.Assignee); n > MaxDataBytes {
		return fmt.Errorf("process %s: %d bytes of text, more than the %d expressions are checked for", p.ID, n, MaxDataBytes)
	}
	return nil
}

// eval runs a compiled expression within expr's memory budget.
func (r *Runtime) eval(dataOf, src string, env map[string]any) (out any, err error) {
	c, ok := r.progs[exprKey{dataOf, src}]
	switch {
	case !ok:
		return nil, errors.New("it was not compiled")
	case c.err != nil:
		return nil, fmt.Errorf("this version refuses it: %w", c.err)
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("it panicked: %v", p)
		}
	}()
	machine := vm.VM{MemoryBudget: runMemoryBudget}
	return machine.Run(c.prog, env)
}
