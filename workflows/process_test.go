package workflows_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

const pid = "p1"

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// fakeStore stands in for the activities: it records every call and
// resolves assignees the simple way (the named user, else the completer's
// pick, else "<team>-member").
type fakeStore struct {
	env *testsuite.TestWorkflowEnvironment

	failApply func(wire.Step) error // when set and non-nil, ApplyStep fails with it
	view      wire.SyncView         // what ReadProcess finds in the read model

	mu sync.Mutex
	calls
}

// calls is what the activities were asked to do.
type calls struct {
	steps      []wire.Step
	overdue    []overdueCall
	cancelled  []wire.ProcessInput
	failed     []wire.ProcessInput
	reassigned []wire.ReassignInput
	attention  []wire.ProcessInput
}

type overdueCall struct {
	ItemID string
	At     time.Time
}

func (f *fakeStore) ApplyStep(_ context.Context, st wire.Step) (wire.StepOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failApply != nil {
		if err := f.failApply(st); err != nil {
			return wire.StepOutput{}, err
		}
	}
	f.steps = append(f.steps, st)
	if st.Open == nil {
		return wire.StepOutput{}, nil
	}
	o := st.Open
	assignee := o.Rule.User
	switch {
	case assignee != "":
	case o.Chosen != "":
		assignee = o.Chosen
	default:
		assignee = o.Rule.Team + "-member"
	}
	return wire.StepOutput{Next: &wire.WorkItem{
		ID: o.ItemID, ProcessID: st.ProcessID, Seq: o.Seq, Stage: o.Stage, Title: o.Title,
		Assignee: assignee, State: "attention", PlannedStart: o.PlannedStart, Due: o.Due,
	}}, nil
}

func (f *fakeStore) MarkOverdue(_ context.Context, in wire.OverdueInput) (wire.OverdueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overdue = append(f.overdue, overdueCall{ItemID: in.ItemID, At: f.env.Now().UTC()})
	return wire.OverdueOutput{Escalated: true}, nil
}

func (f *fakeStore) CancelProcess(_ context.Context, in wire.ProcessInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, in)
	return nil
}

func (f *fakeStore) FailProcess(_ context.Context, in wire.ProcessInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, in)
	return nil
}

func (f *fakeStore) Reassign(_ context.Context, in wire.ReassignInput) (wire.WorkItem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reassigned = append(f.reassigned, in)
	return wire.WorkItem{ID: in.ItemID, ProcessID: pid, Assignee: in.To, State: "attention"}, nil
}

func (f *fakeStore) ReadProcess(_ context.Context, _ wire.ProcessInput) (wire.SyncView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.view, nil
}

func (f *fakeStore) NeedAttention(_ context.Context, in wire.ProcessInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attention = append(f.attention, in)
	return nil
}

// snapshot copies the recorded calls, so assertions need no lock.
func (f *fakeStore) snapshot() calls {
	f.mu.Lock()
	defer f.mu.Unlock()
	return calls{
		steps: append([]wire.Step(nil), f.steps...), overdue: append([]overdueCall(nil), f.overdue...),
		cancelled:  append([]wire.ProcessInput(nil), f.cancelled...),
		failed:     append([]wire.ProcessInput(nil), f.failed...),
		reassigned: append([]wire.ReassignInput(nil), f.reassigned...),
		attention:  append([]wire.ProcessInput(nil), f.attention...),
	}
}

// closed lists the ids of the items the workflow asked to close.
func (f calls) closed() []string {
	var out []string
	for _, st := range f.steps {
		if st.Close != nil {
			out = append(out, st.Close.ItemID)
		}
	}
	return out
}

type harness struct {
	t    *testing.T
	s    testsuite.WorkflowTestSuite
	env  *testsuite.TestWorkflowEnvironment
	fake *fakeStore
	plan *definitions.Plan
}

func salesPlan(t *testing.T) *definitions.Plan {
	t.Helper()
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	plan, err := definitions.Compile(src)
	require.NoError(t, err)
	return plan
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, plan: salesPlan(t)}
	h.s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	h.env = h.s.NewTestWorkflowEnvironment()
	h.env.SetStartTime(t0)
	h.env.SetTestTimeout(30 * time.Second)
	h.fake = &fakeStore{env: h.env}
	h.env.RegisterWorkflowWithOptions(workflows.Process, workflow.RegisterOptions{Name: workflows.ProcessWorkflow})
	for name, fn := range map[string]any{
		wire.ApplyStep:     h.fake.ApplyStep,
		wire.MarkOverdue:   h.fake.MarkOverdue,
		wire.CancelProcess: h.fake.CancelProcess,
		wire.FailProcess:   h.fake.FailProcess,
		wire.Reassign:      h.fake.Reassign,
		wire.ReadProcess:   h.fake.ReadProcess,
		wire.NeedAttention: h.fake.NeedAttention,
	} {
		h.env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	return h
}

func (h *harness) input() workflows.Input {
	return workflows.Input{
		ProcessID: pid, Plan: h.plan, Version: 1, BusinessKey: "client-42",
		Client:    definitions.Client{ID: "42", Name: "Acme"},
		Vars:      json.RawMessage(`{"source":"cold-base"}`),
		StartedAt: t0,
	}
}

// outcome is what became of one update.
type outcome struct {
	sent, accepted, rejected, completed bool
	rejectErr, err                      error
	result                              any
}

// updateAt sends an update after d of workflow time.
func (h *harness) updateAt(d time.Duration, name string, arg any) *outcome {
	o := &outcome{}
	h.env.RegisterDelayedCallback(func() { h.send(o, name, arg) }, d)
	return o
}

func (h *harness) send(o *outcome, name string, arg any) { h.sendAs(o, name, "", arg) }

// sendAs sends an update with its ID ("": a new one).
func (h *harness) sendAs(o *outcome, name, id string, arg any) {
	o.sent = true
	h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnAccept:   func() { o.accepted = true },
		OnReject:   func(err error) { o.rejected, o.rejectErr = true, err },
		OnComplete: func(res any, err error) { o.completed, o.result, o.err = true, res, err },
	}, arg)
}

func (h *harness) completeAt(d time.Duration, itemID, data string, next workflows.NextOverride) *outcome {
	return h.updateAt(d, workflows.UpdateComplete, workflows.CompleteRequest{
		ItemID: itemID, Data: json.RawMessage(data), By: "tester", Next: next,
	})
}

func (h *harness) cancelAt(d time.Duration) *outcome {
	return h.updateAt(d, workflows.UpdateCancel, workflows.CancelRequest{By: "olga"})
}

func (h *harness) run() {
	h.t.Helper()
	h.env.ExecuteWorkflow(workflows.ProcessWorkflow, h.input())
	require.True(h.t, h.env.IsWorkflowCompleted(), "the workflow did not finish")
}

// succeeded asserts the update was accepted and completed without error and
// returns its result.
func succeeded(t *testing.T, o *outcome) any {
	t.Helper()
	require.True(t, o.sent, "the update was never sent")
	require.False(t, o.rejected, "rejected: %v", o.rejectErr)
	require.True(t, o.accepted, "not accepted")
	require.True(t, o.completed, "not completed")
	require.NoError(t, o.err)
	return o.result
}

func completeResult(t *testing.T, o *outcome) workflows.CompleteResult {
	t.Helper()
	switch r := succeeded(t, o).(type) {
	case workflows.CompleteResult:
		return r
	case *workflows.CompleteResult:
		return *r
	case converter.EncodedValue:
		var res workflows.CompleteResult
		require.NoError(t, r.Get(&res))
		return res
	default:
		t.Fatalf("update result of type %T", r)
		return workflows.CompleteResult{}
	}
}

// refusedWith asserts the update was refused with an application error of
// type typ: by its validator, or by its handler when it had to wait for a
// step under way before it could be checked.
func refusedWith(t *testing.T, o *outcome, typ string) {
	t.Helper()
	if o.rejected {
		rejectedWith(t, o, typ)
		return
	}
	require.True(t, o.completed, "neither rejected nor completed")
	var ae *temporal.ApplicationError
	require.ErrorAs(t, o.err, &ae)
	require.Equal(t, typ, ae.Type(), "%v", ae)
}

// rejectedWith asserts the update was refused by its validator with an
// application error of type typ, and returns that error.
func rejectedWith(t *testing.T, o *outcome, typ string) *temporal.ApplicationError {
	t.Helper()
	require.True(t, o.sent, "the update was never sent")
	require.True(t, o.rejected, "not rejected (accepted=%v, err=%v)", o.accepted, o.err)
	require.False(t, o.accepted, "a rejected update must not be accepted")
	var ae *temporal.ApplicationError
	require.ErrorAs(t, o.rejectErr, &ae)
	require.Equal(t, typ, ae.Type(), "%v", ae)
	return ae
}

func fieldErrors(t *testing.T, ae *temporal.ApplicationError) []definitions.FieldError {
	t.Helper()
	require.True(t, ae.HasDetails(), "%v carries no details", ae)
	var fe []definitions.FieldError
	require.NoError(t, ae.Details(&fe))
	return fe
}

func paths(fe []definitions.FieldError) []string {
	var out []string
	for _, e := range fe {
		out = append(out, e.Path)
	}
	return out
}

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

func TestTheThreeManagerConveyorRunsFromColdCallToWon(t *testing.T) {
	h := newHarness(t)
	interested := h.completeAt(time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	won := h.completeAt(2*time.Hour, pid+".2", `{"result":"won","amount":100}`, workflows.NextOverride{Assignee: "sergey"})
	done := h.completeAt(3*time.Hour, pid+".3", `{"result":"done"}`, workflows.NextOverride{})
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	f := h.fake.snapshot()
	require.Len(t, f.steps, 4)

	// Start: the first cold call, given round robin to a cold caller.
	first := f.steps[0]
	require.Equal(t, pid, first.ProcessID)
	require.Nil(t, first.Close)
	require.Nil(t, first.Progress)
	require.Equal(t, &wire.OpenItem{
		ItemID: pid + ".1", Seq: 1, Stage: "cold_call", Title: "Cold call",
		Rule:         definitions.Assignee{Kind: definitions.AssignTeam, Team: "cold-callers", Pick: definitions.PickRoundRobin},
		PlannedStart: t0, Due: ptr(t0.Add(48 * time.Hour)),
	}, first.Open)

	// Interested: the deal goes to the least loaded deal maker.
	res := completeResult(t, interested)
	require.Equal(t, wire.Running, res.State)
	require.Empty(t, res.End)
	require.Len(t, res.Next, 1)
	require.Equal(t, pid+".2", res.Next[0].ID)
	require.Equal(t, "deal", res.Next[0].Stage)
	require.Equal(t, "deal-makers-member", res.Next[0].Assignee)

	st := f.steps[1]
	require.Equal(t, &wire.CloseItem{ItemID: pid + ".1", Data: json.RawMessage(`{"result":"interested"}`), By: "tester"}, st.Close)
	require.Equal(t, ptr(20), st.Progress)
	require.Empty(t, st.End)
	require.Equal(t, &wire.OpenItem{
		ItemID: pid + ".2", Seq: 2, Stage: "deal", Title: "Deal",
		Rule:         definitions.Assignee{Kind: definitions.AssignTeam, Team: "deal-makers", Pick: definitions.PickLeastLoaded},
		PlannedStart: at(time.Hour), Due: ptr(at(time.Hour + 5*24*time.Hour)),
	}, st.Open)

	// Won: the deal maker names the service manager.
	res = completeResult(t, won)
	require.Equal(t, wire.Running, res.State)
	require.Len(t, res.Next, 1)
	require.Equal(t, "sergey", res.Next[0].Assignee)
	st = f.steps[2]
	require.Equal(t, pid+".2", st.Close.ItemID)
	require.Equal(t, ptr(70), st.Progress)
	require.Equal(t, &wire.OpenItem{
		ItemID: pid + ".3", Seq: 3, Stage: "service", Title: "Service",
		Rule:   definitions.Assignee{Kind: definitions.AssignChoose, Team: "service"},
		Chosen: "sergey", PlannedStart: at(2 * time.Hour), Due: ptr(at(2*time.Hour + 10*24*time.Hour)),
	}, st.Open)

	// Done: the process reaches the end "won".
	res = completeResult(t, done)
	require.Equal(t, workflows.CompleteResult{Next: []wire.WorkItem{}, End: "won", State: wire.Completed}, res)
	st = f.steps[3]
	require.Equal(t, pid+".3", st.Close.ItemID)
	require.Equal(t, "won", st.End)
	require.Nil(t, st.Open)
	require.Equal(t, ptr(100), st.Progress)

	require.Empty(t, f.overdue, "nothing was late")
	require.Empty(t, f.cancelled)
	require.Empty(t, f.failed)
}

func TestACallBackReturnsTheClientToTheSameCallerAtTheAgreedTime(t *testing.T) {
	h := newHarness(t)
	callBackAt := at(72 * time.Hour)
	cb := h.completeAt(time.Hour, pid+".1",
		`{"result":"call_back","callBackAt":"`+callBackAt.Format(time.RFC3339)+`"}`, workflows.NextOverride{})
	cancel := h.cancelAt(2 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	res := completeResult(t, cb)
	require.Len(t, res.Next, 1)
	require.Equal(t, "cold-callers-member", res.Next[0].Assignee)
	succeeded(t, cancel)

	f := h.fake.snapshot()
	require.Len(t, f.steps, 2)
	require.Equal(t, ptr(20), f.steps[1].Progress)
	require.Equal(t, &wire.OpenItem{
		ItemID: pid + ".2", Seq: 2, Stage: "cold_call", Title: "Cold call",
		Rule:         definitions.Assignee{Kind: definitions.AssignSame, User: "cold-callers-member"},
		PlannedStart: callBackAt, Due: ptr(callBackAt.Add(48 * time.Hour)),
	}, f.steps[1].Open)
}

func TestTheValidatorRejectsBadCompletionsAndNothingIsApplied(t *testing.T) {
	h := newHarness(t)
	badData := h.completeAt(time.Hour, pid+".1", `{"result":"maybe"}`, workflows.NextOverride{})
	wrongItem := h.completeAt(time.Hour, pid+".9", `{"result":"interested"}`, workflows.NextOverride{})
	notSame := h.completeAt(time.Hour, pid+".1", `{"result":"call_back","callBackAt":"2026-12-02T10:00:00Z"}`, workflows.NextOverride{Assignee: "someone-else"})
	interested := h.completeAt(2*time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	again := h.completeAt(3*time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	noChoice := h.completeAt(3*time.Hour, pid+".2", `{"result":"won","amount":100}`, workflows.NextOverride{})
	reassignOld := h.updateAt(3*time.Hour, workflows.UpdateReassign, workflows.ReassignRequest{ItemID: pid + ".1", To: "maria"})
	cancel := h.cancelAt(4 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	ae := rejectedWith(t, badData, wire.TypeInvalid)
	require.Contains(t, paths(fieldErrors(t, ae)), "/data/result")

	rejectedWith(t, wrongItem, wire.TypeConflict)

	ae = rejectedWith(t, notSame, wire.TypeInvalid)
	require.Equal(t, []string{"/next/assignee"}, paths(fieldErrors(t, ae)))

	completeResult(t, interested)
	rejectedWith(t, again, wire.TypeConflict)

	ae = rejectedWith(t, noChoice, wire.TypeInvalid)
	require.Equal(t, []string{"/next/assignee"}, paths(fieldErrors(t, ae)))

	rejectedWith(t, reassignOld, wire.TypeConflict)
	succeeded(t, cancel)

	f := h.fake.snapshot()
	require.Len(t, f.steps, 2, "only the start and the one valid completion were applied")
	require.Equal(t, []string{pid + ".1"}, f.closed())
	require.Empty(t, f.reassigned)
}

func TestAnItemLeftPastItsDeadlineIsMarkedOverdueOnceAndCanStillBeCompleted(t *testing.T) {
	h := newHarness(t)
	late := h.completeAt(50*time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	cancel := h.cancelAt(51 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	f := h.fake.snapshot()
	require.Equal(t, []overdueCall{{ItemID: pid + ".1", At: at(48 * time.Hour)}}, f.overdue)

	res := completeResult(t, late)
	require.Len(t, res.Next, 1)
	require.Equal(t, "deal", res.Next[0].Stage)
	require.Equal(t, []string{pid + ".1"}, f.closed())
	succeeded(t, cancel)
}

func TestAnOverdueItemIsNotMarkedAgainWhileItWaits(t *testing.T) {
	h := newHarness(t)
	cancel := h.cancelAt(30 * 24 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())
	succeeded(t, cancel)
	f := h.fake.snapshot()
	require.Equal(t, []overdueCall{{ItemID: pid + ".1", At: at(48 * time.Hour)}}, f.overdue)
}

func TestCancelEndsTheProcessAndLaterUpdatesFindItFinished(t *testing.T) {
	h := newHarness(t)
	cancel := h.cancelAt(time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	succeeded(t, cancel)
	f := h.fake.snapshot()
	require.Len(t, f.cancelled, 1)
	require.NotEmpty(t, f.cancelled[0].UpdateID, "the cancel's change carries its Update, for the reconciler")
	f.cancelled[0].UpdateID = ""
	require.Equal(t, []wire.ProcessInput{{ProcessID: pid, By: "olga"}}, f.cancelled)
	require.Len(t, f.steps, 1, "only the start was applied")
	require.Empty(t, f.closed())
	require.Empty(t, f.overdue)
}

// A completion sent while the cancel is being applied must not slip in: the
// process is going away.
func TestACompletionRacingACancelIsRefused(t *testing.T) {
	h := newHarness(t)
	cancel, complete := &outcome{}, &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.send(cancel, workflows.UpdateCancel, workflows.CancelRequest{By: "olga"})
		h.send(complete, workflows.UpdateComplete, workflows.CompleteRequest{
			ItemID: pid + ".1", Data: json.RawMessage(`{"result":"interested"}`), By: "tester",
		})
	}, time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	succeeded(t, cancel)
	refusedWith(t, complete, wire.TypeConflict)
	f := h.fake.snapshot()
	require.Len(t, f.cancelled, 1)
	require.Empty(t, f.closed(), "no completion was applied to a cancelled process")
}

func TestALoopingProcessContinuesAsNewCarryingItsOpenItem(t *testing.T) {
	h := newHarness(t)
	// The start is step 1; 99 call backs make 100 steps, a full run.
	const loops = 99
	outs := make([]*outcome, loops)
	for i := range loops {
		callBackAt := at(time.Duration(i+2) * time.Hour)
		outs[i] = h.completeAt(time.Duration(i+1)*time.Hour, pid+"."+strconv.Itoa(i+1),
			`{"result":"call_back","callBackAt":"`+callBackAt.Format(time.RFC3339)+`"}`, workflows.NextOverride{})
	}
	h.run()

	for _, o := range outs {
		completeResult(t, o)
	}
	err := h.env.GetWorkflowError()
	require.Error(t, err)
	require.True(t, workflow.IsContinueAsNewError(err), "%v", err)
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can)
	require.Equal(t, workflows.ProcessWorkflow, can.WorkflowType.Name)

	var in workflows.Input
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
	require.Equal(t, 100, in.Seq)
	require.NotNil(t, in.Current)
	require.Equal(t, pid+".100", in.Current.ID)
	require.Equal(t, 100, in.Current.Seq)
	require.Equal(t, "cold_call", in.Current.Stage)
	require.Equal(t, "cold-callers-member", in.Current.Assignee)
	require.NotNil(t, in.Current.Due)
	require.True(t, in.Current.Due.Equal(at(100*time.Hour+48*time.Hour)), "due %v", in.Current.Due)
	require.False(t, in.Current.Overdue)
	require.Equal(t, pid, in.ProcessID)
	require.Equal(t, h.plan.Hash, in.Plan.Hash)
	require.Equal(t, "client-42", in.BusinessKey)
	require.True(t, in.StartedAt.Equal(t0))
	require.Len(t, h.fake.snapshot().steps, 100)

	// The next run picks up the carried item: no new start, and `same` still
	// knows the caller.
	h2 := newHarness(t)
	h2.env.SetStartTime(at(99 * time.Hour))
	interested := h2.completeAt(time.Hour, pid+".100", `{"result":"interested"}`, workflows.NextOverride{})
	cancel := h2.cancelAt(2 * time.Hour)
	h2.env.ExecuteWorkflow(workflows.ProcessWorkflow, in)
	require.True(t, h2.env.IsWorkflowCompleted())
	require.NoError(t, h2.env.GetWorkflowError())
	res := completeResult(t, interested)
	require.Equal(t, pid+".101", res.Next[0].ID)
	succeeded(t, cancel)
	f := h2.fake.snapshot()
	require.Len(t, f.steps, 1, "the new run applies no start step")
	require.Equal(t, pid+".100", f.steps[0].Close.ItemID)
	require.Equal(t, 101, f.steps[0].Open.Seq)
}

func TestTheServerSuggestingContinueAsNewEndsTheRunAtTheNextStep(t *testing.T) {
	h := newHarness(t)
	h.env.SetContinueAsNewSuggested(true)
	interested := h.completeAt(time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	h.run()
	completeResult(t, interested)
	err := h.env.GetWorkflowError()
	require.True(t, workflow.IsContinueAsNewError(err), "%v", err)
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can)
	var in workflows.Input
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
	require.Equal(t, 2, in.Seq)
	require.Equal(t, pid+".2", in.Current.ID)
	require.Equal(t, "deal", in.Current.Stage)
}

func TestAStartNobodyMayWorkWaitsForASupervisorWithTheReason(t *testing.T) {
	h := newHarness(t)
	h.fake.failApply = func(st wire.Step) error {
		if st.Close == nil {
			return temporal.NewNonRetryableApplicationError("team cold-callers has no active members", wire.TypeInvalid, nil)
		}
		return nil
	}
	h.cancelAt(time.Hour) // a supervisor may cancel it; moving it on is tested against a real server
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	f := h.fake.snapshot()
	require.Empty(t, f.steps)
	require.Empty(t, f.failed, "the process is not failed: it can be moved on once the team has members")
	require.Len(t, f.attention, 1)
	require.Equal(t, pid, f.attention[0].ProcessID)
	require.Equal(t, "team cold-callers has no active members", f.attention[0].Reason, "in plain words, not the activity's error")
}

func TestAFailedStepLeavesTheItemOpenForAnotherTry(t *testing.T) {
	h := newHarness(t)
	var failedOnce bool
	h.fake.failApply = func(st wire.Step) error {
		if st.Close != nil && !failedOnce {
			failedOnce = true
			return temporal.NewNonRetryableApplicationError(`next.assignee: "bob" is not an active member of team service`, wire.TypeInvalid, nil)
		}
		return nil
	}
	first := h.completeAt(time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	second := h.completeAt(2*time.Hour, pid+".1", `{"result":"interested"}`, workflows.NextOverride{})
	cancel := h.cancelAt(3 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	require.True(t, first.accepted)
	require.Error(t, first.err)
	var ae *temporal.ApplicationError
	require.ErrorAs(t, first.err, &ae)
	require.Equal(t, wire.TypeInvalid, ae.Type())
	res := completeResult(t, second)
	require.Equal(t, pid+".2", res.Next[0].ID)
	succeeded(t, cancel)
}

func TestReassignMovesTheItemAndSameFollowsTheNewAssignee(t *testing.T) {
	h := newHarness(t)
	reassign := h.updateAt(time.Hour, workflows.UpdateReassign, workflows.ReassignRequest{ItemID: pid + ".1", To: "maria", By: "boss"})
	cb := h.completeAt(2*time.Hour, pid+".1", `{"result":"call_back","callBackAt":"`+at(24*time.Hour).Format(time.RFC3339)+`"}`, workflows.NextOverride{})
	cancel := h.cancelAt(3 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())

	succeeded(t, reassign)
	res := completeResult(t, cb)
	require.Equal(t, "maria", res.Next[0].Assignee)
	succeeded(t, cancel)

	f := h.fake.snapshot()
	require.Len(t, f.reassigned, 1)
	require.NotEmpty(t, f.reassigned[0].UpdateID, "the reassignment carries its Update, for the reconciler")
	f.reassigned[0].UpdateID = ""
	require.Equal(t, []wire.ReassignInput{{ItemID: pid + ".1", To: "maria", By: "boss"}}, f.reassigned)
	require.Len(t, f.steps, 2)
	require.Equal(t, definitions.Assignee{Kind: definitions.AssignSame, User: "maria"}, f.steps[1].Open.Rule)
}

func TestACallBackPlannedInThePastIsOverdueAtOnce(t *testing.T) {
	h := newHarness(t)
	callBackAt := t0.Add(-72 * time.Hour) // due a day before the completion
	cb := h.completeAt(time.Hour, pid+".1",
		`{"result":"call_back","callBackAt":"`+callBackAt.Format(time.RFC3339)+`"}`, workflows.NextOverride{})
	cancel := h.cancelAt(2 * time.Hour)
	h.run()
	require.NoError(t, h.env.GetWorkflowError())
	completeResult(t, cb)
	succeeded(t, cancel)
	f := h.fake.snapshot()
	require.Equal(t, []overdueCall{{ItemID: pid + ".2", At: at(time.Hour)}}, f.overdue)
}

// A client retrying a completion (the same update ID, the API's
// Idempotency-Key) after the process continued as new gets the first answer
// again, and nothing is applied twice.
func TestARetriedCompletionAfterContinueAsNewGetsItsFirstAnswer(t *testing.T) {
	h := newHarness(t)
	in := h.input()
	in.Current = &workflows.Item{ID: pid + ".7", Seq: 7, Stage: "cold_call", Assignee: "ivan"}
	in.Seq = 7
	first := workflows.CompleteResult{State: wire.Running, Next: []wire.WorkItem{{ID: pid + ".7", Seq: 7}}}
	in.Recent = []workflows.Applied{{UpdateID: "key-1", Result: first}}

	retried := &outcome{}
	fresh := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		retried.sent = true
		h.env.UpdateWorkflow(workflows.UpdateComplete, "key-1", &testsuite.TestUpdateCallback{
			OnAccept:   func() { retried.accepted = true },
			OnReject:   func(err error) { retried.rejected, retried.rejectErr = true, err },
			OnComplete: func(res any, err error) { retried.completed, retried.result, retried.err = true, res, err },
		}, workflows.CompleteRequest{ItemID: pid + ".6", Data: json.RawMessage(`{"result":"call_back"}`), By: "ivan"})
	}, time.Minute)
	h.env.RegisterDelayedCallback(func() {
		fresh.sent = true
		h.env.UpdateWorkflow(workflows.UpdateComplete, "key-2", &testsuite.TestUpdateCallback{
			OnAccept:   func() { fresh.accepted = true },
			OnReject:   func(err error) { fresh.rejected, fresh.rejectErr = true, err },
			OnComplete: func(res any, err error) { fresh.completed, fresh.result, fresh.err = true, res, err },
		}, workflows.CompleteRequest{ItemID: pid + ".6", Data: json.RawMessage(`{"result":"call_back"}`), By: "ivan"})
	}, 2*time.Minute)
	cancel := h.cancelAt(3 * time.Minute)
	h.env.ExecuteWorkflow(workflows.ProcessWorkflow, in)
	require.True(t, h.env.IsWorkflowCompleted())
	require.Equal(t, first, completeResult(t, retried), "the retry gets the first answer")
	rejectedWith(t, fresh, wire.TypeConflict)
	succeeded(t, cancel)
	require.Empty(t, h.fake.snapshot().steps, "nothing was applied again")
}
