package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
	"github.com/conveyorhq/conveyor/workflows"
)

// loseCompletion commits in the read model the step the workflow would take
// for ivan's completion of the cold call, under updateID, as the local
// activity of a workflow task that Temporal then never recorded does: the
// database has the step, the workflow's history does not.
func loseCompletion(t *testing.T, e *testenv.Env, processID, updateID string) {
	t.Helper()
	now := time.Now().UTC()
	due := now.Add(5 * 24 * time.Hour)
	progress := 20
	_, err := e.Store.ApplyStep(store.WithActor(context.Background(), "ivan"), store.Step{
		ProcessID: processID, UpdateID: updateID, Progress: &progress,
		Close: &store.CloseItem{ItemID: processID + ".1", Data: json.RawMessage(`{"result":"interested"}`), By: "ivan"},
		Open: &store.OpenItem{ItemID: processID + ".2", Seq: 2, Stage: "deal", Title: "Deal", PlannedStart: now, Due: &due,
			Rule: definitions.Assignee{Kind: definitions.AssignTeam, Team: "deal-makers", Pick: definitions.PickLeastLoaded}},
	})
	require.NoError(t, err)
}

func startSales(t *testing.T, e *testenv.Env) (store.Process, item) {
	t.Helper()
	publish(t, e, exampleYAML(t))
	olga := e.Login(t, "olga")
	p := start(t, e, olga, map[string]any{"definition": "sales", "variables": map[string]any{"source": "website"}})
	return p, openItem(t, e, olga, p.ID)
}

func syncMarks(t *testing.T, e *testenv.Env) []store.SyncMark {
	t.Helper()
	marks, err := e.Store.SyncMarks(context.Background(), 0, 100)
	require.NoError(t, err)
	return marks
}

// updatesIn are the names of the Updates the workflow's history accepted.
func updatesIn(t *testing.T, e *testenv.Env, workflowID string) []string {
	t.Helper()
	var names []string
	iter := e.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
			names = append(names, a.GetAcceptedRequest().GetInput().GetName())
		}
	}
	return names
}

func TestAStepWhoseUpdateWasLostIsAdoptedWithoutAnyRetry(t *testing.T) {
	e := testenv.New(t)
	p, cold := startSales(t, e)
	require.Equal(t, p.ID+".1", cold.ID)
	loseCompletion(t, e, p.ID, "lost-1")

	// Nobody retries: the reconciler finds the mark, Temporal has never heard
	// of the Update, and the workflow takes the step from the read model.
	require.Eventually(t, func() bool { return len(syncMarks(t, e)) == 0 }, 30*time.Second, 50*time.Millisecond)
	require.Contains(t, updatesIn(t, e, p.ID), workflows.UpdateSync)

	// ivan's retry with his key gets the first answer; maria's item goes on.
	ivan, maria := e.Login(t, "ivan"), e.Login(t, "maria")
	var again completion
	status, raw := e.Raw(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", ivan, map[string]any{"data": map[string]any{"result": "interested"}})
	require.Equal(t, http.StatusConflict, status, "without its key a second completion is a new one: %s", raw)
	req, _ := json.Marshal(map[string]any{"data": map[string]any{"result": "interested"}})
	status = doKeyed(t, e, "/api/v1/work-items/"+cold.ID+"/complete", ivan, "lost-1", req, &again)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, p.ID+".2", again.Next[0].ID)

	done := complete(t, e, maria, p.ID+".2", map[string]any{"data": map[string]any{"result": "lost"}})
	require.Equal(t, "lost", done.End)
	require.Equal(t, store.ProcessCompleted, done.State)
	saveHistory(t, e, p.ID, "lost-step-adopted")
}

func TestTheItemALostStepOpenedCanBeCompletedAtOnce(t *testing.T) {
	e := testenv.New(t)
	p, _ := startSales(t, e)
	loseCompletion(t, e, p.ID, "lost-2")
	// maria works the item the read model shows her, before any reconciling.
	done := complete(t, e, e.Login(t, "maria"), p.ID+".2", map[string]any{"data": map[string]any{"result": "lost"}})
	require.Equal(t, "lost", done.End)
	var detail processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, e.Login(t, "olga"), nil, &detail))
	require.Len(t, detail.History, 2, "each stage done once")
	desc, err := e.Temporal.DescribeWorkflowExecution(context.Background(), p.ID, "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.WorkflowExecutionInfo.Status)
}

func TestALostCancellationEndsTheWorkflowByItself(t *testing.T) {
	e := testenv.New(t)
	p, _ := startSales(t, e)
	require.NoError(t, e.Store.CancelProcess(store.WithActor(context.Background(), "olga"), p.ID, "olga", "a lost cancellation", "lost-cancel"))
	require.Eventually(t, func() bool {
		desc, err := e.Temporal.DescribeWorkflowExecution(context.Background(), p.ID, "")
		return err == nil && desc.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}, 30*time.Second, 50*time.Millisecond)
	require.Empty(t, syncMarks(t, e))
}

func TestAnAnsweredUpdateOnlyClearsItsMark(t *testing.T) {
	e := testenv.New(t)
	p, cold := startSales(t, e)
	complete(t, e, e.Login(t, "ivan"), cold.ID, map[string]any{"data": map[string]any{"result": "interested"}})
	require.Eventually(t, func() bool { return len(syncMarks(t, e)) == 0 }, 30*time.Second, 50*time.Millisecond)
	require.NotContains(t, updatesIn(t, e, p.ID), workflows.UpdateSync, "Temporal had the Update: nothing to adopt")
}

func TestAnUpdateWithoutTheAPIServersKeyIsRefused(t *testing.T) {
	e := testenv.New(t)
	p, cold := startSales(t, e)
	h, err := e.Unsigned.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{
		WorkflowID: p.ID, UpdateName: workflows.UpdateComplete, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.CompleteRequest{ItemID: cold.ID, By: "admin", Data: json.RawMessage(`{"result":"refused"}`)}},
	})
	if err == nil {
		err = h.Get(context.Background(), nil)
	}
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "%v", err)
	require.Equal(t, updateauth.TypeUnauthenticated, app.Type())
	w, err := e.Store.WorkItem(context.Background(), cold.ID)
	require.NoError(t, err)
	require.True(t, w.Open(), "nothing changed")
}

func doKeyed(t *testing.T, e *testenv.Env, path, token, key string, body []byte, out any) int {
	t.Helper()
	req, err := http.NewRequest("POST", e.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}
