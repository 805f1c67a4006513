package definitions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/conveyorhq/conveyor/refusal"
)

// MaxDataBytes is the most JSON CheckData takes as a stage's completion
// data, and CheckVars as a process's variables. Expressions are checked for
// cost at publish time as if any string in them could be this long, so
// raising it lets published expressions cost more than their check allowed.
var MaxDataBytes = 64 << 10

// maxDataItems is the most elements an array, or members an object, may
// hold anywhere in completion data or variables: the cost check of
// expressions counts a list without maxItems as this long.
const maxDataItems = 1000

// FieldError is one reason data was refused; Path is a JSON pointer into the
// checked value. It is the refusal's own, so the fields cross every layer
// unchanged.
type FieldError = refusal.FieldError

// DataError lists why completion data or variables were refused.
type DataError []FieldError

func (e DataError) Error() string {
	if len(e) == 1 {
		return fmt.Sprintf("%s: %s", e[0].Path, e[0].Message)
	}
	return fmt.Sprintf("%s: %s (and %d more)", e[0].Path, e[0].Message, len(e)-1)
}

// CheckData checks a stage's completion data against its form, which takes
// no property it does not declare unless it says additionalProperties. A
// stage without a form takes any object or nothing.
func (r *Runtime) CheckData(stage string, data json.RawMessage) error {
	if _, ok := r.Plan.Stages[stage]; !ok {
		return fmt.Errorf("unknown stage %q", stage)
	}
	return checkAgainst(r.forms[stage], data)
}

// CheckVars checks the variables given at start.
func (r *Runtime) CheckVars(vars json.RawMessage) error { return checkAgainst(r.vars, vars) }

// CheckJSON checks a JSON body against schema as completion data is
// checked: within the same bounds, an object, every fault a DataError with
// its JSON path (and in Russian).
func CheckJSON(schema *jsonschema.Schema, raw json.RawMessage) error {
	return checkAgainst(schema, raw)
}

func checkAgainst(schema *jsonschema.Schema, raw json.RawMessage) error {
	if len(raw) > MaxDataBytes {
		return DataError{{Path: "", Message: fmt.Sprintf("%d bytes of JSON: at most %d are allowed", len(raw), MaxDataBytes)}}
	}
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
	if fe := outOfBounds(v, ""); len(fe) > 0 {
		return fe
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
		out = append(out, FieldError{Path: pointer(leaf.InstanceLocation), Message: leaf.ErrorKind.LocalizedString(printer),
			Translations: map[string]string{"ru": leaf.ErrorKind.LocalizedString(russian)}})
	}
	return out
}

// outOfBounds finds the arrays and objects in v, at ptr, that hold more
// than maxDataItems, and the numbers no float64 holds (1e400): JSON Schema
// takes any number, but expressions see numbers as float64, so a number
// beyond that range would pass the form and then fail every rule.
func outOfBounds(v any, ptr string) DataError {
	var out DataError
	over := func(n int) {
		if n > maxDataItems {
			out = append(out, FieldError{Path: ptr, Message: fmt.Sprintf("%d items: at most %d are allowed", n, maxDataItems),
				Translations: map[string]string{"ru": fmt.Sprintf("%d элементов: допускается не больше %d", n, maxDataItems)}})
		}
	}
	switch v := v.(type) {
	case json.Number:
		if f, err := v.Float64(); err != nil || math.IsInf(f, 0) {
			out = append(out, FieldError{Path: ptr, Message: "the number is too large",
				Translations: map[string]string{"ru": "слишком большое число"}})
		}
	case []any:
		over(len(v))
		for i, x := range v {
			out = append(out, outOfBounds(x, ptr+"/"+strconv.Itoa(i))...)
		}
	case map[string]any:
		over(len(v))
		for k, x := range v {
			out = append(out, outOfBounds(x, ptr+"/"+escapePointer(k))...)
		}
	}
	return out
}
