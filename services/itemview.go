package services

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// ItemView is what a work item's page shows: the item, its process and
// history, the stage's form and whom the completer may have to name next.
type ItemView struct {
	Item    store.WorkItem
	Process store.Process
	History []store.WorkItem
	Form    json.RawMessage // the stage's JSON Schema
	// Conveyor is the title of the process's definition.
	Conveyor string
	// Plan is the version the process runs, for its titles in a language.
	Plan    *definitions.Plan
	Choices []Choice
	// MayAct: me may complete the item.
	MayAct bool
}

// Choice is a team whose member the completer names for the next stage,
// with the members they may name: those who may see the process's client
// (the step refuses the others).
type Choice struct {
	Team, Stage string
	Members     []string
}

// OpenWorkItem is the view of a work item me may see. Its assignee opening
// it starts it (attention -> in progress), as StartWorkItem; anyone else
// only looks.
func (s *Services) OpenWorkItem(ctx context.Context, me store.User, id string) (ItemView, error) {
	w, err := s.WorkItem(ctx, me, id)
	if err != nil {
		return ItemView{}, err
	}
	if w.State == store.ItemAttention && w.Assignee == me.Login {
		if w, err = s.StartWorkItem(ctx, me, id); err != nil {
			return ItemView{}, err
		}
	}
	return s.itemView(ctx, me, w)
}

// WorkItemView is the view of a work item me may see, changing nothing.
func (s *Services) WorkItemView(ctx context.Context, me store.User, id string) (ItemView, error) {
	w, err := s.WorkItem(ctx, me, id)
	if err != nil {
		return ItemView{}, err
	}
	return s.itemView(ctx, me, w)
}

func (s *Services) itemView(ctx context.Context, me store.User, w store.WorkItem) (ItemView, error) {
	view := ItemView{Item: w}
	var err error
	if view.Process, err = s.Store.Process(ctx, w.ProcessID); err != nil {
		return view, err
	}
	if view.History, err = s.Store.ProcessItems(ctx, w.ProcessID); err != nil {
		return view, err
	}
	v, err := s.Store.DefinitionVersion(ctx, view.Process.Definition, view.Process.Version)
	if err != nil {
		return view, err
	}
	if view.MayAct, err = s.mayAct(ctx, me, w); err != nil {
		return view, err
	}
	view.Form = v.Plan.Stages[w.Stage].Form
	view.Conveyor, view.Plan = v.Plan.Title, v.Plan
	for _, ch := range choices(v.Plan, w.Stage) {
		if ch.Members, err = s.members(ctx, ch.Team, view.Process.Client); err != nil {
			return view, err
		}
		view.Choices = append(view.Choices, ch)
	}
	return view, nil
}

// choices are the teams whose member the completer of stage may have to
// name: a transition's or a target stage's `choose` rule.
func choices(plan *definitions.Plan, stage string) []Choice {
	var out []Choice
	seen := map[string]bool{}
	for _, t := range plan.Stages[stage].Transitions {
		rule := t.Assignee
		if rule == nil && !t.ToEnd {
			target := plan.Stages[t.To].Assignee
			rule = &target
		}
		if rule != nil && rule.Kind == definitions.AssignChoose && !seen[rule.Team] {
			seen[rule.Team] = true
			out = append(out, Choice{Team: rule.Team, Stage: plan.Stages[t.To].Title})
		}
	}
	return out
}

// members are the team's members who may see the client.
func (s *Services) members(ctx context.Context, team, client string) ([]string, error) {
	teams, err := s.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	var eligible []string
	for _, t := range teams {
		if t.Name != team {
			continue
		}
		for _, m := range t.Members {
			err := error(nil)
			if client != "" {
				err = s.Store.CanSeeClient(ctx, store.Viewer{Login: m}, client)
			}
			switch {
			case err == nil:
				eligible = append(eligible, m)
			case !errors.Is(err, refusal.ErrNotFound):
				return nil, err
			}
		}
	}
	return eligible, nil
}
