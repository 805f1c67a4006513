package definitions

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed definition.schema.json
var dslSchemaJSON []byte

// SchemaJSON is the JSON Schema of the definition DSL, for editors and the API.
func SchemaJSON() []byte { return bytes.Clone(dslSchemaJSON) }

var dslSchema = func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(dslSchemaJSON))
	if err != nil {
		panic(fmt.Sprintf("definitions: embedded schema: %v", err))
	}
	c := jsonschema.NewCompiler()
	const url = "conveyor:definition.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		panic(fmt.Sprintf("definitions: embedded schema: %v", err))
	}
	return c.MustCompile(url)
}()

var printer = func() *message.Printer {
	for key, en := range schemaEnglish {
		_ = message.SetString(language.English, key, en)
	}
	return message.NewPrinter(language.English)
}()

// checkStructure validates the decoded document against the DSL schema and
// reports every failing leaf at the line and column of the value (or, for
// unknown keys, of the key itself).
func checkStructure(s *source) Problems {
	err := dslSchema.Validate(s.root)
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return nil
	}
	var out Problems
	for _, leaf := range leaves(verr) {
		out = append(out, schemaProblems(s, "", leaf)...)
	}
	return out
}

// leaves flattens the error tree: inner nodes mostly say "a $ref failed".
// A bad property name stays whole: its causes speak of the name as a value
// without saying which name. Where alternatives (anyOf) failed at one place,
// a wrong-type leaf is dropped when a more precise one stands beside it.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if _, ok := e.ErrorKind.(*kind.PropertyNames); ok || len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	if choice := choiceFailed(e); choice != nil {
		return []*jsonschema.ValidationError{choice}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	precise := map[string]bool{}
	for _, l := range out {
		if _, isType := l.ErrorKind.(*kind.Type); !isType {
			precise[pointer(l.InstanceLocation)] = true
		}
	}
	return slices.DeleteFunc(out, func(l *jsonschema.ValidationError) bool {
		_, isType := l.ErrorKind.(*kind.Type)
		return isType && precise[pointer(l.InstanceLocation)]
	})
}

// choiceFailed is a oneOf or anyOf of labelled choices ({const, title})
// that none matched, said as the enum it stands for ("value must be one
// of 'won', 'lost'"), rather than as one "value must be" per choice; nil
// for any other error.
func choiceFailed(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf:
		if k.Subschemas != nil {
			return nil // several matched: not a wrong choice
		}
	case *kind.AnyOf:
	default:
		return nil
	}
	if types := typesFailed(e); types != nil {
		return types
	}
	var got any
	want := make([]any, 0, len(e.Causes))
	for _, c := range e.Causes {
		k, ok := c.ErrorKind.(*kind.Const)
		if !ok || len(c.Causes) > 0 {
			return nil
		}
		got = k.Got
		want = append(want, k.Want)
	}
	return &jsonschema.ValidationError{SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation,
		ErrorKind: &kind.Enum{Got: got, Want: want}}
}

// typesFailed is alternatives of types that a value has none of (a text
// is a string or an object of languages), said as one wrong type.
func typesFailed(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	var want []string
	var got string
	for _, c := range e.Causes {
		k, ok := c.ErrorKind.(*kind.Type)
		if !ok || len(c.Causes) > 0 || !slices.Equal(c.InstanceLocation, e.InstanceLocation) {
			return nil
		}
		got, want = k.Got, append(want, k.Want...)
	}
	return &jsonschema.ValidationError{SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation,
		ErrorKind: &kind.Type{Got: got, Want: want}}
}

// schemaProblems turns one schema error into problems; base is the pointer of
// the checked value within the definition (a form schema is checked below it).
func schemaProblems(s *source, base string, e *jsonschema.ValidationError) Problems {
	ptr := base + pointer(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		var out Problems
		for _, name := range k.Properties {
			child := ptr + "/" + escapePointer(name)
			out = append(out, s.problem(s.keyAt(child), child, "unknown key %q", name))
		}
		return out
	case *kind.Required:
		var out Problems
		for _, name := range k.Missing {
			out = append(out, s.problem(s.at(ptr), ptr, "missing key %q", name))
		}
		return out
	case *kind.PropertyNames:
		child := s.keyNamed(ptr, k.Property)
		return Problems{s.problem(s.keyAt(child), child, "invalid name %q: use lower-case letters, digits and _ , starting with a letter", k.Property)}
	case *kind.Pattern:
		switch {
		case strings.Contains(e.SchemaURL, "nodeId"):
			return Problems{s.problem(s.at(ptr), ptr, "invalid id %q: use lower-case letters, digits and _ , starting with a letter", k.Got)}
		case ptr == "/id":
			return Problems{s.problem(s.at(ptr), ptr, "invalid id %q: use lower-case letters, digits and - , starting with a letter", k.Got)}
		}
	case *kind.Type:
		return Problems{s.problem(s.at(ptr), ptr, "%s must be %s, not %s", describe(ptr), strings.Join(k.Want, " or "), k.Got)}
	}
	p := s.problem(s.at(ptr), ptr, "%s: %s", describe(ptr), e.ErrorKind.LocalizedString(printer))
	p.Translations = map[string]string{"ru": describe(ptr) + ": " + e.ErrorKind.LocalizedString(russian)}
	return Problems{p}
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

// describe names a value for messages: its key, or "the definition".
func describe(ptr string) string {
	if ptr == "" {
		return "the definition"
	}
	return strings.TrimPrefix(ptr[strings.LastIndexByte(ptr, '/'):], "/")
}

// keyNamed finds the pointer of a key called name, expected in the object at
// ptr. jsonschema v6.0.3 can report a property-name error at a sibling's
// location, so when ptr holds no such key, the first such key in the
// document is taken.
func (s *source) keyNamed(ptr, name string) string {
	want := ptr + "/" + escapePointer(name)
	if _, ok := s.keys[want]; ok {
		return want
	}
	var found []string
	for k := range s.keys {
		if strings.HasSuffix(k, "/"+escapePointer(name)) {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		return want
	}
	return slices.MinFunc(found, func(a, b string) int {
		pa, pb := s.keys[a], s.keys[b]
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Column, pb.Column))
	})
}
