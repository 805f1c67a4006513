package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/examples"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
)

func salesPlan(t *testing.T) *definitions.Plan {
	t.Helper()
	plan, err := definitions.Compile(examples.SalesConveyor)
	require.NoError(t, err)
	return plan
}

// A completed item's data reads as its form's fields: titles, choices by
// their labels, times in the page's zone, numbers grouped, yes and no.
func TestItemDataReadsAsTheFormsFields(t *testing.T) {
	forms := stageForms(salesPlan(t), "")
	moscow := time.FixedZone("MSK", 3*3600)
	data := json.RawMessage(`{"result": "call_back", "callBackAt": "2026-12-02T10:00:00Z", "note": "call after lunch", "extraFlag": true}`)
	got := showData("en", moscow, forms["cold_call"], data)
	require.Equal(t, []shownField{
		{"Result", "Call back later"}, {"Call back at", "02.12.2026 13:00"}, {"Note", "call after lunch"}, {"Extra flag", "yes"},
	}, got)

	got = showData("ru", time.UTC, forms["deal"], json.RawMessage(`{"result": "won", "amount": 1234567.5}`))
	require.Equal(t, []shownField{{"Result", "Won"}, {"Amount", "1\u00a0234\u00a0567,5"}}, got)
	require.Equal(t, "1,500", showNumber("en", "1500"))
	require.Equal(t, "-12", showNumber("en", "-12"))

	// Without the schema: humanised names and values as they are, times
	// still in the zone.
	got = showData("ru", time.UTC, nil, json.RawMessage(`{"next_step_at": "2026-12-02T10:00:00Z", "done": false, "tags": ["a", "b"]}`))
	require.Equal(t, []shownField{{"Done", "нет"}, {"Next step at", "02.12.2026 10:00"}, {"Tags", "a, b"}}, got)
	require.Empty(t, showData("en", time.UTC, nil, nil))
}

// An end is won or lost by its id or title; the rest and a cancelled
// process are neither.
func TestAnEndIsWonLostOrNeither(t *testing.T) {
	plan := salesPlan(t)
	won := newProcessRow(services.Process{State: "completed", End: "won", Definition: "sales"}, plan, "")
	require.Equal(t, "won", won.Outcome)
	require.Equal(t, "Won", won.EndTitle)
	require.Equal(t, "Sales conveyor", won.Title)
	require.Equal(t, "lost", newProcessRow(services.Process{State: "completed", End: "lost"}, plan, "").Outcome)
	require.Equal(t, "ended", outcome("completed", "archived", "Archived"))
	require.Equal(t, "ended", outcome("cancelled", "", ""))
	require.Equal(t, "", outcome("running", "", ""))
	running := newProcessRow(services.Process{State: "running", Stage: "cold_call"}, plan, "")
	require.Equal(t, "Cold call", running.StageTitle)
}

// The audit trail says what happened in a sentence, with names and the
// form's titles, and leaves the machines' columns out.
func TestTheAuditTrailSpeaksInSentences(t *testing.T) {
	plan := salesPlan(t)
	p := services.Process{ID: "p1", Definition: "sales", Version: 1}
	dir := &directory{userName: map[string]string{"ivan": "Ivan Sidorov", "maria": "Maria Ivanova", "olga": "Olga Petrova", "admin": "Administrator"}}
	for _, lang := range []string{"en", "ru"} {
		a := auditor{lang: lang, loc: time.UTC, dir: dir, plans: planCache{{"sales", 1}: plan}, processes: map[string]services.Process{"p1": p}}
		say := func(actor, entity, action, id, before, after string) string {
			e := services.AuditEntry{Actor: actor, Entity: entity, Action: action, EntityID: id}
			if before != "" {
				e.Before = json.RawMessage(before)
			}
			if after != "" {
				e.After = json.RawMessage(after)
			}
			return a.sentence(e)
		}
		done := say("ivan", "work_items", "update", "p1.1",
			`{"process_id": "p1", "stage": "cold_call", "title": "Cold call", "state": "in_progress", "assignee": "ivan", "seq": 1}`,
			`{"process_id": "p1", "stage": "cold_call", "title": "Cold call", "state": "done", "assignee": "ivan", "seq": 1, "completed_at": "2026-12-01T20:25:26.884091+00:00", "data": {"result": "interested"}}`)
		cancelled := say("olga", "processes", "update", "p1",
			`{"state": "running", "updated_at": "x"}`, `{"state": "cancelled", "cancel_reason": "the client closed", "completed_at": "2026-12-01T20:25:26.884091+00:00"}`)
		ended := say("system:worker", "processes", "update", "p1", `{"state": "running"}`, `{"state": "completed", "end_id": "lost"}`)
		owner := say("admin", "clients", "update", "c1",
			`{"id": "c1", "name": "Romashka LLC", "owner": "ivan", "updated_at": "2026-12-01T20:25:26Z"}`,
			`{"id": "c1", "name": "Romashka LLC", "owner": "maria", "updated_at": "2026-12-01T20:26:26Z"}`)
		contact := say("ivan", "client_contacts", "insert", "k1", "", `{"id": "k1", "client_id": "c1", "name": "Anna", "phone": "+7 495 123-45-67"}`)
		progress := say("ivan", "processes", "update", "p1", `{"state": "running", "progress": 20}`, `{"state": "running", "progress": 70}`)
		require.Empty(t, progress, "a change nobody reads makes no sentence")
		all := strings.Join([]string{done, cancelled, ended, owner, contact}, "\n")
		for _, machine := range []string{`{"`, "completed_at", "end_id", "updated_at", "seq", "p1.1", "c1", "system:"} {
			require.NotContains(t, all, machine)
		}
		switch lang {
		case "en":
			require.Equal(t, "Ivan Sidorov completed Cold call: Result — Interested", done)
			require.Equal(t, "Olga Petrova cancelled the process: the client closed", cancelled)
			require.Equal(t, "The system completed the process: Lost", ended)
			require.Equal(t, "Administrator changed the client's owner from Ivan Sidorov to Maria Ivanova", owner)
			require.Equal(t, "Ivan Sidorov added a contact: Anna (+7 495 123-45-67)", contact)
		case "ru":
			require.Equal(t, "Ivan Sidorov: выполнен этап «Холодный звонок»: Итог — Интересно", done, "the example speaks Russian too")
			require.Equal(t, "Olga Petrova: процесс отменён: the client closed", cancelled)
			require.Equal(t, "Система: процесс завершён — Проиграна", ended)
			require.Equal(t, "Administrator: изменены данные клиента — владелец: Ivan Sidorov → Maria Ivanova", owner)
			require.Equal(t, "Ivan Sidorov: добавлен контакт: Anna (+7 495 123-45-67)", contact)
		}
	}
}

// The history partial is fed by the process page and the work item page.
func TestBothHistoryPagesGiveTheirRows(t *testing.T) {
	items := []services.WorkItem{{Stage: "cold_call", Title: "Cold call", Assignee: "ivan", DelegatedFrom: "olga",
		Data: json.RawMessage(`{"result": "refused"}`)}}
	fields, err := form.Fields(salesPlan(t).Stages["cold_call"].Form)
	require.NoError(t, err)
	for _, page := range []any{
		processPage{History: items, forms: map[string][]form.Field{"cold_call": fields}, names: map[string]string{"ivan": "Ivan Sidorov", "olga": "Olga Petrova"}},
		&itemPage{History: items, Item: items[0], Fields: fields},
	} {
		rows := view{Lang: "en", Loc: time.UTC, Page: page}.HistoryRows()
		require.Len(t, rows, 1)
		require.Equal(t, []shownField{{"Result", "Refused"}}, rows[0].Fields)
		require.Contains(t, rows[0].Delegated, "away")
	}
}
