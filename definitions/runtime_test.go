package definitions_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

func exampleRuntime(t *testing.T) *definitions.Runtime {
	t.Helper()
	plan, _ := compileExample(t)
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	return r
}

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func scope(assignee string) definitions.Scope {
	return definitions.Scope{Now: now, Vars: json.RawMessage(`{"source":"website"}`),
		Process: definitions.Process{ID: "p1", Definition: "sales", Version: 1, Stage: "cold_call", Assignee: assignee}}
}

func TestCompletionDataIsCheckedAgainstTheFormWithPaths(t *testing.T) {
	r := exampleRuntime(t)
	require.NoError(t, r.CheckData("cold_call", json.RawMessage(`{"result":"interested"}`)))

	err := r.CheckData("cold_call", json.RawMessage(`{"result":"maybe","callBackAt":"tomorrow"}`))
	var de definitions.DataError
	require.ErrorAs(t, err, &de)
	paths := map[string]bool{}
	for _, fe := range de {
		paths[fe.Path] = true
	}
	require.Equal(t, map[string]bool{"/result": true, "/callBackAt": true}, paths)

	require.ErrorAs(t, r.CheckData("cold_call", json.RawMessage(`{}`)), &de)
	require.Equal(t, "", de[0].Path)
	require.Contains(t, de[0].Message, "result")

	require.ErrorAs(t, r.CheckData("cold_call", json.RawMessage(`[1]`)), &de)
	require.ErrorAs(t, r.CheckVars(json.RawMessage(`{"source":"fax"}`)), &de)
	require.Equal(t, "/source", de[0].Path)
}

func TestTheFirstTransitionThatHoldsWins(t *testing.T) {
	r := exampleRuntime(t)
	for _, tc := range []struct {
		stage, data string
		want        int
	}{
		{"cold_call", `{"result":"interested"}`, 0},
		{"cold_call", `{"result":"call_back","callBackAt":"2026-12-01T10:00:00Z"}`, 1},
		{"cold_call", `{"result":"refused"}`, 2},
		{"deal", `{"result":"won","amount":1200}`, 1},
		{"deal", `{"result":"lost"}`, 2},
		{"service", `{"result":"done"}`, 0},
	} {
		got, err := r.Choose(tc.stage, json.RawMessage(tc.data), scope("ivan"))
		require.NoError(t, err, tc.data)
		require.Equal(t, tc.want, got, "%s %s", tc.stage, tc.data)
	}
}

func TestEnteringAStageResolvesItsAssigneeStartAndDeadline(t *testing.T) {
	r := exampleRuntime(t)
	plan := r.Plan

	start, err := r.Enter("cold_call", "", nil, nil, scope(""))
	require.NoError(t, err)
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignTeam, Team: "cold-callers", Pick: definitions.PickRoundRobin}, start.Assignee)
	require.Equal(t, now, start.PlannedStart)
	require.Equal(t, now.Add(48*time.Hour), *start.Due)

	callBack := plan.Stages["cold_call"].Transitions[1]
	data := json.RawMessage(`{"result":"call_back","callBackAt":"2026-12-01T10:00:00+03:00"}`)
	again, err := r.Enter("cold_call", "cold_call", &callBack, data, scope("ivan"))
	require.NoError(t, err)
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignSame, User: "ivan"}, again.Assignee, "same: the manager who called")
	want := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	require.Equal(t, want, again.PlannedStart)
	require.Equal(t, want.Add(48*time.Hour), *again.Due, "the deadline counts from the planned start")

	won := plan.Stages["deal"].Transitions[1]
	service, err := r.Enter("service", "deal", &won, json.RawMessage(`{"result":"won","amount":5}`), scope("maria"))
	require.NoError(t, err)
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignChoose, Team: "service"}, service.Assignee)
	require.Equal(t, "Service", service.Title)
}

func TestAnEmptyOptionalTimeMeansNow(t *testing.T) {
	r := exampleRuntime(t)
	callBack := r.Plan.Stages["cold_call"].Transitions[1]
	e, err := r.Enter("cold_call", "cold_call", &callBack, json.RawMessage(`{"result":"call_back"}`), scope("ivan"))
	require.NoError(t, err)
	require.Equal(t, now, e.PlannedStart)
}

func TestExpressionAssigneesAreEvaluated(t *testing.T) {
	src := []byte(`id: expr-assignee
title: Expression assignee
variables:
  type: object
  properties:
    owner: {type: string}
start: a
stages:
  a:
    title: A
    assignee: {expr: vars.owner}
    form:
      type: object
      properties:
        next: {type: string}
    transitions:
      - to: b
        assignee: {expr: 'data.next + "-deputy"'}
  b:
    title: B
    assignee: {user: olga}
    transitions:
      - to: done
ends:
  done: {title: Done}
`)
	plan, err := definitions.Compile(src)
	require.NoError(t, err)
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	sc := scope("")
	sc.Vars = json.RawMessage(`{"owner":"ivan"}`)
	a, err := r.Enter("a", "", nil, nil, sc)
	require.NoError(t, err)
	require.Equal(t, "ivan", a.Assignee.User)
	require.Nil(t, a.Due)
	tr := plan.Stages["a"].Transitions[0]
	b, err := r.Enter("b", "a", &tr, json.RawMessage(`{"next":"maria"}`), sc)
	require.NoError(t, err)
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignUser, User: "maria-deputy"}, b.Assignee)
}

func TestIntegersWrittenAsDecimalsStillDecode(t *testing.T) {
	plan, err := definitions.Compile([]byte(`id: ints
title: Integers
start: a
stages:
  a:
    title: A
    assignee: {user: ivan}
    form:
      type: object
      properties:
        calls: {type: integer}
        share: {type: number}
    transitions:
      - when: data.calls > 2 && data.share < 1
        to: done
      - to: done
ends:
  done: {title: Done}
`))
	require.NoError(t, err)
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err)
	data := json.RawMessage(`{"calls": 3.0, "share": 0.5}`)
	require.NoError(t, r.CheckData("a", data))
	i, err := r.Choose("a", data, scope("ivan"))
	require.NoError(t, err)
	require.Equal(t, 0, i)
}

// The example's forms ask for what each result needs: a won deal its
// amount (more than zero), a next step and a call back their time. A won
// deal without an amount was ended as lost before the form said so.
func TestTheExampleAsksForWhatEachResultNeeds(t *testing.T) {
	r := exampleRuntime(t)
	for _, tc := range []struct {
		stage, data string
		refused     string // "" = accepted
	}{
		{"deal", `{"result":"won"}`, "missing property 'amount'"},
		{"deal", `{"result":"won","amount":0}`, "0 is too little: it must be more than 0"},
		{"deal", `{"result":"won","amount":1500}`, ""},
		{"deal", `{"result":"next_step"}`, "missing property 'nextStepAt'"},
		{"deal", `{"result":"lost"}`, ""},
		{"deal", `{"result":"won","amount":1,"bonus":2}`, "additional properties 'bonus' not allowed"},
		{"cold_call", `{"result":"call_back"}`, "missing property 'callBackAt'"},
		{"cold_call", `{"result":"refused"}`, ""},
	} {
		err := r.CheckData(tc.stage, json.RawMessage(tc.data))
		if tc.refused == "" {
			require.NoError(t, err, tc.data)
			continue
		}
		require.ErrorContains(t, err, tc.refused, tc.data)
	}
}
