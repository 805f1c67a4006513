package workflows

import (
	"errors"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// The workflow's refusals, in the one encoding that crosses Temporal.
func conflict(msg string) error { return wire.Refusal(refusal.ErrConflict, msg) }

func invalid(msg string, fields ...definitions.FieldError) error {
	return wire.Refusal(refusal.ErrInvalid, msg, fields...)
}

// validateComplete refuses, before anything enters history, a completion of
// an item that is not the open one and data that fails the stage's form.
// The item after the open one is let through: the read model may already
// hold it from a step whose Update was lost, which the handler adopts.
func (p *process) validateComplete(ctx workflow.Context, req CompleteRequest) error {
	if _, ok := p.applied(ctx); ok {
		return nil // a retry of a completion already applied: its answer again
	}
	if p.busy || p.mayBeAhead(req.ItemID) {
		return nil // decided by the handler, once the step under way is done
	}
	if p.finished || p.current == nil || p.current.ID != req.ItemID {
		return conflict("work item " + req.ItemID + " is not open")
	}
	return p.checkCompletion(ctx, req)
}

// checkCompletion checks req against the open item's stage: its form, and
// what the completer says of the next executor. A rule of the definition
// that fails at run time lets the completion through, for the handler to
// record why the process needs attention.
func (p *process) checkCompletion(ctx workflow.Context, req CompleteRequest) error {
	if err := p.rt.CheckData(p.current.Stage, req.Data); err != nil {
		var de definitions.DataError
		if errors.As(err, &de) {
			for i := range de {
				de[i].Path = "/data" + de[i].Path
			}
			return invalid("completion data does not fit the form of stage "+p.current.Stage, de...)
		}
		return invalid(err.Error())
	}
	_, e, err := p.decide(ctx, req)
	if errors.Is(err, definitions.ErrExpression) {
		return nil
	}
	if err != nil {
		return invalid(err.Error())
	}
	if e == nil {
		return nil
	}
	switch {
	case e.Assignee.Kind == definitions.AssignChoose && req.Next.Assignee == "":
		return invalid("next.assignee: stage "+e.Stage+" is given to a member of team "+e.Assignee.Team+" chosen by you",
			definitions.FieldError{Path: "/next/assignee", Message: "choose a member of team " + e.Assignee.Team})
	case (e.Assignee.Kind == definitions.AssignUser || e.Assignee.Kind == definitions.AssignSame) &&
		req.Next.Assignee != "" && req.Next.Assignee != e.Assignee.User:
		return invalid("next.assignee: the definition gives stage "+e.Stage+" to "+e.Assignee.User,
			definitions.FieldError{Path: "/next/assignee", Message: "the definition names the executor"})
	}
	return nil
}

// mayBeAhead tells whether itemID is the item a lost step would have
// opened next.
func (p *process) mayBeAhead(itemID string) bool {
	return itemID == p.itemID(p.seq+1)
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
	// Another step under way (a completion, a sync) goes first; this one is
	// then checked against where it left the process.
	unchecked := p.busy
	if err := workflow.Await(ctx, func() bool { return !p.busy }); err != nil {
		return CompleteResult{}, err
	}
	if res, ok := p.applied(ctx); ok {
		return res, nil
	}
	if p.mayBeAhead(req.ItemID) && !p.finished {
		// The completer works on an item the read model already has: the
		// step that opened it lost its Update. Take that step first.
		if err := p.syncFromReadModel(ctx); err != nil {
			return CompleteResult{}, err
		}
		if res, ok := p.applied(ctx); ok {
			return res, nil
		}
		unchecked = true
	}
	if p.finished || p.current == nil || p.current.ID != req.ItemID {
		return CompleteResult{}, conflict("work item " + req.ItemID + " is not open")
	}
	if unchecked {
		if err := p.checkCompletion(ctx, req); err != nil {
			return CompleteResult{}, err
		}
	}
	p.busy = true
	defer func() { p.busy = false }()

	t, e, err := p.decide(ctx, req)
	if errors.Is(err, definitions.ErrExpression) {
		return CompleteResult{}, p.needAttention(ctx, err)
	}
	if err != nil {
		return CompleteResult{}, invalid(err.Error())
	}
	step := wire.Step{
		ProcessID: p.in.ProcessID,
		Close:     &wire.CloseItem{ItemID: req.ItemID, Data: req.Data, By: req.By},
		Progress:  p.in.Plan.Stages[p.current.Stage].Progress,
		UpdateID:  updateID(ctx),
	}
	if e == nil {
		step.End = t.To
	} else {
		step.Open = p.open(*e, req.Next)
	}
	out, err := applyStep(ctx, step)
	if err != nil {
		return CompleteResult{}, err
	}
	res := p.stepped(out, t.To)
	p.remember(ctx, res)
	return res, nil
}

// stepped moves the workflow on to an applied step's next item and tells
// what came of it; end is the end reached when there is no next item.
func (p *process) stepped(out wire.StepOutput, end string) CompleteResult {
	p.moved(out.Next)
	res := CompleteResult{Item: out.Closed, State: wire.Running, Next: []wire.WorkItem{}}
	if out.Next != nil {
		res.Next = append(res.Next, *out.Next)
	} else {
		res.End, res.State = end, wire.Completed
	}
	return res
}

// needAttention records on the process that a rule of its definition
// failed, and refuses the completion with the reason. The item stays open:
// a supervisor cancels the process or moves it on.
func (p *process) needAttention(ctx workflow.Context, cause error) error {
	// expr adds the source with a caret under the fault on further lines;
	// the first line names the stage, the rule and the fault.
	reason, _, _ := strings.Cut(cause.Error(), "\n")
	if err := recordAttention(ctx, p.in.ProcessID, reason); err != nil {
		return err
	}
	return invalid("the conveyor's rule failed, the process needs a supervisor's attention: " + reason)
}

func updateID(ctx workflow.Context) string {
	if info := workflow.GetCurrentUpdateInfo(ctx); info != nil {
		return info.ID
	}
	return ""
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
	p.rememberID(updateID(ctx), res)
}

func (p *process) rememberID(id string, res CompleteResult) {
	if id == "" {
		return
	}
	p.recent = append(p.recent, Applied{UpdateID: id, Result: res})
	if len(p.recent) > recentKept {
		p.recent = p.recent[len(p.recent)-recentKept:]
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
	if err := cancelInReadModel(ctx, wire.ProcessInput{ProcessID: p.in.ProcessID, By: req.By, Reason: req.Reason, UpdateID: updateID(ctx)}); err != nil {
		return err
	}
	p.finished, p.current = true, nil
	return nil
}
