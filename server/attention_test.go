package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

func TestARuleFailingAtRunTimeFailsItsDecisionAndASupervisorMovesTheProcessOn(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(testenv.Brittle))
	olga, ivan := e.Login(t, "olga"), e.Login(t, "ivan")
	p := start(t, e, olga, map[string]any{"definition": "brittle"})
	check := openItem(t, e, olga, p.ID)

	var refused problem
	status := e.Do(t, "POST", "/api/v1/work-items/"+check.ID+"/complete", ivan, map[string]any{"data": map[string]any{"n": 0}}, &refused)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, refused.Detail, "needs a supervisor's attention")
	require.Contains(t, refused.Detail, "10 % data.n == 0", "the reason names the expression")

	var detail processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &detail))
	require.Contains(t, detail.Attention, "10 % data.n == 0", "the reason is recorded on the process")
	require.Equal(t, "running", detail.State)
	require.True(t, detail.History[0].Open(), "the item stays open")

	// ivan may not move it on; olga may, past the broken rule.
	require.Equal(t, http.StatusForbidden, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", ivan, map[string]any{"to": "close", "assignee": "maria"}, nil))
	var bad problem
	require.Equal(t, http.StatusUnprocessableEntity, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", olga, map[string]any{"to": "close"}, &bad))
	require.Equal(t, "/assignee", bad.Errors[0].Path)
	var outside problem
	require.Equal(t, http.StatusUnprocessableEntity, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", olga, map[string]any{"to": "close", "assignee": "anna"}, &outside))
	require.Equal(t, "/assignee", outside.Errors[0].Path, "work goes only to the supervisor's own people")
	var moved completion
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", olga, map[string]any{"to": "close", "assignee": "maria"}, &moved))
	require.Equal(t, "maria", moved.Next[0].Assignee)
	require.Equal(t, "olga", moved.Item.CompletedBy)

	var after processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &after))
	require.Empty(t, after.Attention, "moving on clears the notice")
	done := complete(t, e, e.Login(t, "maria"), moved.Next[0].ID, map[string]any{"data": map[string]any{}})
	require.Equal(t, "done", done.End)
	saveHistory(t, e, p.ID, "needs-attention-moved-on")
}

func TestAFirstStageWhoseRuleFailsWaitsForASupervisor(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(`id: no-start
title: A first executor that cannot be computed
variables:
  type: object
  properties:
    who: {type: string}
start: first
stages:
  first:
    title: First
    assignee: {expr: 'string(10 % len(vars.who))'}
    transitions:
      - to: done
ends:
  done: {title: Done}
`))
	olga := e.Login(t, "olga")
	p := start(t, e, olga, map[string]any{"definition": "no-start", "variables": map[string]any{"who": ""}})
	var detail processDetail
	require.Eventually(t, func() bool {
		return e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &detail) == http.StatusOK && detail.Attention != ""
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "running", detail.State)
	require.Empty(t, detail.History, "no item could be opened")
	var moved completion
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", olga, map[string]any{"to": "first", "assignee": "ivan"}, &moved))
	require.Equal(t, "ivan", moved.Next[0].Assignee)
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/cancel", olga, map[string]string{"reason": "test"}, nil))
	saveHistory(t, e, p.ID, "start-needs-attention")
}

// A first stage nobody may work (its team has no members) waits for a
// supervisor with the reason in plain words, not Temporal's error text;
// once the team has a member, the supervisor moves it on to that stage.
func TestAStartNobodyMayWorkWaitsUntilTheCauseIsFixed(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(`id: unstaffed
title: A team nobody is in yet
start: first
stages:
  first:
    title: First
    assignee: {team: newcomers}
    transitions:
      - to: done
ends:
  done: {title: Done}
`))
	olga, admin := e.Login(t, "olga"), e.Login(t, "admin")
	p := start(t, e, olga, map[string]any{"definition": "unstaffed"})
	var detail processDetail
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &detail))
		return detail.Attention != ""
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, "running", detail.State, "not failed: it can go on")
	require.Contains(t, detail.Attention, "newcomers")
	require.NotContains(t, detail.Attention, "activity error", "plain words")
	require.NotContains(t, detail.Attention, "type:")

	require.Equal(t, http.StatusOK, e.Do(t, "PATCH", "/api/v1/users/ivan", admin, map[string]any{"teams": []string{"cold-callers", "newcomers"}}, nil))
	var moved completion
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/move", olga, map[string]any{"to": "first", "assignee": "ivan"}, &moved))
	require.Equal(t, "ivan", moved.Next[0].Assignee)
	var after processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &after))
	require.Empty(t, after.Attention, "moving on clears the notice")
	done := complete(t, e, e.Login(t, "ivan"), moved.Next[0].ID, map[string]any{"data": map[string]any{}})
	require.Equal(t, "done", done.End)
	saveHistory(t, e, p.ID, "start-unassignable-moved-on")
}
