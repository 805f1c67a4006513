package definitions

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/expr-lang/expr/types"
)

// Client is what expressions see as `client`: the client a process is about.
type Client struct {
	ID            string   `expr:"id" json:"id"`
	Name          string   `expr:"name" json:"name"`
	Owner         string   `expr:"owner" json:"owner"`
	Segments      []string `expr:"segments" json:"segments"`
	ProductGroups []string `expr:"productGroups" json:"productGroups"`
}

// Process is what expressions see as `process`.
type Process struct {
	ID          string    `expr:"id" json:"id"`
	Definition  string    `expr:"definition" json:"definition"`
	Version     int       `expr:"version" json:"version"`
	BusinessKey string    `expr:"businessKey" json:"businessKey"`
	StartedAt   time.Time `expr:"startedAt" json:"startedAt"`
	Stage       string    `expr:"stage" json:"stage"`
	Assignee    string    `expr:"assignee" json:"assignee"`
}

var (
	timeType = reflect.TypeFor[time.Time]()
	anyType  = reflect.TypeFor[any]()

	exprTime    = types.TypeOf(time.Time{})
	clientType  = fieldsType(reflect.TypeFor[Client]())
	processType = fieldsType(reflect.TypeFor[Process]())
)

// envType describes an expression's environment to expr's checker: `data`
// typed from the completed stage's form (absent where no completion is at
// hand), `vars` from the variables schema, and `client`, `process`, `now`.
// Typing them lets the checker reject `data.x` for an x the form lacks and a
// number compared with a string, before anything runs.
//
// The description is a value of expr's types package, not a Go struct type
// made with reflect.StructOf: Go never frees those, and every definition
// with new property names would make more, so dry runs could grow the
// server's memory without end. At run time env fills maps of this shape.
func envType(form, vars map[string]any, withData bool) types.Map {
	env := types.Map{
		"vars":    schemaType(vars),
		"client":  clientType,
		"process": processType,
		"now":     exprTime,
	}
	if withData {
		env["data"] = schemaType(form)
	}
	return env
}

// exprEnv is what an expression is compiled against: the types of its
// names for the checker, and the schemas that bound their sizes for the
// cost check (exprcost.go).
type exprEnv struct {
	types      types.Map
	form, vars map[string]any
	withData   bool
}

func newExprEnv(form, vars map[string]any, withData bool) exprEnv {
	return exprEnv{types: envType(form, vars, withData), form: form, vars: vars, withData: withData}
}

var (
	textSchema    = map[string]any{"type": "string"}
	strList       = map[string]any{"type": "array", "items": textSchema}
	emptyObject   = map[string]any{"type": "object", "maxProperties": 0}
	clientSchema  = map[string]any{"type": "object", "properties": map[string]any{"id": textSchema, "name": textSchema, "owner": textSchema, "segments": strList, "productGroups": strList}}
	processSchema = map[string]any{"type": "object", "properties": map[string]any{
		"id": textSchema, "definition": textSchema, "version": map[string]any{"type": "integer"}, "businessKey": textSchema,
		"startedAt": map[string]any{"type": "string", "format": "date-time"}, "stage": textSchema, "assignee": textSchema,
	}}
)

// roots bounds the names an expression starts from. Each is at most
// MaxDataBytes: CheckData and CheckVars hold data and variables to it, and
// the runtime refuses a client or process that is bigger.
func (env exprEnv) roots() map[string]est {
	limit := float64(MaxDataBytes)
	props := map[string]any{"vars": orEmpty(env.vars), "client": clientSchema, "process": processSchema,
		"now": map[string]any{"type": "string", "format": "date-time"}}
	if env.withData {
		props["data"] = orEmpty(env.form)
	}
	roots := map[string]est{"$env": fromSchema(map[string]any{"type": "object", "properties": props}, float64(len(props))*limit)}
	for name, schema := range props {
		roots[name] = fromSchema(schema.(map[string]any), limit)
	}
	return roots
}

func orEmpty(schema map[string]any) map[string]any {
	if schema == nil {
		return emptyObject
	}
	return schema
}

// schemaType maps a JSON Schema to the type its instances have in
// expressions. Anything the mapping cannot pin down (no type, several
// types, $ref, combinators) is `any`, which expr checks loosely. No schema
// (a stage without a form, no variables) is an object without fields.
func schemaType(schema map[string]any) types.Type {
	if schema == nil {
		return types.Map{}
	}
	t, _ := schema["type"].(string)
	switch t {
	case "string":
		if schema["format"] == "date-time" {
			return exprTime
		}
		return types.String
	case "integer":
		return types.Int64
	case "number":
		return types.Float64
	case "boolean":
		return types.Bool
	case "array":
		items, _ := schema["items"].(map[string]any)
		if items == nil {
			return types.TypeOf([]any{})
		}
		return types.Array(schemaType(items))
	case "object":
		props, _ := schema["properties"].(map[string]any)
		if len(props) == 0 {
			return types.TypeOf(map[string]any{})
		}
		m := make(types.Map, len(props))
		for name, sub := range props {
			sub, _ := sub.(map[string]any)
			m[name] = schemaType(sub)
		}
		return m
	}
	return types.Any
}

// fieldsType describes a struct of this package by its expr tags.
func fieldsType(t reflect.Type) types.Map {
	m := types.Map{}
	for i := range t.NumField() {
		f := t.Field(i)
		m[f.Tag.Get("expr")] = types.TypeOf(reflect.Zero(f.Type).Interface())
	}
	return m
}

// fieldsValue is v, a struct of this package, as the map fieldsType
// describes.
func fieldsValue(v any) map[string]any {
	rv := reflect.ValueOf(v)
	m := make(map[string]any, rv.NumField())
	for i := range rv.NumField() {
		m[rv.Type().Field(i).Tag.Get("expr")] = rv.Field(i).Interface()
	}
	return m
}

// conform turns a JSON value (decoded with UseNumber) into what schemaType
// says expressions see: integers as int64 (5.0 too, which JSON Schema counts
// as an integer), numbers as float64, date-times as time.Time, and objects
// with every declared property, absent ones as their zero value, as Go
// structs decoded from JSON used to be. ptr names the value in errors.
func conform(schema map[string]any, v any, ptr string) (any, error) {
	if schema == nil {
		return map[string]any{}, nil
	}
	wrong := func(want string) error {
		return fmt.Errorf("%s: %s is not %s", ptr, jsonKind(v), want)
	}
	t, _ := schema["type"].(string)
	switch t {
	case "string":
		s, ok := v.(string)
		if !ok && v != nil {
			return nil, wrong("a string")
		}
		if schema["format"] != "date-time" {
			return s, nil
		}
		if s == "" {
			return time.Time{}, nil
		}
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, wrong("a date-time")
		}
		return ts, nil
	case "integer", "number":
		if v == nil {
			if t == "integer" {
				return int64(0), nil
			}
			return 0.0, nil
		}
		n, ok := v.(json.Number)
		if !ok {
			return nil, wrong("a number")
		}
		f, err := n.Float64()
		if err != nil {
			return nil, wrong("a number")
		}
		if t == "number" {
			return f, nil
		}
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
		if f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
			return nil, wrong("an integer")
		}
		return int64(f), nil
	case "boolean":
		b, ok := v.(bool)
		if !ok && v != nil {
			return nil, wrong("true or false")
		}
		return b, nil
	case "array":
		if v == nil {
			return []any{}, nil
		}
		list, ok := v.([]any)
		if !ok {
			return nil, wrong("an array")
		}
		items, _ := schema["items"].(map[string]any)
		out := make([]any, len(list))
		for i, item := range list {
			var err error
			if items == nil {
				out[i] = loose(item)
			} else if out[i], err = conform(items, item, ptr+"/"+strconv.Itoa(i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	case "object":
		obj, ok := v.(map[string]any)
		if !ok && v != nil {
			return nil, wrong("an object")
		}
		props, _ := schema["properties"].(map[string]any)
		if len(props) == 0 {
			if obj == nil {
				return map[string]any{}, nil
			}
			return loose(obj), nil
		}
		out := make(map[string]any, len(props))
		for name, sub := range props {
			sub, _ := sub.(map[string]any)
			if sub == nil {
				out[name] = loose(obj[name])
				continue
			}
			var err error
			if out[name], err = conform(sub, obj[name], ptr+"/"+escapePointer(name)); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return loose(v), nil
}

// loose is a JSON value as expressions see an untyped one: numbers as
// float64, as encoding/json decodes them into `any`.
func loose(v any) any {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = loose(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = loose(x)
		}
		return out
	}
	return v
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
