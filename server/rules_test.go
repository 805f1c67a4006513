package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// A conveyor that uses every assignee rule once.
const everyRule = `id: rules
title: Every assignee rule
variables:
  type: object
  properties:
    owner: {type: string}
start: fixed
stages:
  fixed:
    title: A named user
    assignee: {user: maria}
    transitions:
      - to: turns
  turns:
    title: Round robin
    assignee: {team: callers, pick: round_robin}
    transitions:
      - to: load
  load:
    title: Least loaded
    assignee: {team: callers, pick: least_loaded}
    form:
      type: object
      properties:
        next: {type: string}
    transitions:
      - to: chosen
        assignee: {team: closers, choose: true}
  chosen:
    title: Chosen by the completer
    assignee: {team: closers, choose: true}
    transitions:
      - to: computed
  computed:
    title: From an expression
    assignee: {expr: vars.owner}
    transitions:
      - to: again
  again:
    title: Same again
    assignee: {user: admin}
    transitions:
      - to: done
        when: process.stage == "again" && process.assignee == "never"
      - to: repeat
        assignee: same
  repeat:
    title: The same executor
    assignee: {user: admin}
    transitions:
      - to: done
ends:
  done: {title: Done}
`

func addUser(t *testing.T, e *testenv.Env, login string, teams ...string) {
	t.Helper()
	hash, err := auth.HashPassword("pw")
	require.NoError(t, err)
	_, err = e.Store.CreateUser(store.WithActor(context.Background(), "test"), store.User{Login: login, Roles: []string{store.RoleManager}, Teams: teams, Supervisor: "olga"}, hash)
	require.NoError(t, err)
}

func TestEveryAssigneeRuleChoosesItsExecutor(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(everyRule))
	addUser(t, e, "caller-a", "callers")
	addUser(t, e, "caller-b", "callers")
	addUser(t, e, "closer", "closers")
	admin := e.Login(t, "admin")
	step := func(id string, body map[string]any) item {
		c := complete(t, e, admin, id, body)
		require.Len(t, c.Next, 1)
		return c.Next[0]
	}

	p := start(t, e, admin, map[string]any{"definition": "rules", "variables": map[string]any{"owner": "ivan"}})
	fixed := openItem(t, e, admin, p.ID)
	require.Equal(t, "maria", fixed.Assignee)

	turn1 := step(fixed.ID, nil)
	require.Equal(t, "caller-a", turn1.Assignee, "round robin starts with the first member")
	load := step(turn1.ID, nil)
	require.Equal(t, "caller-a", load.Assignee, "least loaded: caller-a's earlier item is done, ties go by login")

	// A second process takes the next turn, and least_loaded sees the open load item.
	p2 := start(t, e, admin, map[string]any{"definition": "rules", "variables": map[string]any{"owner": "ivan"}})
	turn2 := step(openItem(t, e, admin, p2.ID).ID, nil)
	require.Equal(t, "caller-b", turn2.Assignee, "round robin: the next member in turn")
	load2 := step(turn2.ID, nil)
	require.Equal(t, "caller-b", load2.Assignee, "least loaded: caller-a has an open item")

	var prob problem
	require.Equal(t, http.StatusUnprocessableEntity, e.Do(t, "POST", "/api/v1/work-items/"+load.ID+"/complete", admin, map[string]any{}, &prob))
	require.Equal(t, "/next/assignee", prob.Errors[0].Path, "choose needs a name")
	require.Equal(t, http.StatusUnprocessableEntity, e.Do(t, "POST", "/api/v1/work-items/"+load.ID+"/complete", admin,
		map[string]any{"next": map[string]any{"assignee": "caller-b"}}, &prob))
	require.Contains(t, prob.Detail, "not an active member of team closers")

	var teams struct{ Items []store.Team }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/teams", admin, nil, &teams))
	require.Contains(t, teams.Items, store.Team{Name: "callers", Members: []string{"caller-a", "caller-b"}})

	chosen := step(load.ID, map[string]any{"next": map[string]any{"assignee": "closer"}})
	require.Equal(t, "closer", chosen.Assignee)
	require.Equal(t, "chosen", chosen.Stage)
	computed := step(chosen.ID, map[string]any{"next": map[string]any{}})
	require.Equal(t, "ivan", computed.Assignee, "expr: vars.owner")
	again := step(computed.ID, nil)
	require.Equal(t, "admin", again.Assignee)

	var moved item
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+again.ID+"/reassign", admin, map[string]any{"assignee": "sergey"}, &moved))
	require.Equal(t, "sergey", moved.Assignee)
	repeat := step(again.ID, nil)
	require.Equal(t, "sergey", repeat.Assignee, "same: whoever worked the stage, after the reassignment")
	complete(t, e, e.Login(t, "sergey"), repeat.ID, nil)
	saveHistory(t, e, p.ID, "every-rule")
}

func TestWhoMaySeeAndDoWhat(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan, maria, anna, admin := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "anna"), e.Login(t, "admin")
	p := start(t, e, olga, map[string]any{"definition": "sales"})
	cold := openItem(t, e, olga, p.ID)

	t.Run("without a token nothing is served", func(t *testing.T) {
		status, _ := e.Raw(t, "GET", "/api/v1/processes", "", nil)
		require.Equal(t, http.StatusUnauthorized, status)
		status, _ = e.Raw(t, "GET", "/api/v1/processes", "cvy_forged", nil)
		require.Equal(t, http.StatusUnauthorized, status)
		status, _ = e.Raw(t, "POST", "/api/v1/auth/token", "", map[string]string{"login": "ivan", "password": "wrong"})
		require.Equal(t, http.StatusUnauthorized, status)
	})
	t.Run("an analyst may not start processes and sees none", func(t *testing.T) {
		status, _ := e.Raw(t, "POST", "/api/v1/processes", anna, map[string]any{"definition": "sales"})
		require.Equal(t, http.StatusForbidden, status)
		var list struct{ Items []store.Process }
		require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes", anna, nil, &list))
		require.Empty(t, list.Items)
		status, _ = e.Raw(t, "GET", "/api/v1/processes/"+p.ID, anna, nil)
		require.Equal(t, http.StatusNotFound, status, "not visible is not found")
	})
	t.Run("another manager can neither see nor complete the item", func(t *testing.T) {
		status, _ := e.Raw(t, "GET", "/api/v1/work-items/"+cold.ID, maria, nil)
		require.Equal(t, http.StatusNotFound, status)
		status, _ = e.Raw(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", maria, map[string]any{"data": map[string]any{"result": "refused"}})
		require.Equal(t, http.StatusNotFound, status)
		var list itemList
		e.Do(t, "GET", "/api/v1/work-items", maria, nil, &list)
		require.Empty(t, list.Items)
	})
	t.Run("a manager sees their own work and the processes they took part in", func(t *testing.T) {
		var list itemList
		e.Do(t, "GET", "/api/v1/work-items?assignee=me", ivan, nil, &list)
		require.Len(t, list.Items, 1)
		var procs struct{ Items []store.Process }
		e.Do(t, "GET", "/api/v1/processes", ivan, nil, &procs)
		require.Len(t, procs.Items, 1)
	})
	t.Run("a supervisor sees subordinates' work and may complete it", func(t *testing.T) {
		var list itemList
		e.Do(t, "GET", "/api/v1/work-items?assignee=ivan", olga, nil, &list)
		require.Len(t, list.Items, 1)
		c := complete(t, e, olga, cold.ID, map[string]any{"data": map[string]any{"result": "interested"}})
		require.Equal(t, "olga", c.Item.CompletedBy)
	})
	t.Run("a manager may not reassign, an admin may", func(t *testing.T) {
		deal := openItem(t, e, admin, p.ID)
		status, _ := e.Raw(t, "POST", "/api/v1/work-items/"+deal.ID+"/reassign", maria, map[string]any{"assignee": "ivan"})
		require.Equal(t, http.StatusForbidden, status)
		status, _ = e.Raw(t, "POST", "/api/v1/work-items/"+deal.ID+"/reassign", admin, map[string]any{"assignee": "nobody"})
		require.Equal(t, http.StatusUnprocessableEntity, status)
	})
	t.Run("only admins manage users, and no hash ever leaves", func(t *testing.T) {
		status, _ := e.Raw(t, "POST", "/api/v1/users", olga, map[string]any{"login": "x", "password": "y"})
		require.Equal(t, http.StatusForbidden, status)
		status, body := e.Raw(t, "POST", "/api/v1/users", admin, map[string]any{"login": "newbie", "password": "newbie's password", "roles": []string{"manager"}, "supervisor": "olga"})
		require.Equal(t, http.StatusCreated, status, string(body))
		_, body = e.Raw(t, "GET", "/api/v1/users", admin, nil)
		require.NotContains(t, strings.ToLower(string(body)), "argon2")
		require.NotContains(t, strings.ToLower(string(body)), "password")
		status, _ = e.Raw(t, "POST", "/api/v1/users", admin, map[string]any{"login": "newbie", "password": "another password"})
		require.Equal(t, http.StatusConflict, status)
	})
}

func TestCancellingAProcessClosesItsWork(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan := e.Login(t, "olga"), e.Login(t, "ivan")
	p := start(t, e, olga, map[string]any{"definition": "sales"})
	cold := openItem(t, e, olga, p.ID)

	reason := map[string]string{"reason": "the client closed down"}
	status, _ := e.Raw(t, "POST", "/api/v1/processes/"+p.ID+"/cancel", ivan, reason)
	require.Equal(t, http.StatusForbidden, status)
	for _, without := range []any{map[string]string{}, map[string]string{"reason": "  "}} {
		status, body := e.Raw(t, "POST", "/api/v1/processes/"+p.ID+"/cancel", olga, without)
		require.Equal(t, http.StatusUnprocessableEntity, status, "a cancellation takes its reason: %s", body)
		require.Equal(t, "required", requireRefused(t, status, body, "/reason"))
	}
	var cancelled store.Process
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes/"+p.ID+"/cancel", olga, reason, &cancelled))
	require.Equal(t, store.ProcessCancelled, cancelled.State)
	require.Equal(t, "olga", cancelled.CancelledBy)
	require.Equal(t, "the client closed down", cancelled.CancelReason)
	w, err := e.Store.WorkItem(t.Context(), cold.ID)
	require.NoError(t, err)
	require.Equal(t, store.ItemCancelled, w.State)
	saveHistory(t, e, p.ID, "cancelled")

	status, _ = e.Raw(t, "POST", "/api/v1/processes/"+p.ID+"/cancel", olga, reason)
	require.Equal(t, http.StatusConflict, status)
	status, _ = e.Raw(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", ivan, map[string]any{"data": map[string]any{"result": "refused"}})
	require.Equal(t, http.StatusConflict, status)
}

// A stage planned an hour ago with a 30-minute deadline is overdue as soon
// as it opens: the workflow's timer marks it and escalates to olga.
const lateStart = `id: late
title: Late from the start
start: call
stages:
  call:
    title: Call
    assignee: {user: ivan}
    plannedStart: now - duration("1h")
    due: 30m
    transitions:
      - to: done
ends:
  done: {title: Done}
`

func TestAMissedDeadlineMarksOverdueAndEscalatesToTheSupervisor(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(lateStart))
	olga, ivan := e.Login(t, "olga"), e.Login(t, "ivan")
	p := start(t, e, olga, map[string]any{"definition": "late"})
	call := openItem(t, e, olga, p.ID)

	var escalations struct {
		Items []store.Escalation `json:"items"`
	}
	require.Eventually(t, func() bool {
		e.Do(t, "GET", "/api/v1/escalations?state=open", olga, nil, &escalations)
		return len(escalations.Items) == 1
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, call.ID, escalations.Items[0].WorkItemID)
	require.Equal(t, "ivan", escalations.Items[0].Assignee)
	require.Equal(t, "olga", escalations.Items[0].Supervisor)

	var overdue struct{ Items []store.Process }
	e.Do(t, "GET", "/api/v1/processes?overdue=true", olga, nil, &overdue)
	require.Len(t, overdue.Items, 1)
	var none struct {
		Items []store.Escalation `json:"items"`
	}
	e.Do(t, "GET", "/api/v1/escalations", ivan, nil, &none)
	require.Empty(t, none.Items, "escalations go to the supervisor, not the late one")

	complete(t, e, ivan, call.ID, nil)
	e.Do(t, "GET", "/api/v1/escalations?state=resolved", olga, nil, &escalations)
	require.Len(t, escalations.Items, 1, "completing the item resolves its escalation")
	saveHistory(t, e, p.ID, "overdue")
}

func TestInvalidVariablesAreRefusedWithTheirPath(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	var prob problem
	status := e.Do(t, "POST", "/api/v1/processes", e.Login(t, "olga"),
		map[string]any{"definition": "sales", "variables": map[string]any{"source": "fax"}}, &prob)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, "/variables/source", prob.Errors[0].Path)
	status = e.Do(t, "POST", "/api/v1/processes", e.Login(t, "olga"), map[string]any{"definition": "nope"}, &prob)
	require.Equal(t, http.StatusNotFound, status)
}

func TestHealthReadinessAndMetricsAreServed(t *testing.T) {
	e := testenv.New(t)
	status, _ := e.Raw(t, "GET", "/healthz", "", nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = e.Raw(t, "GET", "/readyz", "", nil)
	require.Equal(t, http.StatusOK, status)
	e.Login(t, "ivan")
	status, body := e.Raw(t, "GET", "/metrics", "", nil)
	require.Equal(t, http.StatusOK, status)
	for _, name := range []string{"conveyor_http_requests_total", "conveyor_work_items_open", "conveyor_work_items_overdue", "conveyor_http_request_duration_seconds"} {
		require.Contains(t, string(body), name)
	}
}
