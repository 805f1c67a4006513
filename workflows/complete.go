package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/activities"
	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

func conflict(msg string) error {
	return temporal.NewApplicationError(msg, activities.TypeConflict)
}

func invalid(msg string, details ...any) error {
	return temporal.NewApplicationError(msg, activities.TypeInvalid, details...)
}

// validateComplete refuses, before anything enters history, a completion of
// an item that is not the open one and data that fails the stage's form.
func (p *process) validateComplete(ctx workflow.Context, req CompleteRequest) error {
	if _, ok := p.applied(ctx); ok {
		return nil // a retry of a completion already applied: its answer again
	}
	if p.finished || p.current == nil || p.current.ID != req.ItemID || p.busy {
		return conflict("work item " + req.ItemID + " is not open")
	}
	if err := p.rt.CheckData(p.current.Stage, req.Data); err != nil {
		var de definitions.DataError
		if errors.As(err, &de) {
			for i := range de {
				de[i].Path = "/data" + de[i].Path
			}
			return invalid("completion data does not fit the form of stage "+p.current.Stage, de)
		}
		return invalid(err.Error())
	}
	_, e, err := p.decide(ctx, req)
	if err != nil {
		return invalid(err.Error())
	}
	if e == nil {
		return nil
	}
	switch {
	case e.Assignee.Kind == definitions.AssignChoose && req.Next.Assignee == "":
		return invalid("next.assignee: stage "+e.Stage+" is given to a member of team "+e.Assignee.Team+" chosen by you",
			[]definitions.FieldError{{Path: "/next/assignee", Message: "choose a member of team " + e.Assignee.Team}})
	case (e.Assignee.Kind == definitions.AssignUser || e.Assignee.Kind == definitions.AssignSame) &&
		req.Next.Assignee != "" && req.Next.Assignee != e.Assignee.User:
		return invalid("next.assignee: the definition gives stage "+e.Stage+" to "+e.Assignee.User,
			[]definitions.FieldError{{Path: "/next/assignee", Message: "the definition names the executor"}})
	}
	return nil
}

// decide picks the transition for req and, unless it reaches an end, the
// entry of the next stage.
func (p *process) decide(ctx workflow.Context, req CompleteRequest) (definitions.TransitionPlan, *definitions.Entry, error) {
	sc := p.scope(ctx)
	stage := p.current.Stage
	i, err := p.rt.Choose(stage, req.Data, sc)
	if err != nil {
		return definitions.TransitionPlan{}, nil, err
	}
	t := p.in.Plan.Stages[stage].Transitions[i]
	if t.ToEnd {
		return t, nil, nil
	}
	e, err := p.rt.Enter(t.To, stage, &t, req.Data, sc)
	return t, &e, err
}

// complete applies a validated completion: one local activity closes the
// item, opens the next and updates the read model, so the reply can name
// the next work item.
func (p *process) complete(ctx workflow.Context, req CompleteRequest) (CompleteResult, error) {
	if res, ok := p.applied(ctx); ok {
		return res, nil
	}
	// Two updates may pass validation before either runs: check again.
	if p.finished || p.current == nil || p.current.ID != req.ItemID || p.busy {
		return CompleteResult{}, conflict("work item " + req.ItemID + " is not open")
	}
	p.busy = true
	defer func() { p.busy = false }()

	t, e, err := p.decide(ctx, req)
	if err != nil {
		return CompleteResult{}, invalid(err.Error())
	}
	step := store.Step{
		ProcessID: p.in.ProcessID,
		Close:     &store.CloseItem{ItemID: req.ItemID, Data: req.Data, By: req.By},
		Progress:  p.in.Plan.Stages[p.current.Stage].Progress,
	}
	if e == nil {
		step.End = t.To
	} else {
		step.Open = p.open(*e, req.Next)
	}
	var out activities.StepOutput
	if err := p.apply(ctx, step, &out); err != nil {
		return CompleteResult{}, err
	}
	p.moved(out.Next)
	res := CompleteResult{Item: out.Closed, State: store.ProcessRunning, Next: []store.WorkItem{}}
	if out.Next != nil {
		res.Next = append(res.Next, *out.Next)
	} else {
		res.End, res.State = t.To, store.ProcessCompleted
	}
	p.remember(ctx, res)
	return res, nil
}

// applied finds the answer to the running update if it was applied before,
// in an earlier run of this process.
func (p *process) applied(ctx workflow.Context) (CompleteResult, bool) {
	info := workflow.GetCurrentUpdateInfo(ctx)
	if info == nil {
		return CompleteResult{}, false
	}
	for _, a := range p.recent {
		if a.UpdateID == info.ID {
			return a.Result, true
		}
	}
	return CompleteResult{}, false
}

func (p *process) remember(ctx workflow.Context, res CompleteResult) {
	if info := workflow.GetCurrentUpdateInfo(ctx); info != nil {
		p.recent = append(p.recent, Applied{UpdateID: info.ID, Result: res})
		if len(p.recent) > recentKept {
			p.recent = p.recent[len(p.recent)-recentKept:]
		}
	}
}

func (p *process) validateCancel(ctx workflow.Context, _ CancelRequest) error {
	if p.finished {
		return conflict("process " + p.in.ProcessID + " has already finished")
	}
	return nil
}

// cancel ends the process at once, whatever its stage.
func (p *process) cancel(ctx workflow.Context, req CancelRequest) error {
	if err := workflow.Await(ctx, func() bool { return !p.busy }); err != nil {
		return err
	}
	if p.finished {
		return conflict("process " + p.in.ProcessID + " has already finished")
	}
	// Hold the process while the cancel is applied: a completion or
	// reassignment arriving meanwhile is refused instead of racing it.
	p.busy = true
	defer func() { p.busy = false }()
	if err := workflow.ExecuteLocalActivity(local(ctx), activities.CancelProcessName,
		activities.ProcessInput{ProcessID: p.in.ProcessID, By: req.By}).Get(ctx, nil); err != nil {
		return err
	}
	p.finished, p.current = true, nil
	return nil
}
