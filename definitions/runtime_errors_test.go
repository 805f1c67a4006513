package definitions_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

// handBuilt is a plan as an older version might have published it: its
// expressions were never checked by this one.
func handBuilt(t *testing.T, a definitions.StagePlan) *definitions.Runtime {
	t.Helper()
	if a.Assignee.Kind == "" {
		a.Assignee = definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"}
	}
	a.Title = "A"
	a.Form = json.RawMessage(`{"type":"object","properties":{"free":{},"note":{"type":"string"}}}`)
	plan := &definitions.Plan{
		ID: "hand-built", Title: "Hand built", Start: "a",
		Stages: map[string]definitions.StagePlan{
			"a": a,
			"b": {Title: "B", Assignee: definitions.Assignee{Kind: definitions.AssignUser, User: "ivan"},
				Transitions: []definitions.TransitionPlan{{To: "done", ToEnd: true}}},
		},
		Ends: map[string]definitions.EndPlan{"done": {Title: "Done"}},
		Hash: "sha256:" + t.Name(), // one runtime per test
	}
	r, err := definitions.NewRuntime(plan)
	require.NoError(t, err, "a plan's bad expression must not stop the others")
	return r
}

func TestAnExpressionThatFailsAtRunTimeIsAnErrExpressionNamingItsPlace(t *testing.T) {
	sc := scope("ivan")
	toB := func(tp definitions.TransitionPlan) []definitions.TransitionPlan {
		tp.To = "b"
		return []definitions.TransitionPlan{tp, {To: "b"}}
	}
	for _, tc := range []struct {
		name  string
		stage definitions.StagePlan
		run   func(r *definitions.Runtime) error
		want  string
	}{
		{
			name: "an assignee that would fill the memory is refused, not run",
			stage: definitions.StagePlan{
				Assignee:    definitions.Assignee{Kind: definitions.AssignExpr, Expr: `repeat(repeat("x", 999999), 999999)`},
				Transitions: []definitions.TransitionPlan{{To: "b"}},
			},
			run: func(r *definitions.Runtime) error {
				_, err := r.Enter("a", "", nil, nil, sc)
				return err
			},
			want: `stage a, assignee: expression "repeat(repeat(\"x\", 999999), 999999)" failed: this version refuses it: repeat is not allowed in expressions`,
		},
		{
			name: "a condition that would outlast the deadlock detector is refused, not run",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{
				When: `let s = repeat("x",990000); all(1..900, {len(s+s+s+s+s+s) > 0})`})},
			run: func(r *definitions.Runtime) error {
				_, err := r.Choose("a", nil, sc)
				return err
			},
			want: `stage a, transition 1 (to b), when: expression "let s = repeat(\"x\",990000); all(1..900, {len(s+s+s+s+s+s) > 0})" failed: this version refuses it`,
		},
		{
			name:  "a condition giving no boolean fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{When: `data.free`})},
			run: func(r *definitions.Runtime) error {
				_, err := r.Choose("a", json.RawMessage(`{"free":"yes"}`), sc)
				return err
			},
			want: `stage a, transition 1 (to b), when: expression "data.free" failed`,
		},
		{
			name:  "an operation expr cannot do fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{When: `data.free + 1 > 0`})},
			run: func(r *definitions.Runtime) error {
				_, err := r.Choose("a", json.RawMessage(`{"free":[1]}`), sc)
				return err
			},
			want: `stage a, transition 1 (to b), when: expression "data.free + 1 > 0" failed: invalid operation`,
		},
		{
			name:  "an index out of range fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{When: `data.free[5] == 1`})},
			run: func(r *definitions.Runtime) error {
				_, err := r.Choose("a", json.RawMessage(`{"free":[1]}`), sc)
				return err
			},
			want: `stage a, transition 1 (to b), when: expression "data.free[5] == 1" failed: index out of range`,
		},
		{
			name: "an assignee giving no login fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{
				Assignee: &definitions.Assignee{Kind: definitions.AssignExpr, Expr: `data.free`}})},
			run: func(r *definitions.Runtime) error {
				t := r.Plan.Stages["a"].Transitions[0]
				_, err := r.Enter("b", "a", &t, json.RawMessage(`{"free":5}`), sc)
				return err
			},
			want: `stage a, transition 1 (to b), assignee: expression "data.free" failed: gave float64, not a login`,
		},
		{
			name:  "a planned start giving no time fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{PlannedStart: `data.free`})},
			run: func(r *definitions.Runtime) error {
				t := r.Plan.Stages["a"].Transitions[0]
				_, err := r.Enter("b", "a", &t, json.RawMessage(`{"free":"tomorrow"}`), sc)
				return err
			},
			want: `stage a, transition 1 (to b), plannedStart: expression "data.free" failed: parsing time "tomorrow"`,
		},
		{
			name:  "data bigger than expressions were checked for fails",
			stage: definitions.StagePlan{Transitions: toB(definitions.TransitionPlan{When: `data.note == ""`})},
			run: func(r *definitions.Runtime) error {
				big, _ := json.Marshal(map[string]string{"note": strings.Repeat("x", definitions.MaxDataBytes)})
				_, err := r.Choose("a", big, sc)
				return err
			},
			want: `stage a, transition 1 (to b), when: expression "data.note == \"\"" failed: data: 65547 bytes, more than the 65536 expressions are checked for`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(handBuilt(t, tc.stage))
			require.True(t, errors.Is(err, definitions.ErrExpression), "%v", err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}
