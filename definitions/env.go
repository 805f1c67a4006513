package definitions

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
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
	timeType    = reflect.TypeFor[time.Time]()
	anyType     = reflect.TypeFor[any]()
	clientType  = reflect.TypeFor[Client]()
	processType = reflect.TypeFor[Process]()
)

// envType is the Go type of an expression's environment: `data` typed from
// the completed stage's form (absent where no completion is at hand), `vars`
// from the variables schema, and `client`, `process`, `now`. Building real
// struct types lets expr's checker reject `data.x` for an x the form lacks and
// a number compared with a string, before anything runs. The runtime fills a
// value of the same type by decoding JSON into it.
func envType(form, vars map[string]any, withData bool) reflect.Type {
	fields := []reflect.StructField{
		{Name: "Vars", Type: schemaType(vars), Tag: `expr:"vars" json:"vars"`},
		{Name: "Client", Type: clientType, Tag: `expr:"client" json:"client"`},
		{Name: "Process", Type: processType, Tag: `expr:"process" json:"process"`},
		{Name: "Now", Type: timeType, Tag: `expr:"now" json:"now"`},
	}
	if withData {
		fields = append(fields, reflect.StructField{Name: "Data", Type: schemaType(form), Tag: `expr:"data" json:"data"`})
	}
	return reflect.StructOf(fields)
}

// schemaType maps a JSON Schema to the Go type its instances decode into.
// Anything the mapping cannot pin down (no type, several types, $ref,
// combinators) becomes `any`, which expr checks loosely.
func schemaType(schema map[string]any) reflect.Type {
	if schema == nil {
		return reflect.TypeFor[struct{}]()
	}
	t, _ := schema["type"].(string)
	switch t {
	case "string":
		if schema["format"] == "date-time" {
			return timeType
		}
		return reflect.TypeFor[string]()
	case "integer":
		return reflect.TypeFor[int64]()
	case "number":
		return reflect.TypeFor[float64]()
	case "boolean":
		return reflect.TypeFor[bool]()
	case "array":
		items, _ := schema["items"].(map[string]any)
		if items == nil {
			return reflect.TypeFor[[]any]()
		}
		return reflect.SliceOf(schemaType(items))
	case "object":
		props, _ := schema["properties"].(map[string]any)
		if len(props) == 0 {
			return reflect.TypeFor[map[string]any]()
		}
		return objectType(props)
	}
	return anyType
}

func objectType(props map[string]any) reflect.Type {
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names) // the same schema must always give the same type
	fields := make([]reflect.StructField, 0, len(names))
	for i, name := range names {
		if !validTag(name) {
			continue // not reachable as data.name in expr anyway
		}
		sub, _ := props[name].(map[string]any)
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("F%d", i),
			Type: schemaType(sub),
			Tag:  reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, name, name)),
		})
	}
	return reflect.StructOf(fields)
}

// validTag says whether a property name can be an identifier in expr and a
// struct tag value.
func validTag(name string) bool {
	if name == "" || strings.ContainsAny(name, "\"`\\ ,") {
		return false
	}
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}
