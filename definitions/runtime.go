package definitions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Runtime is a plan made ready to run: its schemas and expressions compiled
// once. Everything it does is a pure function of the plan and its inputs, so
// workflow code may call it and replay gets the same answers.
type Runtime struct {
	Plan  *Plan
	vars  *jsonschema.Schema
	forms map[string]*jsonschema.Schema
	// envs[stage] types transition expressions (with that stage's data);
	// entry types stage-level expressions (no data).
	envs  map[string]reflect.Type
	entry reflect.Type
	progs map[string]*vm.Program // by expression source and env
}

var runtimes sync.Map // plan hash -> *Runtime

// NewRuntime compiles a plan, reusing an earlier compilation of the same
// hash: every workflow replay of every process would otherwise redo it.
func NewRuntime(p *Plan) (*Runtime, error) {
	if r, ok := runtimes.Load(p.Hash); ok {
		return r.(*Runtime), nil
	}
	r := &Runtime{Plan: p, forms: map[string]*jsonschema.Schema{}, envs: map[string]reflect.Type{}, progs: map[string]*vm.Program{}}
	varsSchema, err := decodeSchema(p.Variables)
	if err != nil {
		return nil, fmt.Errorf("plan %s: variables: %w", p.ID, err)
	}
	if varsSchema != nil {
		if r.vars, err = compileSchema(varsSchema); err != nil {
			return nil, fmt.Errorf("plan %s: variables: %w", p.ID, err)
		}
	}
	r.entry = envType(nil, varsSchema, false)
	for id, st := range p.Stages {
		form, err := decodeSchema(st.Form)
		if err != nil {
			return nil, fmt.Errorf("plan %s: stage %s form: %w", p.ID, id, err)
		}
		if form != nil {
			if r.forms[id], err = compileSchema(form); err != nil {
				return nil, fmt.Errorf("plan %s: stage %s form: %w", p.ID, id, err)
			}
		}
		r.envs[id] = envType(form, varsSchema, true)
		compile := func(src string, env reflect.Type, want exprResult) error {
			if src == "" {
				return nil
			}
			prog, err := compileExpr(src, env, want)
			if err != nil {
				return fmt.Errorf("plan %s: stage %s: %q: %w", p.ID, id, src, err)
			}
			r.progs[progKey(src, env)] = prog
			return nil
		}
		errs := []error{compile(st.PlannedStart, r.entry, resultTime), compile(st.Assignee.Expr, r.entry, resultString)}
		for _, t := range st.Transitions {
			errs = append(errs, compile(t.When, r.envs[id], resultBool), compile(t.PlannedStart, r.envs[id], resultTime))
			if t.Assignee != nil {
				errs = append(errs, compile(t.Assignee.Expr, r.envs[id], resultString))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	actual, _ := runtimes.LoadOrStore(p.Hash, r)
	return actual.(*Runtime), nil
}

func progKey(src string, env reflect.Type) string { return env.String() + "\x00" + src }

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

// FieldError is one reason data was refused; Path is a JSON pointer into the
// checked value.
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// DataError lists why completion data or variables were refused.
type DataError []FieldError

func (e DataError) Error() string {
	if len(e) == 1 {
		return fmt.Sprintf("%s: %s", e[0].Path, e[0].Message)
	}
	return fmt.Sprintf("%s: %s (and %d more)", e[0].Path, e[0].Message, len(e)-1)
}

// CheckData checks a stage's completion data against its form. A stage
// without a form takes any object or nothing.
func (r *Runtime) CheckData(stage string, data json.RawMessage) error {
	if _, ok := r.Plan.Stages[stage]; !ok {
		return fmt.Errorf("unknown stage %q", stage)
	}
	return checkAgainst(r.forms[stage], data)
}

// CheckVars checks the variables given at start.
func (r *Runtime) CheckVars(vars json.RawMessage) error { return checkAgainst(r.vars, vars) }

func checkAgainst(schema *jsonschema.Schema, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = json.RawMessage("{}")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return DataError{{Path: "", Message: "not valid JSON: " + err.Error()}}
	}
	if _, isObject := v.(map[string]any); !isObject {
		return DataError{{Path: "", Message: "must be an object"}}
	}
	if schema == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if err := schema.Validate(v); !errors.As(err, &verr) {
		return err
	}
	var out DataError
	for _, leaf := range leaves(verr) {
		out = append(out, FieldError{Path: pointer(leaf.InstanceLocation), Message: leaf.ErrorKind.LocalizedString(printer)})
	}
	return out
}

// Scope is what expressions see besides the completion data.
type Scope struct {
	Vars    json.RawMessage
	Client  Client
	Process Process
	Now     time.Time
}

// Choose returns the index of the first transition of stage whose `when`
// holds for data; a valid plan always has one that holds.
func (r *Runtime) Choose(stage string, data json.RawMessage, sc Scope) (int, error) {
	st, ok := r.Plan.Stages[stage]
	if !ok {
		return 0, fmt.Errorf("unknown stage %q", stage)
	}
	env, err := r.env(r.envs[stage], data, sc)
	if err != nil {
		return 0, err
	}
	for i, t := range st.Transitions {
		if t.When == "" {
			return i, nil
		}
		ok, err := r.run(t.When, r.envs[stage], env)
		if err != nil {
			return 0, fmt.Errorf("stage %s, transition %d: %w", stage, i+1, err)
		}
		if ok == true {
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
	entryEnv, err := r.env(r.entry, nil, sc)
	if err != nil {
		return Entry{}, err
	}
	var dataEnv any
	if t != nil {
		if dataEnv, err = r.env(r.envs[from], data, sc); err != nil {
			return Entry{}, err
		}
	}

	// Assignee: the transition's rule wins over the stage's.
	expr, env, envT := st.Assignee.Expr, entryEnv, r.entry
	if t != nil && t.Assignee != nil {
		e.Assignee = *t.Assignee
		expr, env, envT = t.Assignee.Expr, dataEnv, r.envs[from]
	}
	switch e.Assignee.Kind {
	case AssignSame:
		e.Assignee = Assignee{Kind: AssignSame, User: sc.Process.Assignee}
	case AssignExpr:
		login, err := r.run(expr, envT, env)
		if err != nil {
			return Entry{}, fmt.Errorf("stage %s: assignee: %w", stage, err)
		}
		e.Assignee = Assignee{Kind: AssignUser, User: login.(string)}
	}

	// Planned start: the transition's expression, else the stage's, else now.
	var at any
	switch {
	case t != nil && t.PlannedStart != "":
		at, err = r.run(t.PlannedStart, r.envs[from], dataEnv)
	case st.PlannedStart != "":
		at, err = r.run(st.PlannedStart, r.entry, entryEnv)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("stage %s: plannedStart: %w", stage, err)
	}
	if ts, err := asTime(at); err != nil {
		return Entry{}, fmt.Errorf("stage %s: plannedStart: %w", stage, err)
	} else if !ts.IsZero() {
		e.PlannedStart = ts.UTC()
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

// env builds an environment value of type t from JSON inputs.
func (r *Runtime) env(t reflect.Type, data json.RawMessage, sc Scope) (any, error) {
	v := reflect.New(t).Elem()
	set := func(name string, raw json.RawMessage) error {
		f := v.FieldByName(name)
		if !f.IsValid() || len(raw) == 0 || string(raw) == "null" {
			return nil
		}
		if err := json.Unmarshal(integralNumbers(raw), f.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", strconv.Quote(name), err)
		}
		return nil
	}
	if err := errors.Join(set("Vars", sc.Vars), set("Data", data)); err != nil {
		return nil, err
	}
	v.FieldByName("Client").Set(reflect.ValueOf(sc.Client))
	v.FieldByName("Process").Set(reflect.ValueOf(sc.Process))
	v.FieldByName("Now").Set(reflect.ValueOf(sc.Now))
	return v.Interface(), nil
}

func (r *Runtime) run(src string, envT reflect.Type, env any) (any, error) {
	prog, ok := r.progs[progKey(src, envT)]
	if !ok {
		return nil, fmt.Errorf("expression %q was not compiled", src)
	}
	return expr.Run(prog, env)
}

// integralNumbers rewrites numbers such as 5.0 or 5e0, which JSON Schema
// counts as integers, as 5, so they decode into the integer fields of an
// expression environment. Other input comes back unchanged.
func integralNumbers(raw json.RawMessage) json.RawMessage {
	if !bytes.ContainsAny(raw, ".eE") {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return raw
	}
	out, err := json.Marshal(integral(v))
	if err != nil {
		return raw
	}
	return out
}

func integral(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = integral(x)
		}
	case []any:
		for i, x := range v {
			v[i] = integral(x)
		}
	case json.Number:
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
	}
	return v
}
