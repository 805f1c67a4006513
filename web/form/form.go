// Package form turns a stage's completion schema (the JSON Schema in a
// stage's `form`) into HTML form fields, and posted form values back into the
// JSON data object the API expects.
//
// It is pure: no HTTP, no templates. The schema stays the authority — the
// server validates completion data against it — so this package only decides
// which input shows each property and converts what the browser posts; it
// does not re-implement validation.
package form

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kinds of field: mostly the type attribute of an <input>; "select",
// "textarea" and "json" (a textarea taking a JSON value) name other elements.
const (
	KindSelect        = "select"
	KindDateTimeLocal = "datetime-local"
	KindDate          = "date"
	KindNumber        = "number"
	KindInteger       = "integer" // an <input type="number" step="1">
	KindCheckbox      = "checkbox"
	KindTextarea      = "textarea"
	KindText          = "text"
	KindJSON          = "json"
)

// textareaAbove is the maxLength above which a string gets a textarea.
const textareaAbove = 200

// Field is one input of a completion form: one top-level property of the
// stage's schema.
type Field struct {
	Name  string // the property name, also the input's name
	Label string // the schema's title, or the humanised name
	// Kind is one of the Kind constants: "select", "datetime-local", "date",
	// "number", "integer", "checkbox", "textarea", "text" or "json".
	Kind string
	// Required: listed in the schema's "required". Parse always gives a
	// checkbox a value, so a required checkbox needs no HTML required
	// attribute (which would force it checked).
	Required bool
	Options  []string // the choices of a select, as the option values
	// Labels are what the choices say, parallel to Options: the title of a
	// oneOf/anyOf choice ({const: won, title: Won}), else the humanised
	// value (call_back → "Call back").
	Labels []string
	// RequiredWhen lists when an optional field becomes required: the
	// form's if/then and dependentRequired, for the page to follow as the
	// user chooses (the data is checked against the schema in any case).
	RequiredWhen []When
	Min, Max     *float64 // bounds of a number or integer
	// Step is the input's step: "any" for numbers, "1" for integers, or the
	// schema's multipleOf.
	Step        string
	MaxLength   int    // maxLength of a string, 0 when none
	Pattern     string // pattern of a string, "" when none
	Description string // the schema's description
	Value       string // current value as the input shows it
	Error       string // why the value was refused, "" when it was not

	// enum holds the schema's enum values parallel to Options, so that Parse
	// gives back a number for a numeric choice.
	enum []any
}

// Fields lists the fields of an object schema, one per top-level property.
//
// JSON objects decoded in Go lose their key order, and plans store forms as
// such objects, so the order is decided here: required properties first, then
// the others, each group sorted by property name.
//
// The kind comes from the property's schema: enum (or const) → select;
// boolean → checkbox; number/integer → number/integer, with minimum/maximum
// as Min/Max; string with format date-time → datetime-local, format date →
// date, maxLength above 200 → textarea, otherwise text. Anything else
// (objects, arrays, untyped or mixed-type properties, boolean schemas) is
// "json": a textarea taking a JSON value.
//
// An empty or null schema (a stage without a form) has no fields.
func Fields(schema json.RawMessage) ([]Field, error) { return FieldsIn(schema, "") }

// FieldsIn is Fields with the labels in lang where the definition wrote
// them in several languages (x-titles, see definitions/text.go).
func FieldsIn(schema json.RawMessage, lang string) ([]Field, error) {
	if len(strings.TrimSpace(string(schema))) == 0 || string(schema) == "null" {
		return nil, nil
	}
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return nil, fmt.Errorf("form schema: %w", err)
	}
	if root == nil {
		return nil, nil
	}
	if t, ok := root["type"]; ok && t != "object" {
		return nil, fmt.Errorf("form schema: type is %v, not object", t)
	}
	props := map[string]any{}
	if p, ok := root["properties"]; ok {
		if props, ok = p.(map[string]any); !ok {
			return nil, errors.New("form schema: properties is not an object")
		}
	}
	required := map[string]bool{}
	if r, ok := root["required"]; ok {
		list, ok := r.([]any)
		if !ok {
			return nil, errors.New("form schema: required is not a list")
		}
		for _, n := range list {
			name, ok := n.(string)
			if !ok {
				return nil, errors.New("form schema: required lists a non-string")
			}
			required[name] = true
		}
	}

	when := conditions(root)
	fields := make([]Field, 0, len(props))
	for name, p := range props {
		f := field(name, p, lang)
		f.Required = required[name]
		if !f.Required {
			f.RequiredWhen = when[name]
		}
		fields = append(fields, f)
	}
	slices.SortFunc(fields, func(a, b Field) int {
		if a.Required != b.Required {
			if a.Required {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return fields, nil
}

// field describes one property; a non-object property schema is "json".
func field(name string, p any, lang string) Field {
	f := Field{Name: name, Label: Humanize(name), Kind: KindJSON}
	s, ok := p.(map[string]any)
	if !ok {
		return f
	}
	if t := titleIn(s, lang); strings.TrimSpace(t) != "" {
		f.Label = t
	}
	if d, ok := s["description"].(string); ok {
		f.Description = d
	}
	typ := schemaType(s["type"])
	if typ == "string" {
		if n, ok := s["maxLength"].(float64); ok && n >= 0 {
			f.MaxLength = int(n)
		}
		if p, ok := s["pattern"].(string); ok {
			f.Pattern = p
		}
	}

	enum, isEnum := s["enum"].([]any)
	if c, ok := s["const"]; ok && !isEnum {
		enum, isEnum = []any{c}, true
	}
	switch {
	case isEnum:
		f.Kind = KindSelect
		for _, v := range enum {
			if v == nil {
				continue // an empty choice stands for no value
			}
			f.Options = append(f.Options, optionText(v))
			f.Labels = append(f.Labels, choiceLabel(v, nil, lang))
			f.enum = append(f.enum, v)
		}
	case choices(s) != nil:
		f.Kind = KindSelect
		for _, c := range choices(s) {
			f.Options = append(f.Options, optionText(c["const"]))
			f.Labels = append(f.Labels, choiceLabel(c["const"], c, lang))
			f.enum = append(f.enum, c["const"])
		}
	case typ == "boolean":
		f.Kind = KindCheckbox
	case typ == "number" || typ == "integer":
		f.Kind = KindNumber
		f.Step = "any"
		if typ == "integer" {
			f.Kind = KindInteger
			f.Step = "1"
		}
		if m, ok := s["multipleOf"].(float64); ok && m > 0 {
			f.Step = strconv.FormatFloat(m, 'f', -1, 64)
		}
		f.Min = bound(s, "minimum", "exclusiveMinimum", typ == "integer", +1)
		f.Max = bound(s, "maximum", "exclusiveMaximum", typ == "integer", -1)
	case typ == "string":
		format, _ := s["format"].(string)
		switch {
		case format == "date-time":
			f.Kind = KindDateTimeLocal
		case format == "date":
			f.Kind = KindDate
		case f.MaxLength > textareaAbove:
			f.Kind = KindTextarea
		default:
			f.Kind = KindText
		}
	}
	return f
}

// schemaType is the one type a property allows ("null" aside), or "".
func schemaType(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		one := ""
		for _, x := range t {
			s, _ := x.(string)
			if s == "null" {
				continue
			}
			if one != "" {
				return "" // several types: no single input fits
			}
			one = s
		}
		return one
	}
	return ""
}

// bound reads an inclusive bound; an exclusive one becomes inclusive for
// integers (the next whole number inwards) and is left out for numbers, which
// have no inclusive equivalent. dir is +1 for a minimum, -1 for a maximum.
func bound(s map[string]any, inclusive, exclusive string, integer bool, dir float64) *float64 {
	var out *float64
	tighter := func(v float64) {
		if out == nil || (dir > 0 && v > *out) || (dir < 0 && v < *out) {
			out = &v
		}
	}
	if v, ok := s[inclusive].(float64); ok {
		if integer {
			v = roundInwards(v, dir)
		}
		tighter(v)
	}
	if v, ok := s[exclusive].(float64); ok && integer {
		if r := roundInwards(v, dir); r != v {
			tighter(r)
		} else {
			tighter(v + dir)
		}
	}
	return out
}

func roundInwards(v, dir float64) float64 {
	if dir > 0 {
		return math.Ceil(v)
	}
	return math.Floor(v)
}

// optionText is how a choice is written in an option value: a string as
// itself, anything else as JSON.
func optionText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Humanize turns a property name into a label: "callBackAt" and
// "call_back_at" become "Call back at", "customerID" becomes "Customer ID".
func Humanize(name string) string {
	words := splitWords(name)
	for i, w := range words {
		if isAcronym(w) {
			continue
		}
		w = strings.ToLower(w)
		if i == 0 {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			w = string(r)
		}
		words[i] = w
	}
	if len(words) == 0 {
		return name
	}
	return strings.Join(words, " ")
}

// splitWords splits at separators (_ - . space), lower-to-upper changes,
// letter/digit changes, and before the last capital of an acronym followed by
// a lower-case letter ("HTTPServer" → "HTTP", "Server").
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if r == '_' || r == '-' || r == '.' || unicode.IsSpace(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
				flush()
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush()
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

func isAcronym(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 1
}

// Layouts a datetime-local input posts: minutes by default, seconds (and a
// fraction) when its step asks for them.
var localLayouts = []string{dateTimeLayout, dateTimeLayout + ":05", "2.1.2006 15:04",
	"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"}

// The app's own formats of dates and times, in every language, as the
// pages show them: date and time inputs are text in these formats rather
// than the browser's pickers, which follow the browser's locale, not the
// app's language. The ISO forms the pickers send are still taken.
const (
	dateTimeLayout = "02.01.2006 15:04"
	dateLayout     = "02.01.2006"
)

// Messages of conversion errors.
const (
	msgNumber   = "must be a number"
	msgInteger  = "must be a whole number"
	msgDateTime = "must be a date and time"
	msgDate     = "must be a date"
	msgCheckbox = "must be checked or not"
	msgJSON     = "must be valid JSON"
	msgRequired = "required"
)

// Parse turns posted form values into the JSON data object of a completion,
// converting each field's input by its kind:
//
//   - an empty (or blank) input is omitted — for a required field too, so the
//     server reports it missing (WithErrors puts that beside the field);
//   - number and integer inputs become JSON numbers ("must be a number";
//     "must be a whole number" for an integer input given a fraction);
//   - a checkbox is true when posted as "on" (or another true value such as
//     "true", "1"), and false when absent; a hidden "false" input posted
//     before the checkbox is fine;
//   - a datetime-local input ("2026-11-28T10:30", no zone) is read in loc
//     (UTC when nil) and written as RFC 3339 in UTC; a value with a zone is
//     taken as it is;
//   - a date input must be YYYY-MM-DD;
//   - a select gives back the chosen enum value (a number stays a number);
//   - a json input must hold a JSON value;
//   - text and textarea inputs are strings, with the CRLF line ends browsers
//     post turned into LF.
//
// Posted names that are not fields (a CSRF token, the button) are ignored.
// The errors map field names to messages, and is nil when every value was
// converted; the data then holds the fields that were.
func Parse(fields []Field, values url.Values, loc *time.Location) (json.RawMessage, map[string]string) {
	if loc == nil {
		loc = time.UTC
	}
	data := map[string]any{}
	var errs map[string]string
	fail := func(name, msg string) {
		if errs == nil {
			errs = map[string]string{}
		}
		errs[name] = msg
	}
	for _, f := range fields {
		if f.Kind == KindCheckbox {
			on, ok := checked(values[f.Name])
			if !ok {
				fail(f.Name, msgCheckbox)
				continue
			}
			data[f.Name] = on
			continue
		}
		raw := values.Get(f.Name)
		if strings.TrimSpace(raw) == "" {
			continue
		}
		v, msg := convert(f, raw, loc)
		if msg != "" {
			fail(f.Name, msg)
			continue
		}
		data[f.Name] = v
	}
	out, err := json.Marshal(data)
	if err != nil { // cannot happen: every value is JSON already
		panic(err)
	}
	return out, errs
}

// checked reads a checkbox: absent or unchecked is false; any posted value
// that means true (a browser posts "on") makes it true.
func checked(posted []string) (on, ok bool) {
	for _, v := range posted {
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case "on", "yes":
			on = true
		case "", "off", "no":
		default:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return false, false
			}
			on = on || b
		}
	}
	return on, true
}

// convert reads one non-empty input; it returns a message when it cannot.
func convert(f Field, raw string, loc *time.Location) (any, string) {
	trimmed := strings.TrimSpace(raw)
	switch f.Kind {
	case KindNumber:
		n, err := strconv.ParseFloat(trimmed, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, msgNumber
		}
		return n, ""
	case KindInteger:
		if i, err := strconv.ParseInt(trimmed, 10, 64); err == nil {
			return i, ""
		}
		n, err := strconv.ParseFloat(trimmed, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, msgNumber
		}
		if n != math.Trunc(n) {
			return nil, msgInteger
		}
		return n, ""
	case KindDateTimeLocal:
		for _, layout := range localLayouts {
			if t, err := time.ParseInLocation(layout, trimmed, loc); err == nil {
				return t.UTC().Format(time.RFC3339Nano), ""
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, trimmed); err == nil {
			return t.UTC().Format(time.RFC3339Nano), ""
		}
		return nil, msgDateTime
	case KindDate:
		for _, layout := range []string{dateLayout, "2.1.2006", time.DateOnly} {
			if t, err := time.Parse(layout, trimmed); err == nil {
				return t.Format(time.DateOnly), ""
			}
		}
		return nil, msgDate
	case KindSelect:
		for i, o := range f.Options {
			if o == raw && i < len(f.enum) {
				return f.enum[i], ""
			}
		}
		return raw, "" // not a choice: the server says so
	case KindJSON:
		var v any
		if err := json.Unmarshal([]byte(trimmed), &v); err != nil {
			return nil, msgJSON
		}
		return json.RawMessage(trimmed), ""
	default: // text, textarea
		return strings.ReplaceAll(raw, "\r\n", "\n"), ""
	}
}

// WithErrors returns a copy of fields to re-render a refused form: Value from
// the posted values (when values is not nil; an absent checkbox is
// unchecked), and Error from errs.
//
// Keys of errs may be field names (as Parse gives them) or JSON pointers as
// the API gives them, into the completion request ("/data/result") or into
// the data ("/result"). A pointer below a field ("/data/items/0") marks the
// field, with the rest of the pointer before the message. A "missing
// property" error at the data itself marks each missing field "required".
// Several errors on one field are joined with "; ". Errors that fit no field
// are left out: Unplaced lists them.
func WithErrors(fields []Field, values url.Values, errs map[string]string) []Field {
	out := slices.Clone(fields)
	byName := map[string]int{}
	for i := range out {
		byName[out[i].Name] = i
		out[i].Error = ""
		if values == nil {
			continue
		}
		if out[i].Kind == KindCheckbox {
			out[i].Value = ""
			if on, _ := checked(values[out[i].Name]); on {
				out[i].Value = "on"
			}
			continue
		}
		out[i].Value = values.Get(out[i].Name)
	}
	msgs := map[int][]string{}
	for _, key := range sortedKeys(errs) {
		for _, p := range place(byName, key, errs[key]) {
			msgs[p.field] = append(msgs[p.field], p.msg)
		}
	}
	for i, m := range msgs {
		out[i].Error = strings.Join(m, "; ")
	}
	return out
}

// Unplaced lists, in key order, the messages of errs that WithErrors cannot
// put beside any of fields, so a page can show them above the form.
func Unplaced(fields []Field, errs map[string]string) []string {
	byName := map[string]int{}
	for i, f := range fields {
		byName[f.Name] = i
	}
	var out []string
	for _, key := range sortedKeys(errs) {
		if place(byName, key, errs[key]) == nil {
			out = append(out, errs[key])
		}
	}
	return out
}

type placed struct {
	field int
	msg   string
}

// place finds the fields an error belongs to, if any.
func place(byName map[string]int, key, msg string) []placed {
	if !strings.HasPrefix(key, "/") {
		if i, ok := byName[key]; ok {
			return []placed{{i, msg}}
		}
		if key != "" {
			return nil
		}
	}
	tokens := pointerTokens(key)
	// A pointer into the request ("/data/...") is tried first, then one into
	// the data itself.
	tries := [][]string{tokens}
	if len(tokens) > 0 && tokens[0] == "data" {
		tries = [][]string{tokens[1:], tokens}
	}
	for _, t := range tries {
		if len(t) == 0 {
			if p := placeMissing(byName, msg); p != nil {
				return p
			}
			continue
		}
		i, ok := byName[t[0]]
		if !ok {
			continue
		}
		if len(t) > 1 {
			var rest strings.Builder
			for _, tok := range t[1:] {
				rest.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
			}
			msg = rest.String() + ": " + msg
		}
		return []placed{{i, msg}}
	}
	return nil
}

func pointerTokens(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

// missing matches the message of a failed "required" (jsonschema's, in
// English): missing property 'a' / missing properties 'a', 'b'.
var (
	missing = regexp.MustCompile(`^missing propert(?:y|ies) ('.*')$`)
	quoted  = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)
)

func placeMissing(byName map[string]int, msg string) []placed {
	m := missing.FindStringSubmatch(msg)
	if m == nil {
		return nil
	}
	var out []placed
	for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
		name := strings.ReplaceAll(q[1], `\'`, `'`)
		if u, err := strconv.Unquote(`"` + strings.ReplaceAll(name, `"`, `\"`) + `"`); err == nil {
			name = u
		}
		i, ok := byName[name]
		if !ok {
			return nil // the message names a field the form lacks: keep it whole
		}
		out = append(out, placed{i, msgRequired})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ValueForInput writes a value of existing data (as decoded from JSON: a
// string, float64, json.Number, bool, nil, map or slice) as f's input shows
// it: an RFC 3339 time as datetime-local in loc (UTC when nil), a number
// without exponent, true as "on" for a checkbox, a choice as its option, and
// anything for a json field as indented JSON. Nil is "". A value that does
// not fit the kind is shown as its text, or its JSON.
func ValueForInput(f Field, v any, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	if v == nil {
		return ""
	}
	switch f.Kind {
	case KindDateTimeLocal:
		s, ok := v.(string)
		if !ok {
			break
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		t = t.In(loc)
		if t.Second() != 0 || t.Nanosecond() != 0 {
			return t.Format(dateTimeLayout + ":05")
		}
		return t.Format(dateTimeLayout)
	case KindDate:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				return t.Format(dateLayout)
			}
			return s
		}
	case KindNumber, KindInteger:
		switch n := v.(type) {
		case float64:
			return strconv.FormatFloat(n, 'f', -1, 64)
		case json.Number:
			if x, err := n.Float64(); err == nil && strings.ContainsAny(string(n), "eE") {
				return strconv.FormatFloat(x, 'f', -1, 64)
			}
			return string(n)
		}
	case KindCheckbox:
		if b, ok := v.(bool); ok {
			if b {
				return "on"
			}
			return ""
		}
	case KindJSON:
		var buf bytes.Buffer
		if raw, ok := v.(json.RawMessage); ok {
			if json.Indent(&buf, raw, "", "  ") == nil {
				return buf.String()
			}
			return string(raw)
		}
		if b, err := json.MarshalIndent(v, "", "  "); err == nil {
			return string(b)
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	return optionText(v)
}
