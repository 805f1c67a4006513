package services

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// FunnelPeriodMax bounds the period a funnel counts.
const FunnelPeriodMax = 3 * 366 * 24 * time.Hour

// Funnel is a conveyor's funnel over the processes started in a period
// that the asker may see, counted from the stage log.
type Funnel struct {
	Definition string    `json:"definition"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Processes  int       `json:"processes"`
	// SumOf is the numeric form field summed beside the counts, if any.
	SumOf  string        `json:"sumOf,omitempty"`
	Stages []FunnelStage `json:"stages"` // in the plan's order from its start
	Ends   []FunnelEnd   `json:"ends"`
}

// FunnelStage is one stage of a funnel: how many processes reached it,
// left it done (Conversion of those that reached it) or were cancelled
// there, and the time those that left it spent in it.
type FunnelStage struct {
	Stage      string  `json:"stage"`
	Title      string  `json:"title"`
	Reached    int     `json:"reached"`
	Left       int     `json:"left"`
	Cancelled  int     `json:"cancelled"`
	Conversion float64 `json:"conversion"`
	P50Seconds float64 `json:"p50Seconds"`
	P90Seconds float64 `json:"p90Seconds"`
	// Sum is the total of the Funnel's Sum field in the data of those that
	// left the stage done (the deal amount of the won deals).
	Sum float64 `json:"sum"`
}

// FunnelEnd is how many processes ended at an end.
type FunnelEnd struct {
	End   string `json:"end"`
	Title string `json:"title"`
	Count int    `json:"count"`
}

// Funnel counts definition's processes started in [from, to) that me may
// see (the visibility rule of the process list), summing the numeric form
// field sum beside the counts when it is not "" (a number field of one of
// the stages' forms).
func (s *Services) Funnel(ctx context.Context, me store.User, definition string, from, to time.Time, sum string) (Funnel, error) {
	switch {
	case definition == "":
		return Funnel{}, refusal.Invalid("a funnel is of one conveyor", field("/definition", "required"))
	case !to.After(from):
		return Funnel{}, refusal.Invalid("the period must end after it starts", field("/to", "must be after from"))
	case to.Sub(from) > FunnelPeriodMax:
		return Funnel{}, refusal.Invalid("the period is at most three years", field("/to", "at most three years after from"))
	}
	v, err := s.Store.DefinitionVersion(ctx, definition, 0)
	if err != nil {
		return Funnel{}, err
	}
	if sum != "" && !numericField(v.Plan, sum) {
		return Funnel{}, refusal.Invalid("only a number field of a form is summed", field("/sum", "not a number field of any stage's form"))
	}
	n, figures, ends, err := s.Store.Funnel(ctx, viewerOf(me), definition, from, to, sum)
	if err != nil {
		return Funnel{}, err
	}
	out := Funnel{Definition: definition, From: from, To: to, Processes: n, SumOf: sum, Stages: []FunnelStage{}, Ends: []FunnelEnd{}}
	byStage := map[string]store.StageFigures{}
	for _, f := range figures {
		byStage[f.Stage] = f
	}
	for _, id := range stageOrder(v.Plan) {
		f := byStage[id]
		st := FunnelStage{Stage: id, Title: v.Plan.Stages[id].Title, Reached: f.Reached, Left: f.Left, Cancelled: f.Cancelled,
			P50Seconds: f.P50.Seconds(), P90Seconds: f.P90.Seconds(), Sum: f.Sum}
		if f.Reached > 0 {
			st.Conversion = float64(f.Left) / float64(f.Reached)
		}
		out.Stages = append(out.Stages, st)
	}
	for id, e := range v.Plan.Ends {
		if ends[id] > 0 {
			out.Ends = append(out.Ends, FunnelEnd{End: id, Title: e.Title, Count: ends[id]})
		}
	}
	slices.SortFunc(out.Ends, func(a, b FunnelEnd) int { // the most first
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.End, b.End))
	})
	return out, nil
}

// stageOrder is plan's stages from its start, each after the one whose
// transition reaches it first (breadth first, transitions in order).
func stageOrder(plan *definitions.Plan) []string {
	seen := map[string]bool{plan.Start: true}
	order := []string{plan.Start}
	for i := 0; i < len(order); i++ {
		for _, t := range plan.Stages[order[i]].Transitions {
			if !t.ToEnd && !seen[t.To] {
				seen[t.To] = true
				order = append(order, t.To)
			}
		}
	}
	return order
}

// numericField tells whether name is a number or integer field of one of
// plan's stage forms.
func numericField(plan *definitions.Plan, name string) bool {
	for _, st := range plan.Stages {
		var form struct {
			Properties map[string]struct {
				Type any `json:"type"`
			} `json:"properties"`
		}
		if json.Unmarshal(st.Form, &form) != nil {
			continue
		}
		if p, ok := form.Properties[name]; ok && (p.Type == "number" || p.Type == "integer") {
			return true
		}
	}
	return false
}
