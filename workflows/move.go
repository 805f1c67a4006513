package workflows

import (
	"encoding/json"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// UpdateMove moves a process on by a supervisor's word, past a rule of its
// definition that failed: the open item (if any) is closed and the named
// stage opened for the named user, or the named end reached. No expression
// of the definition runs, so a broken one cannot stop it.
const UpdateMove = "move"

type MoveRequest struct {
	// ItemID is the open item moved on from; "" when the process has none
	// (its first stage could not be entered).
	ItemID   string `json:"itemId,omitempty"`
	To       string `json:"to"`
	Assignee string `json:"assignee,omitempty"`
	By       string `json:"by"`
}

func (p *process) validateMove(ctx workflow.Context, req MoveRequest) error {
	if p.busy {
		return nil // decided by the handler, once the step under way is done
	}
	return p.mayMove(req)
}

func (p *process) mayMove(req MoveRequest) error {
	if p.finished {
		return conflict("process " + p.in.ProcessID + " has already finished")
	}
	if (p.current == nil && req.ItemID != "") || (p.current != nil && p.current.ID != req.ItemID) {
		return conflict("work item " + req.ItemID + " is not open")
	}
	_, isStage := p.in.Plan.Stages[req.To]
	_, isEnd := p.in.Plan.Ends[req.To]
	switch {
	case !isStage && !isEnd:
		return invalid("to: "+req.To+" is neither a stage nor an end of this conveyor",
			definitions.FieldError{Path: "/to", Message: "not a stage or an end"})
	case isStage && req.Assignee == "":
		return invalid("assignee: name who works stage "+req.To,
			definitions.FieldError{Path: "/assignee", Message: "required for a stage"})
	}
	return nil
}

func (p *process) move(ctx workflow.Context, req MoveRequest) (CompleteResult, error) {
	if err := workflow.Await(ctx, func() bool { return !p.busy }); err != nil {
		return CompleteResult{}, err
	}
	if err := p.mayMove(req); err != nil {
		return CompleteResult{}, err
	}
	p.busy = true
	defer func() { p.busy = false }()
	step := wire.Step{ProcessID: p.in.ProcessID, UpdateID: updateID(ctx)}
	if p.current != nil {
		step.Close = &wire.CloseItem{ItemID: p.current.ID, Data: json.RawMessage(`{}`), By: req.By}
	}
	if st, ok := p.in.Plan.Stages[req.To]; ok {
		now := workflow.Now(ctx).UTC()
		e := definitions.Entry{Stage: req.To, Title: st.Title, PlannedStart: now,
			Assignee: definitions.Assignee{Kind: definitions.AssignUser, User: req.Assignee}}
		if st.Due != 0 {
			d := now.Add(time.Duration(st.Due))
			e.Due = &d
		}
		step.Open = p.open(e, NextOverride{})
	} else {
		step.End = req.To
	}
	out, err := applyStep(ctx, step)
	if err != nil {
		return CompleteResult{}, err
	}
	return p.stepped(out, req.To), nil
}
