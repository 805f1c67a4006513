package form

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests load zones whatever the machine has

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

// salesPlan compiles the example sales conveyor, whose stage forms are the
// real thing.
func salesPlan(t *testing.T) *definitions.Plan {
	t.Helper()
	src, err := os.ReadFile("../../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	p, err := definitions.Compile(src)
	require.NoError(t, err)
	return p
}

func salesForm(t *testing.T, stage string) json.RawMessage {
	t.Helper()
	st, ok := salesPlan(t).Stages[stage]
	require.True(t, ok, "stage %s", stage)
	return st.Form
}

// everyKind is a form with a property of each kind.
const everyKind = `{
	"type": "object",
	"required": ["outcome", "visitedAt"],
	"properties": {
		"outcome": {"type": "string", "enum": ["met", "missed"], "title": "How did it go?"},
		"visitedAt": {"type": "string", "format": "date-time", "description": "When you were there"},
		"contractDate": {"type": "string", "format": "date"},
		"discount": {"type": "number", "minimum": 0, "maximum": 100},
		"seats": {"type": "integer", "exclusiveMinimum": 0, "maximum": 500},
		"signed": {"type": "boolean"},
		"report": {"type": "string", "maxLength": 2000},
		"phone": {"type": "string", "maxLength": 20, "pattern": "^[0-9+ ]+$"},
		"priority": {"type": "integer", "enum": [1, 2, 3]},
		"address": {"type": "object", "properties": {"city": {"type": "string"}}},
		"tags": {"type": "array", "items": {"type": "string"}}
	}
}`

func ptr(f float64) *float64 { return &f }

func fieldsOf(t *testing.T, schema string) []Field {
	t.Helper()
	fs, err := Fields(json.RawMessage(schema))
	require.NoError(t, err)
	return fs
}

func byName(fs []Field, name string) Field {
	for _, f := range fs {
		if f.Name == name {
			return f
		}
	}
	return Field{}
}

func TestFields(t *testing.T) {
	plan := salesPlan(t)
	tests := []struct {
		name   string
		schema json.RawMessage
		want   []Field
	}{
		{
			name:   "the cold call form puts the required result first as a select of labelled choices, then the call back time (required for a call back) and a long note",
			schema: plan.Stages["cold_call"].Form,
			want: []Field{
				{Name: "result", Label: "Result", Kind: "select", Required: true, Options: []string{"interested", "call_back", "refused"},
					Labels: []string{"Interested", "Call back later", "Refused"}, enum: []any{"interested", "call_back", "refused"}},
				{Name: "callBackAt", Label: "Call back at", Kind: "datetime-local", RequiredWhen: []When{{Field: "result", Value: "call_back"}}},
				{Name: "note", Label: "Note", Kind: "textarea", MaxLength: 2000},
			},
		},
		{
			name:   "the deal form has an amount with a minimum of zero, required for a won deal, and a next step time, required for a next step",
			schema: plan.Stages["deal"].Form,
			want: []Field{
				{Name: "result", Label: "Result", Kind: "select", Required: true, Options: []string{"next_step", "won", "lost"},
					Labels: []string{"Next step", "Won", "Lost"}, enum: []any{"next_step", "won", "lost"}},
				{Name: "amount", Label: "Amount", Kind: "number", Min: ptr(0), Step: "any", RequiredWhen: []When{{Field: "result", Value: "won"}}},
				{Name: "nextStepAt", Label: "Next step at", Kind: "datetime-local", RequiredWhen: []When{{Field: "result", Value: "next_step"}}},
			},
		},
		{
			name:   "the service form has a single choice",
			schema: plan.Stages["service"].Form,
			want: []Field{
				{Name: "result", Label: "Result", Kind: "select", Required: true, Options: []string{"done"}, Labels: []string{"Service set up"}, enum: []any{"done"}},
			},
		},
		{
			name:   "a form with every kind of property orders required fields first, then the rest by name",
			schema: json.RawMessage(everyKind),
			want: []Field{
				{Name: "outcome", Label: "How did it go?", Kind: "select", Required: true, Options: []string{"met", "missed"}, Labels: []string{"Met", "Missed"}, enum: []any{"met", "missed"}},
				{Name: "visitedAt", Label: "Visited at", Kind: "datetime-local", Required: true, Description: "When you were there"},
				{Name: "address", Label: "Address", Kind: "json"},
				{Name: "contractDate", Label: "Contract date", Kind: "date"},
				{Name: "discount", Label: "Discount", Kind: "number", Min: ptr(0), Max: ptr(100), Step: "any"},
				{Name: "phone", Label: "Phone", Kind: "text", MaxLength: 20, Pattern: "^[0-9+ ]+$"},
				{Name: "priority", Label: "Priority", Kind: "select", Options: []string{"1", "2", "3"}, Labels: []string{"1", "2", "3"}, enum: []any{1.0, 2.0, 3.0}},
				{Name: "report", Label: "Report", Kind: "textarea", MaxLength: 2000},
				{Name: "seats", Label: "Seats", Kind: "integer", Min: ptr(1), Max: ptr(500), Step: "1"},
				{Name: "signed", Label: "Signed", Kind: "checkbox"},
				{Name: "tags", Label: "Tags", Kind: "json"},
			},
		},
		{
			name: "a string of at most 200 characters stays a text input and one of 201 becomes a textarea",
			schema: json.RawMessage(`{"type": "object", "properties": {
				"short": {"type": "string", "maxLength": 200}, "long": {"type": "string", "maxLength": 201}, "free": {"type": "string"}}}`),
			want: []Field{
				{Name: "free", Label: "Free", Kind: "text"},
				{Name: "long", Label: "Long", Kind: "textarea", MaxLength: 201},
				{Name: "short", Label: "Short", Kind: "text", MaxLength: 200},
			},
		},
		{
			name: "a nullable type counts as its other type, and a const is a select of one",
			schema: json.RawMessage(`{"type": "object", "properties": {
				"count": {"type": ["integer", "null"], "multipleOf": 5}, "kind": {"const": "visit"}}}`),
			want: []Field{
				{Name: "count", Label: "Count", Kind: "integer", Step: "5"},
				{Name: "kind", Label: "Kind", Kind: "select", Options: []string{"visit"}, Labels: []string{"Visit"}, enum: []any{"visit"}},
			},
		},
		{
			name: "untyped, mixed-type and boolean property schemas take JSON",
			schema: json.RawMessage(`{"type": "object", "properties": {
				"any": {}, "either": {"type": ["string", "number"]}, "yes": true}}`),
			want: []Field{
				{Name: "any", Label: "Any", Kind: "json"},
				{Name: "either", Label: "Either", Kind: "json"},
				{Name: "yes", Label: "Yes", Kind: "json"},
			},
		},
		{
			name:   "an object schema without properties has no fields",
			schema: json.RawMessage(`{"type": "object"}`),
			want:   []Field{},
		},
		{
			name:   "a stage without a form has no fields",
			schema: nil,
			want:   nil,
		},
		{
			name:   "a null form has no fields",
			schema: json.RawMessage(`null`),
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Fields(tt.schema)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFieldsAreInTheSameOrderEveryTime(t *testing.T) {
	first := fieldsOf(t, everyKind)
	for range 20 {
		assert.Equal(t, first, fieldsOf(t, everyKind))
	}
}

func TestFieldsRefuses(t *testing.T) {
	tests := []struct {
		name   string
		schema string
	}{
		{"a schema that is not JSON", `{"type": `},
		{"a schema of something other than an object", `{"type": "array"}`},
		{"a schema that is a list", `[1, 2]`},
		{"properties that are not an object", `{"type": "object", "properties": [1]}`},
		{"required that is not a list", `{"type": "object", "required": "result"}`},
		{"required that lists a number", `{"type": "object", "required": [1]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fields(json.RawMessage(tt.schema))
			assert.Error(t, err)
		})
	}
}

func TestHumanize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"camel case becomes words", "callBackAt", "Call back at"},
		{"snake case becomes words", "next_step_at", "Next step at"},
		{"a single word is capitalised", "result", "Result"},
		{"an acronym keeps its capitals", "customerID", "Customer ID"},
		{"an acronym before a word is split from it", "HTTPServer", "HTTP server"},
		{"digits are a word of their own", "address2", "Address 2"},
		{"kebab case becomes words", "due-date", "Due date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Humanize(tt.in))
		})
	}
}

func TestParse(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	cold := salesForm(t, "cold_call")
	deal := salesForm(t, "deal")

	tests := []struct {
		name     string
		schema   json.RawMessage
		values   url.Values
		loc      *time.Location
		wantData string
		wantErrs map[string]string
	}{
		{
			name:     "a cold call marked interested gives only the result, empty optional inputs omitted",
			schema:   cold,
			values:   url.Values{"result": {"interested"}, "callBackAt": {""}, "note": {"  "}},
			wantData: `{"result": "interested"}`,
		},
		{
			name:     "a call back time typed in Moscow is sent as RFC 3339 in UTC",
			schema:   cold,
			values:   url.Values{"result": {"call_back"}, "callBackAt": {"2026-11-28T10:30"}},
			loc:      moscow,
			wantData: `{"result": "call_back", "callBackAt": "2026-11-28T07:30:00Z"}`,
		},
		{
			name:     "a time typed in New York in summer takes daylight saving into account",
			schema:   cold,
			values:   url.Values{"result": {"call_back"}, "callBackAt": {"2026-07-01T09:00"}},
			loc:      newYork,
			wantData: `{"result": "call_back", "callBackAt": "2026-07-01T13:00:00Z"}`,
		},
		{
			name:     "a time with seconds is read too, and no location means UTC",
			schema:   cold,
			values:   url.Values{"result": {"call_back"}, "callBackAt": {"2026-11-28T10:30:15"}},
			wantData: `{"result": "call_back", "callBackAt": "2026-11-28T10:30:15Z"}`,
		},
		{
			name:     "a time that already has a zone is kept as that instant",
			schema:   cold,
			values:   url.Values{"result": {"call_back"}, "callBackAt": {"2026-11-28T10:30:00+02:00"}},
			loc:      moscow,
			wantData: `{"result": "call_back", "callBackAt": "2026-11-28T08:30:00Z"}`,
		},
		{
			name:     "a time that is not one is refused",
			schema:   cold,
			values:   url.Values{"result": {"call_back"}, "callBackAt": {"tomorrow"}},
			wantData: `{"result": "call_back"}`,
			wantErrs: map[string]string{"callBackAt": "must be a date and time"},
		},
		{
			name:     "a note keeps its text, with the browser's CRLF line ends made LF",
			schema:   cold,
			values:   url.Values{"result": {"refused"}, "note": {" Not now.\r\nMaybe in spring. "}},
			wantData: `{"result": "refused", "note": " Not now.\nMaybe in spring. "}`,
		},
		{
			name:     "an empty required input is omitted so that the server reports it missing",
			schema:   cold,
			values:   url.Values{"result": {""}},
			wantData: `{}`,
		},
		{
			name:     "a choice outside the options is sent as typed for the server to refuse",
			schema:   cold,
			values:   url.Values{"result": {"perhaps"}},
			wantData: `{"result": "perhaps"}`,
		},
		{
			name:     "posted names that are not fields are ignored",
			schema:   cold,
			values:   url.Values{"result": {"interested"}, "csrf": {"x"}, "submit": {"Complete"}},
			wantData: `{"result": "interested"}`,
		},
		{
			name:     "a won deal's amount is a number",
			schema:   deal,
			values:   url.Values{"result": {"won"}, "amount": {"12500.50"}},
			wantData: `{"result": "won", "amount": 12500.5}`,
		},
		{
			name:     "an amount in exponent notation is a number too",
			schema:   deal,
			values:   url.Values{"result": {"won"}, "amount": {"1e3"}},
			wantData: `{"result": "won", "amount": 1000}`,
		},
		{
			name:     "an amount that is not a number is refused",
			schema:   deal,
			values:   url.Values{"result": {"won"}, "amount": {"a lot"}},
			wantData: `{"result": "won"}`,
			wantErrs: map[string]string{"amount": "must be a number"},
		},
		{
			name:     "an amount of NaN or infinity is refused",
			schema:   deal,
			values:   url.Values{"result": {"won"}, "amount": {"NaN"}, "nextStepAt": {"Inf"}},
			wantData: `{"result": "won"}`,
			wantErrs: map[string]string{"amount": "must be a number", "nextStepAt": "must be a date and time"},
		},
		{
			name:     "an integer is a whole number",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"seats": {"12"}, "priority": {"2"}},
			wantData: `{"seats": 12, "priority": 2, "signed": false}`,
		},
		{
			name:     "an integer written with a zero fraction is still whole",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"seats": {"12.0"}},
			wantData: `{"seats": 12, "signed": false}`,
		},
		{
			name:     "an integer with a fraction or letters is refused",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"seats": {"2.5"}, "discount": {"ten"}},
			wantData: `{"signed": false}`,
			wantErrs: map[string]string{"seats": "must be a whole number", "discount": "must be a number"},
		},
		{
			name:     "a checked checkbox is true",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"signed": {"on"}},
			wantData: `{"signed": true}`,
		},
		{
			name:     "a checkbox checked after a hidden false input is true",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"signed": {"false", "on"}},
			wantData: `{"signed": true}`,
		},
		{
			name:     "a checkbox with a meaningless value is refused",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"signed": {"maybe"}},
			wantData: `{}`,
			wantErrs: map[string]string{"signed": "must be checked or not"},
		},
		{
			name:     "a date is passed on as it is",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"contractDate": {"2026-12-01"}},
			wantData: `{"contractDate": "2026-12-01", "signed": false}`,
		},
		{
			name:     "a date that is not one is refused",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"contractDate": {"31.02.2026"}},
			wantData: `{"signed": false}`,
			wantErrs: map[string]string{"contractDate": "must be a date"},
		},
		{
			name:     "a date and a time are typed as the app writes them, in the UI's zone, or as ISO",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"contractDate": {"01.12.2026"}, "visitedAt": {"02.12.2026 13:30"}, "outcome": {"met"}},
			wantData: `{"contractDate": "2026-12-01", "visitedAt": "2026-12-02T13:30:00Z", "outcome": "met", "signed": false}`,
		},
		{
			name:     "JSON inputs become JSON values",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"address": {"{\n  \"city\": \"Kazan\"\n}"}, "tags": {`["vip"]`}},
			wantData: `{"address": {"city": "Kazan"}, "tags": ["vip"], "signed": false}`,
		},
		{
			name:     "a JSON input that is not JSON is refused",
			schema:   json.RawMessage(everyKind),
			values:   url.Values{"tags": {`["vip"`}},
			wantData: `{"signed": false}`,
			wantErrs: map[string]string{"tags": "must be valid JSON"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Fields(tt.schema)
			require.NoError(t, err)
			data, errs := Parse(fs, tt.values, tt.loc)
			assert.JSONEq(t, tt.wantData, string(data))
			assert.Equal(t, tt.wantErrs, errs)
		})
	}
}

func TestWithErrors(t *testing.T) {
	cold := fieldsOf(t, string(salesForm(t, "cold_call")))
	all := fieldsOf(t, everyKind)
	withData := append(fieldsOf(t, `{"type": "object", "properties": {"data": {"type": "string"}}}`), byName(cold, "result"))

	tests := []struct {
		name      string
		fields    []Field
		values    url.Values
		errs      map[string]string
		wantValue map[string]string
		wantError map[string]string
	}{
		{
			name:      "posted values come back as typed with the errors beside their fields",
			fields:    cold,
			values:    url.Values{"result": {"perhaps"}, "callBackAt": {"tomorrow"}},
			errs:      map[string]string{"callBackAt": "must be a date and time"},
			wantValue: map[string]string{"result": "perhaps", "callBackAt": "tomorrow", "note": ""},
			wantError: map[string]string{"result": "", "callBackAt": "must be a date and time", "note": ""},
		},
		{
			name:   "pointers into the request and into the data find their fields",
			fields: cold,
			values: url.Values{"result": {"perhaps"}},
			errs: map[string]string{
				"/data/result": "value must be one of 'interested', 'call_back', 'refused'",
				"/callBackAt":  "'tomorrow' is not valid date-time",
			},
			wantError: map[string]string{
				"result":     "value must be one of 'interested', 'call_back', 'refused'",
				"callBackAt": "'tomorrow' is not valid date-time",
				"note":       "",
			},
		},
		{
			name:      "a missing property reported at the data marks the field required",
			fields:    cold,
			values:    url.Values{},
			errs:      map[string]string{"/data": "missing property 'result'"},
			wantError: map[string]string{"result": "required", "callBackAt": "", "note": ""},
		},
		{
			name:      "several missing properties mark each of them",
			fields:    all,
			values:    url.Values{},
			errs:      map[string]string{"/data": "missing properties 'outcome', 'visitedAt'"},
			wantError: map[string]string{"outcome": "required", "visitedAt": "required", "seats": ""},
		},
		{
			name:      "an error below a field marks the field, saying where below it",
			fields:    all,
			values:    url.Values{"tags": {`["vip", 5]`}},
			errs:      map[string]string{"/data/tags/1": "got number, want string", "/data/address/city": "got number, want string"},
			wantValue: map[string]string{"tags": `["vip", 5]`},
			wantError: map[string]string{"tags": "/1: got number, want string", "address": "/city: got number, want string"},
		},
		{
			name:      "several errors on one field are joined in pointer order",
			fields:    all,
			values:    url.Values{},
			errs:      map[string]string{"/data/tags/1": "b", "/data/tags/0": "a"},
			wantError: map[string]string{"tags": "/0: a; /1: b"},
		},
		{
			name:      "a field called data is found both by its name and through the request",
			fields:    withData,
			values:    url.Values{"data": {"x"}},
			errs:      map[string]string{"/data/data": "too short"},
			wantError: map[string]string{"data": "too short", "result": ""},
		},
		{
			name:      "a checkbox comes back checked or not",
			fields:    all,
			values:    url.Values{"signed": {"false", "on"}},
			wantValue: map[string]string{"signed": "on", "report": ""},
		},
		{
			name:      "without posted values the current values stay",
			fields:    []Field{{Name: "note", Kind: "text", Value: "kept"}},
			values:    nil,
			errs:      map[string]string{"note": "too long"},
			wantValue: map[string]string{"note": "kept"},
			wantError: map[string]string{"note": "too long"},
		},
		{
			name:      "errors that fit no field are left off the fields",
			fields:    cold,
			values:    url.Values{},
			errs:      map[string]string{"/data": "additional properties 'extra' not allowed", "/data/extra": "nope", "elsewhere": "x"},
			wantError: map[string]string{"result": "", "callBackAt": "", "note": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]Field(nil), tt.fields...)
			got := WithErrors(tt.fields, tt.values, tt.errs)
			require.Len(t, got, len(tt.fields))
			assert.Equal(t, before, tt.fields, "the given fields are not changed")
			for name, want := range tt.wantValue {
				assert.Equal(t, want, byName(got, name).Value, "value of %s", name)
			}
			for name, want := range tt.wantError {
				assert.Equal(t, want, byName(got, name).Error, "error of %s", name)
			}
		})
	}
}

func TestUnplacedListsTheErrorsNoFieldTakes(t *testing.T) {
	cold := fieldsOf(t, string(salesForm(t, "cold_call")))
	got := Unplaced(cold, map[string]string{
		"/data":        "additional properties 'extra' not allowed",
		"/data/result": "value must be one of 'interested', 'call_back', 'refused'",
		"/data/extra":  "nope",
		"note":         "too long",
	})
	assert.Equal(t, []string{"additional properties 'extra' not allowed", "nope"}, got)
	assert.Nil(t, Unplaced(cold, nil))
}

// TestTheServersRefusalLandsBesideTheFields feeds the errors the server gives
// for bad completion data (its checker, with the "/data" prefix the API adds)
// into WithErrors.
func TestTheServersRefusalLandsBesideTheFields(t *testing.T) {
	rt, err := definitions.NewRuntime(salesPlan(t))
	require.NoError(t, err)
	fs := fieldsOf(t, string(salesForm(t, "cold_call")))

	tests := []struct {
		name      string
		values    url.Values
		data      string // sent instead of the parsed values, when set
		wantError map[string]string
	}{
		{
			name:      "an unknown result and a time that is not one mark both fields",
			values:    url.Values{"result": {"perhaps"}, "callBackAt": {"tomorrow"}},
			data:      `{"result": "perhaps", "callBackAt": "tomorrow"}`,
			wantError: map[string]string{"result": "value must be one of", "callBackAt": "not valid date-time", "note": ""},
		},
		{
			name:      "a result left empty is marked required",
			values:    url.Values{"note": {"hello"}},
			wantError: map[string]string{"result": "required", "callBackAt": "", "note": ""},
		},
		{
			name:      "a note that is too long is marked beside the note",
			values:    url.Values{"result": {"refused"}, "note": {strings.Repeat("x", 2001)}},
			wantError: map[string]string{"result": "", "note": "maxLength"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := json.RawMessage(tt.data)
			if tt.data == "" {
				var errs map[string]string
				data, errs = Parse(fs, tt.values, time.UTC)
				require.Nil(t, errs)
			}
			var de definitions.DataError
			require.True(t, errors.As(rt.CheckData("cold_call", data), &de))
			apiErrs := map[string]string{}
			for _, fe := range de {
				apiErrs["/data"+fe.Path] = fe.Message
			}
			got := WithErrors(fs, tt.values, apiErrs)
			for name, want := range tt.wantError {
				if want == "" {
					assert.Empty(t, byName(got, name).Error, "error of %s", name)
				} else {
					assert.Contains(t, byName(got, name).Error, want, "error of %s", name)
				}
			}
			assert.Empty(t, Unplaced(fs, apiErrs))
		})
	}
}

// compile compiles a form schema the way the server does: JSON Schema
// 2020-12 with format assertions.
func compile(t *testing.T, schema json.RawMessage) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	require.NoError(t, c.AddResource("conveyor:form.json", doc))
	s, err := c.Compile("conveyor:form.json")
	require.NoError(t, err)
	return s
}

// TestRoundTrip shows existing data in the inputs, posts them back as a
// browser would, and parses them: the same data comes out, and it fits the
// schema, formats included.
func TestRoundTrip(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	plan := salesPlan(t)
	rt, err := definitions.NewRuntime(plan)
	require.NoError(t, err)

	tests := []struct {
		name   string
		stage  string // a sales stage, checked by the server's checker too
		schema json.RawMessage
		data   string
	}{
		{name: "a cold call to call back later with a note", stage: "cold_call",
			data: `{"result": "call_back", "callBackAt": "2026-11-28T07:30:00Z", "note": "Busy.\nCall after lunch."}`},
		{name: "a cold call that went nowhere", stage: "cold_call", data: `{"result": "refused"}`},
		{name: "a won deal with its amount", stage: "deal", data: `{"result": "won", "amount": 12500.5}`},
		{name: "a deal with a next step", stage: "deal", data: `{"result": "next_step", "amount": 0, "nextStepAt": "2027-01-15T06:00:00Z"}`},
		{name: "a finished service", stage: "service", data: `{"result": "done"}`},
		{name: "a form with every kind, all filled", schema: json.RawMessage(everyKind),
			data: `{"outcome": "met", "visitedAt": "2026-03-29T01:30:00Z", "contractDate": "2026-04-01",
				"discount": 7.5, "seats": 40, "signed": true, "report": "Long talk.", "phone": "+7 900 000",
				"priority": 3, "address": {"city": "Kazan"}, "tags": ["vip"]}`},
		{name: "a form with every kind, only what is required", schema: json.RawMessage(everyKind),
			data: `{"outcome": "missed", "visitedAt": "2026-10-25T00:00:00Z", "signed": false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := tt.schema
			if tt.stage != "" {
				schema = plan.Stages[tt.stage].Form
			}
			fs, err := Fields(schema)
			require.NoError(t, err)

			var data map[string]any
			require.NoError(t, json.Unmarshal([]byte(tt.data), &data))
			posted := url.Values{}
			for _, f := range fs {
				if v := ValueForInput(f, data[f.Name], moscow); v != "" {
					posted.Set(f.Name, v)
				}
			}

			got, errs := Parse(fs, posted, moscow)
			require.Nil(t, errs)
			assert.JSONEq(t, tt.data, string(got))

			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(got))
			require.NoError(t, err)
			assert.NoError(t, compile(t, schema).Validate(inst))
			if tt.stage != "" {
				assert.NoError(t, rt.CheckData(tt.stage, got))
			}
		})
	}
}
