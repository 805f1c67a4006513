package workflows_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

// lostStep is the read model after ivan's completion of p1.1 committed but
// its Update was lost: p1.1 done, maria's deal p1.2 open.
func lostStep() wire.SyncView {
	return wire.SyncView{
		State: wire.Running, UpdateID: "lost",
		Closed: &wire.WorkItem{ID: pid + ".1", Seq: 1, Stage: "cold_call", State: "done", Data: json.RawMessage(`{"result":"interested"}`)},
		Open:   &wire.WorkItem{ID: pid + ".2", Seq: 2, Stage: "deal", Assignee: "maria", State: "attention"},
	}
}

func TestASyncAdoptsTheStepTheReadModelHasAndAnswersItsLostUpdate(t *testing.T) {
	h := newHarness(t)
	h.fake.view = lostStep()
	sync := h.updateAt(time.Minute, workflows.UpdateSync, workflows.SyncRequest{State: wire.Running, ItemID: pid + ".2", Assignee: "maria"})
	retry := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.sendAs(retry, workflows.UpdateComplete, "lost", workflows.CompleteRequest{ItemID: pid + ".1", Data: json.RawMessage(`{"result":"interested"}`), By: "ivan"})
	}, 2*time.Minute)
	deal := h.completeAt(3*time.Minute, pid+".2", `{"result":"lost"}`, workflows.NextOverride{})
	h.run()

	succeeded(t, sync)
	first := completeResult(t, retry)
	require.Equal(t, pid+".2", first.Next[0].ID, "the retry of the lost Update gets the answer it would have had")
	require.Equal(t, "lost", completeResult(t, deal).End)
	require.Equal(t, []string{pid + ".2"}, h.fake.snapshot().closed(), "p1.1 is not closed a second time")
}

func TestAProcessThatAgreesWithTheReadModelRefusesASync(t *testing.T) {
	h := newHarness(t)
	sync := h.updateAt(time.Minute, workflows.UpdateSync, workflows.SyncRequest{State: wire.Running, ItemID: pid + ".1", Assignee: "cold-callers-member"})
	h.cancelAt(2 * time.Minute)
	h.run()
	rejectedWith(t, sync, workflows.TypeInSync)
}

func TestACompletionOfTheItemALostStepOpenedAdoptsThatStepFirst(t *testing.T) {
	h := newHarness(t)
	h.fake.view = lostStep()
	deal := h.completeAt(time.Minute, pid+".2", `{"result":"lost"}`, workflows.NextOverride{})
	h.run()
	require.Equal(t, "lost", completeResult(t, deal).End)
	require.Equal(t, []string{pid + ".2"}, h.fake.snapshot().closed())
}

func TestASupervisorMovesAProcessOnToAStageAndAnExecutor(t *testing.T) {
	h := newHarness(t)
	bad := h.updateAt(time.Minute, workflows.UpdateMove, workflows.MoveRequest{ItemID: pid + ".1", To: "nowhere", By: "olga"})
	noOne := h.updateAt(time.Minute, workflows.UpdateMove, workflows.MoveRequest{ItemID: pid + ".1", To: "service", By: "olga"})
	moved := h.updateAt(2*time.Minute, workflows.UpdateMove, workflows.MoveRequest{ItemID: pid + ".1", To: "service", Assignee: "sergey", By: "olga"})
	ended := h.updateAt(3*time.Minute, workflows.UpdateMove, workflows.MoveRequest{ItemID: pid + ".2", To: "won", By: "olga"})
	h.run()

	rejectedWith(t, bad, wire.TypeInvalid)
	rejectedWith(t, noOne, wire.TypeInvalid)
	res := completeResult(t, moved)
	require.Equal(t, "service", res.Next[0].Stage)
	require.Equal(t, "sergey", res.Next[0].Assignee)
	require.Equal(t, "won", completeResult(t, ended).End)
	steps := h.fake.snapshot().steps
	require.Equal(t, "olga", steps[1].Close.By, "the supervisor closes the item")
	require.NotEmpty(t, steps[1].UpdateID)
}
