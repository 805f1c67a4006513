// Package workflows holds the Temporal workflow that runs a conveyor
// process. Workflow code only: deterministic, all I/O in activities.
package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// Names of the workflow and its updates.
const (
	ProcessWorkflow = "Process"
	UpdateComplete  = "complete"
	UpdateCancel    = "cancel"
	// UpdateEntered answers once the process has entered its first stage
	// (or waits for a supervisor, or has ended): a start can then name the
	// first work item.
	UpdateEntered = "entered"
	TaskQueue     = "conveyor"
)

// stepsPerRun bounds one run's history: a process that loops (call back,
// next step) continues as new before its history grows large.
const stepsPerRun = 100

// Input starts a process, or carries its state across continue-as-new.
type Input struct {
	ProcessID   string
	Plan        *definitions.Plan
	Version     int
	BusinessKey string
	Client      definitions.Client
	Vars        json.RawMessage
	StartedAt   time.Time
	// Carried over continue-as-new; zero at the start.
	Current *Item
	Seq     int
	// Recent are the last completions by update ID. Temporal dedups an
	// update ID within a run only; carrying these lets a client's retry
	// (same Idempotency-Key) after a continue-as-new get its first answer.
	Recent []Applied `json:",omitempty"`
}

// Applied is a completion already applied, by its update ID.
type Applied struct {
	UpdateID string
	Result   CompleteResult
}

// recentKept bounds Recent: retries come within minutes, not hundreds of
// steps later.
const recentKept = 20

// Item is the process's open work item as the workflow knows it.
type Item struct {
	ID       string
	Seq      int
	Stage    string
	Assignee string
	Due      *time.Time
	Overdue  bool
}

// CompleteRequest is the argument of the complete update.
type CompleteRequest struct {
	ItemID string          `json:"itemId"`
	Data   json.RawMessage `json:"data"`
	By     string          `json:"by"`
	Next   NextOverride    `json:"next"`
}

// NextOverride is what the completer may say about the next work item.
type NextOverride struct {
	Assignee     string     `json:"assignee,omitempty"`
	PlannedStart *time.Time `json:"plannedStart,omitempty"`
	Due          *time.Time `json:"due,omitempty"`
}

// CompleteResult is the closed item and what came next.
type CompleteResult struct {
	Item  *wire.WorkItem  `json:"item"`
	Next  []wire.WorkItem `json:"next"`
	End   string          `json:"end,omitempty"`
	State string          `json:"state"`
}

type process struct {
	in       Input
	rt       *definitions.Runtime
	current  *Item
	seq      int
	busy     bool // a completion is being applied
	recent   []Applied
	finished bool
	steps    int
	entered  bool // the first stage is behind: entered, waiting for a supervisor, or failed
}

// EnteredRequest is the argument of the entered update.
type EnteredRequest struct{}

// Process runs one conveyor process on the plan it carries.
func Process(ctx workflow.Context, in Input) error {
	rt, err := definitions.NewRuntime(in.Plan)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "BadPlan", nil)
	}
	p := &process{in: in, rt: rt, current: in.Current, seq: in.Seq, recent: in.Recent}
	// Handlers first: updates that arrive with the first task wait for them.
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateComplete, p.complete,
		workflow.UpdateHandlerOptions{Validator: p.validateComplete}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancel, p.cancel,
		workflow.UpdateHandlerOptions{Validator: p.validateCancel}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReassign, p.reassign,
		workflow.UpdateHandlerOptions{Validator: p.validateReassign}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMove, p.move,
		workflow.UpdateHandlerOptions{Validator: p.validateMove}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSync, p.sync,
		workflow.UpdateHandlerOptions{Validator: p.validateSync}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateEntered, func(ctx workflow.Context, _ EnteredRequest) error {
		return workflow.Await(ctx, func() bool { return p.entered })
	}); err != nil {
		return err
	}

	if p.current == nil && p.seq == 0 {
		if err := p.enterStart(ctx); err != nil {
			return err
		}
	}
	p.entered = true
	for !p.finished {
		p.watchDeadline(ctx)
		if !p.finished && !p.busy && (p.steps >= stepsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			break
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if p.finished {
		return nil
	}
	next := p.in
	next.Current, next.Seq, next.Recent = p.current, p.seq, p.recent
	return workflow.NewContinueAsNewError(ctx, ProcessWorkflow, next)
}

func (p *process) scope(ctx workflow.Context) definitions.Scope {
	sc := definitions.Scope{
		Vars: p.in.Vars, Client: p.in.Client, Now: workflow.Now(ctx).UTC(),
		Process: definitions.Process{
			ID: p.in.ProcessID, Definition: p.in.Plan.ID, Version: p.in.Version,
			BusinessKey: p.in.BusinessKey, StartedAt: p.in.StartedAt,
		},
	}
	if p.current != nil {
		sc.Process.Stage, sc.Process.Assignee = p.current.Stage, p.current.Assignee
	}
	return sc
}

// enterStart opens the first work item. A start nobody may work (a team
// without members who may see the client, an inactive user) and a rule
// that fails at run time (an expression) make the process wait for a
// supervisor, with the reason in plain words: once the cause is fixed they
// move it on (to the first stage again, its executor chosen by its rule)
// or cancel it. Histories from before that failed such a process. Anything
// else (the database away) is retried until it passes.
func (p *process) enterStart(ctx workflow.Context) error {
	for {
		e, err := p.rt.Enter(p.in.Plan.Start, "", nil, nil, p.scope(ctx))
		if errors.Is(err, definitions.ErrExpression) &&
			workflow.GetVersion(ctx, "start-needs-attention", workflow.DefaultVersion, 1) == 1 {
			return recordAttention(ctx, p.in.ProcessID, err.Error())
		}
		if err == nil {
			var out wire.StepOutput
			out, err = applyStep(ctx, wire.Step{ProcessID: p.in.ProcessID, Open: p.open(e, NextOverride{})})
			if err == nil {
				p.moved(out.Next)
				return nil
			}
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || (app.Type() != wire.TypeInvalid && app.Type() != wire.TypeConflict) {
				workflow.GetLogger(ctx).Warn("opening the first work item failed; retrying", "error", err)
				if err := workflow.Sleep(ctx, 30*time.Second); err != nil {
					return err
				}
				continue
			}
		}
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == wire.TypeInvalid &&
			workflow.GetVersion(ctx, "start-unassignable-needs-attention", workflow.DefaultVersion, 1) == 1 {
			return recordAttention(ctx, p.in.ProcessID, app.Message())
		}
		if ferr := failProcess(ctx, p.in.ProcessID, err.Error()); ferr != nil {
			return ferr
		}
		p.finished = true
		return nil
	}
}

// watchDeadline waits until the open item changes or the process ends; when
// the item's deadline passes first, it is marked overdue and escalated.
func (p *process) watchDeadline(ctx workflow.Context) {
	cur := p.current
	changed := func() bool { return p.finished || p.current != cur || p.steps >= stepsPerRun }
	if cur == nil || cur.Due == nil || cur.Overdue {
		_ = workflow.Await(ctx, changed)
		return
	}
	wait := max(cur.Due.Sub(workflow.Now(ctx)), 0)
	if ok, _ := workflow.AwaitWithTimeout(ctx, wait, changed); ok {
		return
	}
	if err := markOverdue(ctx, cur.ID); err != nil {
		workflow.GetLogger(ctx).Error("marking a work item overdue failed", "item", cur.ID, "error", err)
	}
	cur.Overdue = true
}

// open builds the step's new item from an entry and the completer's wishes.
func (p *process) open(e definitions.Entry, next NextOverride) *wire.OpenItem {
	seq := p.seq + 1
	o := &wire.OpenItem{
		ItemID: p.itemID(seq), Seq: seq,
		Stage: e.Stage, Title: e.Title, Rule: e.Assignee, Chosen: next.Assignee,
		PlannedStart: e.PlannedStart, Due: e.Due,
	}
	if next.PlannedStart != nil {
		shift := next.PlannedStart.Sub(o.PlannedStart)
		o.PlannedStart = next.PlannedStart.UTC()
		if o.Due != nil { // the deadline keeps its distance from the start
			d := o.Due.Add(shift)
			o.Due = &d
		}
	}
	if next.Due != nil {
		d := next.Due.UTC()
		o.Due = &d
	}
	return o
}

// itemID is the id of the process's seq-th work item.
func (p *process) itemID(seq int) string { return fmt.Sprintf("%s.%d", p.in.ProcessID, seq) }

func (p *process) moved(next *wire.WorkItem) {
	p.steps++
	if next == nil {
		p.current = nil
		p.finished = true
		return
	}
	p.seq = next.Seq
	p.current = &Item{ID: next.ID, Seq: next.Seq, Stage: next.Stage, Assignee: next.Assignee, Due: next.Due}
}
