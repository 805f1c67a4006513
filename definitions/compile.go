// Package definitions turns a conveyor definition written in YAML into a
// checked, immutable plan. Every mistake is reported at once, each with its
// line, column and JSON pointer. The package is pure: no I/O, no clock.
package definitions

import (
	"encoding/json"
	"fmt"
)

// internalError begins the problem a panic while checking turns into; the
// fuzzer looks for it.
const internalError = "internal error while checking the definition"

// Compile checks a definition and compiles it into a plan. When anything is
// wrong the error is Problems: every mistake found, sorted by position.
func Compile(src []byte) (plan *Plan, err error) {
	defer func() {
		// A last resort: input is hostile, and a bug of this package or of a
		// library it uses must cost one refused definition, not the server.
		if r := recover(); r != nil {
			plan, err = nil, Problems{{Line: 1, Column: 1, Message: fmt.Sprintf("%s: %v", internalError, r)}}
		}
	}()
	s, problems := parseSource(src)
	if s == nil {
		return nil, problems
	}
	problems = append(problems, checkStructure(s)...)
	d := readModel(s)
	meaning, warnings := checkMeaning(s, d)
	problems = append(problems, meaning...)
	if len(problems) > 0 {
		return nil, problems.sorted()
	}
	plan = buildPlan(d)
	plan.Warnings = warnings.sorted()
	return plan, nil
}

// Validate reports every problem of a definition, or nil when it is valid.
func Validate(src []byte) Problems {
	_, err := Compile(src)
	ps, _ := err.(Problems)
	return ps
}

func buildPlan(d *definition) *Plan {
	p := &Plan{
		ID: d.ID, Title: d.Title, Titles: d.Titles, Subject: d.Subject,
		Variables: rawJSON(d.Variables),
		Start:     d.Start,
		Stages:    make(map[string]StagePlan, len(d.Stages)),
		Ends:      make(map[string]EndPlan, len(d.Ends)),
	}
	isEnd := map[string]bool{}
	for _, e := range d.Ends {
		p.Ends[e.ID] = EndPlan{Title: e.Title, Titles: e.Titles}
		isEnd[e.ID] = true
	}
	for _, st := range d.Stages {
		sp := StagePlan{
			Title:        st.Title,
			Titles:       st.Titles,
			Assignee:     *planAssignee(st.Assignee),
			PlannedStart: st.PlannedStart,
			Due:          mustDuration(st.Due),
			Progress:     st.Progress,
			Form:         rawJSON(st.Form),
		}
		for _, t := range st.Transitions {
			sp.Transitions = append(sp.Transitions, TransitionPlan{
				When: t.When, To: t.To, ToEnd: isEnd[t.To],
				Assignee:     planAssignee(t.Assignee),
				PlannedStart: t.PlannedStart,
				Due:          mustDuration(t.Due),
			})
		}
		p.Stages[st.ID] = sp
	}
	p.seal()
	return p
}

func planAssignee(a *assignee) *Assignee {
	switch {
	case a == nil:
		return nil
	case a.Same:
		return &Assignee{Kind: AssignSame}
	case a.User != "":
		return &Assignee{Kind: AssignUser, User: a.User}
	case a.Expr != "":
		return &Assignee{Kind: AssignExpr, Expr: a.Expr}
	case a.Choose:
		return &Assignee{Kind: AssignChoose, Team: a.Team}
	}
	pick := a.Pick
	if pick == "" {
		pick = PickRoundRobin
	}
	return &Assignee{Kind: AssignTeam, Team: a.Team, Pick: pick}
}

// mustDuration parses a duration the rules have already accepted.
func mustDuration(s string) Duration {
	if s == "" {
		return 0
	}
	d, err := ParseDuration(s)
	if err != nil {
		panic("definitions: unchecked duration " + s)
	}
	return Duration(d)
}

func rawJSON(m map[string]any) json.RawMessage {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("definitions: decoded YAML does not marshal: " + err.Error())
	}
	return b
}
