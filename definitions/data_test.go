package definitions_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

func formRuntime(t *testing.T, form string) *definitions.Runtime {
	t.Helper()
	src := fmt.Sprintf(`id: forms
title: Forms
start: a
stages:
  a:
    title: A
    assignee: {user: ivan}
    form: %s
    transitions:
      - to: done
ends:
  done: {title: Done}
`, form)
	plan, err := definitions.Compile([]byte(src))
	require.NoError(t, err)
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	return r
}

func TestAFormTakesOnlyThePropertiesItDeclaresUnlessItSaysOtherwise(t *testing.T) {
	for _, tc := range []struct {
		name, form, data string
		refused          []string // paths
	}{
		{"an unknown field is refused at its path",
			`{type: object, properties: {result: {type: string}}}`, `{"result":"ok","reslt":"ok"}`, []string{""}},
		{"declared fields pass",
			`{type: object, properties: {result: {type: string}}}`, `{"result":"ok"}`, nil},
		{"additionalProperties: true keeps a form open",
			`{type: object, additionalProperties: true, properties: {result: {type: string}}}`, `{"extra":1}`, nil},
		{"an additionalProperties schema keeps a form open to what it allows",
			`{type: object, additionalProperties: {type: integer}, properties: {result: {type: string}}}`, `{"extra":"x"}`, []string{"/extra"}},
		{"a nested object is closed too",
			`{type: object, properties: {address: {type: object, properties: {city: {type: string}}}}}`, `{"address":{"city":"Omsk","zip":"1"}}`, []string{"/address"}},
		{"objects in a list are closed too",
			`{type: object, properties: {items: {type: array, items: {type: object, properties: {price: {type: number}}}}}}`, `{"items":[{"price":1,"cost":2}]}`, []string{"/items/0"}},
		{"a form combining schemas stays open: each would refuse the others' properties",
			`{type: object, allOf: [{properties: {a: {type: string}}}, {properties: {b: {type: string}}}]}`, `{"a":"x","b":"y"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := formRuntime(t, tc.form).CheckData("a", json.RawMessage(tc.data))
			if tc.refused == nil {
				require.NoError(t, err)
				return
			}
			var de definitions.DataError
			require.ErrorAs(t, err, &de)
			var paths []string
			for _, fe := range de {
				paths = append(paths, fe.Path)
			}
			require.Equal(t, tc.refused, paths, "%v", de)
		})
	}
}

func TestDataOverTheLimitsIsRefusedBeforeTheForm(t *testing.T) {
	r := formRuntime(t, `{type: object, additionalProperties: true}`)
	big := `{"note":"` + strings.Repeat("x", definitions.MaxDataBytes) + `"}`
	long := `{"list":[` + strings.TrimSuffix(strings.Repeat("1,", 1001), ",") + `]}`
	for _, tc := range []struct {
		name, data string
		want       definitions.FieldError
	}{
		{"data over MaxDataBytes", big, definitions.FieldError{Path: "", Message: "65547 bytes of JSON: at most 65536 are allowed"}},
		{"a list of over 1000 items", long, definitions.FieldError{Path: "/list", Message: "1001 items: at most 1000 are allowed",
			Translations: map[string]string{"ru": "1001 элементов: допускается не больше 1000"}}},
		// JSON Schema takes it, but expressions see numbers as float64.
		{"a number beyond float64", `{"amount":-1e400}`, definitions.FieldError{Path: "/amount", Message: "the number is too large",
			Translations: map[string]string{"ru": "слишком большое число"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var de definitions.DataError
			require.ErrorAs(t, r.CheckData("a", json.RawMessage(tc.data)), &de)
			require.Equal(t, definitions.DataError{tc.want}, de)
			require.ErrorAs(t, r.CheckVars(json.RawMessage(tc.data)), &de, "variables have the same limits")
			require.Equal(t, definitions.DataError{tc.want}, de)
		})
	}
}

func properties(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "        %s%d: {type: string}\n", prefix, i)
	}
	return b.String()
}

func TestSchemasMayDeclareOnlySoManyProperties(t *testing.T) {
	stage := func(id, props string) string {
		return fmt.Sprintf(`  %s:
    title: %s
    assignee: {user: ivan}
    form:
      type: object
      properties:
%s    transitions:
      - to: done
`, id, id, props)
	}
	define := func(stages ...string) []byte {
		ids := []string{}
		for _, s := range stages {
			ids = append(ids, strings.TrimSpace(strings.SplitN(s, ":", 2)[0]))
		}
		return []byte("id: props\ntitle: Properties\nstart: " + ids[0] + "\nstages:\n" + strings.Join(stages, "") +
			"ends:\n  done: {title: Done}\n")
	}
	t.Run("two hundred in one object pass", func(t *testing.T) {
		require.Empty(t, definitions.Validate(define(stage("a", properties(200, "f")))))
	})
	t.Run("two hundred and one in one object are refused at its properties", func(t *testing.T) {
		require.Equal(t, "10:7: 201 properties: a schema may declare at most 200 in one object",
			definitions.Validate(define(stage("a", properties(201, "f")))).Error())
	})
	t.Run("over a thousand in all are refused where the total goes over", func(t *testing.T) {
		var stages []string
		for i := range 6 {
			stages = append(stages, stage(fmt.Sprintf("s%d", i), properties(200, "f")))
		}
		problems := definitions.Validate(define(stages...))
		require.Contains(t, problems.Error(), ": the definition's schemas declare more than 1000 properties")
		require.Equal(t, "/stages/s5/form/properties", problems[len(problems)-1].Path)
	})
}
