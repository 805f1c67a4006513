package definitions_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

func TestEveryExampleValidates(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files, "the repository ships example definitions")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Empty(t, definitions.Validate(src))
		})
	}
}

func compileExample(t *testing.T) (*definitions.Plan, []byte) {
	t.Helper()
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	plan, err := definitions.Compile(src)
	require.NoError(t, err)
	return plan, src
}

func TestTheSalesConveyorCompilesIntoItsPlan(t *testing.T) {
	plan, _ := compileExample(t)
	require.Equal(t, "sales", plan.ID)
	require.Equal(t, "client", plan.Subject)
	require.Equal(t, "cold_call", plan.Start)
	require.Len(t, plan.Stages, 3)
	require.Equal(t, map[string]definitions.EndPlan{
		"won":  {Title: "Won", Titles: map[string]string{"en": "Won", "ru": "Выиграна"}},
		"lost": {Title: "Lost", Titles: map[string]string{"en": "Lost", "ru": "Проиграна"}},
	}, plan.Ends)

	cold := plan.Stages["cold_call"]
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignTeam, Team: "cold-callers", Pick: definitions.PickRoundRobin}, cold.Assignee)
	require.Equal(t, definitions.Duration(48*time.Hour), cold.Due)
	require.Equal(t, 20, *cold.Progress)
	require.Len(t, cold.Transitions, 3)
	require.Equal(t, definitions.TransitionPlan{
		When: `data.result == "call_back"`, To: "cold_call",
		Assignee: &definitions.Assignee{Kind: definitions.AssignSame}, PlannedStart: "data.callBackAt",
	}, cold.Transitions[1])
	require.Equal(t, definitions.TransitionPlan{To: "lost", ToEnd: true}, cold.Transitions[2])

	deal := plan.Stages["deal"]
	require.Equal(t, definitions.PickLeastLoaded, deal.Assignee.Pick)
	require.Equal(t, &definitions.Assignee{Kind: definitions.AssignChoose, Team: "service"}, deal.Transitions[1].Assignee)

	service := plan.Stages["service"]
	require.Equal(t, definitions.PickRoundRobin, service.Assignee.Pick, "a team without pick is worked in turn")
	require.JSONEq(t, `{"type":"object","required":["result"],"additionalProperties":false,
		"properties":{"result":{"title":"Result","x-titles":{"en":"Result","ru":"Итог"},"type":"string",
		"oneOf":[{"const":"done","title":"Service set up","x-titles":{"en":"Service set up","ru":"Обслуживание налажено"}}]}}}`, string(service.Form))
	require.Equal(t, "Конвейер продаж", plan.TitleIn("ru"), "the example speaks Russian too")
}

func TestAPlanSurvivesJSONAndKeepsItsHash(t *testing.T) {
	plan, _ := compileExample(t)
	require.True(t, strings.HasPrefix(plan.Hash, "sha256:"))
	b, err := json.Marshal(plan)
	require.NoError(t, err)
	var back definitions.Plan
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, *plan, back)
}

func TestTheHashFollowsMeaningNotLayout(t *testing.T) {
	plan, src := compileExample(t)

	reformatted := strings.ReplaceAll(string(src), "# deadline, counted from the planned start", "")
	reformatted = "# a comment that changes nothing\n" + reformatted
	same, err := definitions.Compile([]byte(reformatted))
	require.NoError(t, err)
	require.Equal(t, plan.Hash, same.Hash)

	changed, err := definitions.Compile([]byte(strings.Replace(string(src), "due: 2d", "due: 3d", 1)))
	require.NoError(t, err)
	require.NotEqual(t, plan.Hash, changed.Hash)
}

func TestCompileReturnsProblemsAsAnError(t *testing.T) {
	_, err := definitions.Compile([]byte("id: x\n"))
	var problems definitions.Problems
	require.True(t, errors.As(err, &problems))
	require.NotEmpty(t, problems)
	require.Contains(t, err.Error(), `1:1: missing key "title"`)
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"30m", 30 * time.Minute},
		{"4h", 4 * time.Hour},
		{"2d", 48 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
	} {
		got, err := definitions.ParseDuration(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"", "2", "d", "2x", "1.5d", "-1h", "0m", "2 d", "99999999999h"} {
		_, err := definitions.ParseDuration(bad)
		require.Error(t, err, bad)
	}
}

func TestTheDSLSchemaIsServedAsJSON(t *testing.T) {
	var schema map[string]any
	require.NoError(t, json.Unmarshal(definitions.SchemaJSON(), &schema))
	require.Equal(t, "https://json-schema.org/draft/2020-12/schema", schema["$schema"])
}

// A condition that reads a field the form may leave out compiles with a
// warning at the field; one the form requires, at the top or in a `then`,
// has none, and so has the example.
func TestAConditionReadingAnOptionalFieldIsWarnedOf(t *testing.T) {
	plan, _ := compileExample(t)
	require.Empty(t, plan.Warnings, "the example requires what its conditions read")

	src := `id: w
title: W
start: deal
stages:
  deal:
    title: Deal
    assignee: {user: ivan}
    form:
      type: object
      required: [result]
      properties:
        result: {type: string, enum: [won, lost]}
        amount: {type: number}
        note: {type: string}
      if: {required: [result], properties: {result: {const: lost}}}
      then: {required: [note]}
    transitions:
      - when: data.result == "won" && data.amount > 0 && data.note != ""
        to: done
      - to: done
ends:
  done: {title: Done}
`
	plan, err := definitions.Compile([]byte(src))
	require.NoError(t, err, "a warning does not refuse the definition")
	require.Len(t, plan.Warnings, 1, "%v", plan.Warnings)
	w := plan.Warnings[0]
	require.Equal(t, "/stages/deal/transitions/0/when", w.Path)
	require.Equal(t, 18, w.Line)
	require.Equal(t, 44, w.Column, "at amount in the expression")
	require.Contains(t, w.Message, "data.amount is optional in the form")
}

// Titles may be written in several languages wherever one stands; the plan
// keeps the English one as its title and every one by language, and a form
// field's or a choice's go under x-titles, as JSON Schema wants a string.
func TestTitlesMayBeWrittenInSeveralLanguages(t *testing.T) {
	src := `id: multi
title: {ru: Продажи, en: Sales}
start: call
stages:
  call:
    title: {ru: Холодный звонок, en: Cold call}
    assignee: {user: ivan}
    form:
      type: object
      required: [result]
      properties:
        result:
          title: {ru: Итог, en: Result}
          type: string
          oneOf:
            - {const: yes, title: {ru: Интересно, en: Interested}}
            - {const: no, title: Refused}
    transitions:
      - to: done
ends:
  done: {title: {ru: Готово}}
`
	plan, err := definitions.Compile([]byte(src))
	require.NoError(t, err)
	require.Equal(t, "Sales", plan.Title)
	require.Equal(t, "Продажи", plan.TitleIn("ru"))
	require.Equal(t, "Sales", plan.TitleIn("de"), "a language not written falls back to the title")
	require.Equal(t, "Cold call", plan.Stages["call"].Title)
	require.Equal(t, "Холодный звонок", plan.Stages["call"].TitleIn("ru"))
	require.Equal(t, "Готово", plan.Ends["done"].Title, "without English, the first language")
	require.JSONEq(t, `{"type":"object","required":["result"],"properties":{"result":{
		"title":"Result","x-titles":{"ru":"Итог","en":"Result"},"type":"string",
		"oneOf":[{"const":"yes","title":"Interested","x-titles":{"ru":"Интересно","en":"Interested"}},{"const":"no","title":"Refused"}]}}}`,
		string(plan.Stages["call"].Form))
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	require.NoError(t, r.CheckData("call", json.RawMessage(`{"result":"yes"}`)))

	_, err = definitions.Compile([]byte(strings.Replace(src, "{ru: Готово}", "{russian: Готово}", 1)))
	var problems definitions.Problems
	require.ErrorAs(t, err, &problems, "a language is two letters")

	one, err := definitions.Compile([]byte(strings.NewReplacer("{ru: Продажи, en: Sales}", "Sales", "{ru: Холодный звонок, en: Cold call}", "Cold call",
		"{ru: Итог, en: Result}", "Result", "{ru: Интересно, en: Interested}", "Interested", "{ru: Готово}", "Done").Replace(src)))
	require.NoError(t, err)
	b, err := json.Marshal(one)
	require.NoError(t, err)
	require.NotContains(t, string(b), "titles", "a plan written in one language is as it was, its hash too")
}
