package web

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
)

// auditRow is one entry of a client's trail, said as a sentence in the
// user's language: who did what to which part of the card.
type auditRow struct {
	At       time.Time
	Sentence string
	// Raw is the entry's before and after as they are kept, for an admin.
	Raw string
}

// hiddenColumns are kept for machines: ids, hashes, bookkeeping times and
// the process's inner state. They never make a sentence.
var hiddenColumns = map[string]bool{
	"id": true, "client_id": true, "process_id": true, "definition_id": true, "version": true, "seq": true,
	"created_at": true, "updated_at": true, "uploaded_at": true, "uploaded_by": true, "started_at": true,
	"completed_at": true, "sha256": true, "hash": true, "password_hash": true, "vars": true,
	"business_key": true, "characteristic_id": true, "segment_id": true, "group_id": true, "content_type": true,
	"size": true, "planned_start": true, "due": true, "overdue": true, "progress": true, "started_by": true,
	"completed_by": true, "delegated_from": true, "data": true, "title": true, "stage": true,
}

// auditTrail tells the entries of a client's trail in lang, with names
// for logins, segments and groups from dir.
func (u *UI) auditTrail(c *gin.Context, user services.User, dir *directory, entries []services.AuditEntry) ([]auditRow, error) {
	ctx := c.Request.Context()
	a := auditor{lang: language(c), loc: u.Location, dir: dir, plans: planCache{}, processes: map[string]services.Process{}}
	for _, e := range entries {
		if e.Entity == "client_characteristics" && a.chars == nil {
			defs, err := u.Services.Characteristics(ctx)
			if err != nil {
				return nil, err
			}
			a.chars = map[string]string{}
			for _, d := range defs {
				a.chars[d.ID] = d.Name
			}
		}
		if e.Entity != "processes" && e.Entity != "work_items" {
			continue
		}
		before, after := decodeObject(e.Before), decodeObject(e.After)
		id := str(pick(after, before, "process_id"))
		if e.Entity == "processes" {
			id = e.EntityID
		}
		if _, ok := a.processes[id]; ok || id == "" {
			continue
		}
		d, err := u.Services.Process(ctx, user, id)
		if err != nil {
			continue // gone from the user's sight: the sentence does without its titles
		}
		a.processes[id] = d.Process
		if _, err := a.plans.get(ctx, u.Services, d.Process); err != nil {
			return nil, err
		}
	}
	admin := user.Has(services.RoleAdmin)
	var rows []auditRow
	for _, e := range entries {
		s := a.sentence(e)
		if s == "" {
			continue
		}
		r := auditRow{At: e.At, Sentence: s}
		if admin {
			raw, _ := json.MarshalIndent(map[string]json.RawMessage{"before": e.Before, "after": e.After}, "", "  ")
			r.Raw = string(raw)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

type auditor struct {
	lang      string
	loc       *time.Location
	dir       *directory
	chars     map[string]string
	plans     planCache
	processes map[string]services.Process
}

func (a auditor) t(key string, args ...any) string {
	return fmt.Sprintf(translate(a.lang, key), args...)
}

// sentence is the entry in words, "" for a change nobody reads (a
// process's progress, a deadline moved with its stage).
func (a auditor) sentence(e services.AuditEntry) string {
	before, after := decodeObject(e.Before), decodeObject(e.After)
	row := after
	if row == nil {
		row = before
	}
	who := a.actor(e.Actor)
	switch e.Entity {
	case "processes":
		return a.process(who, e, before, after)
	case "work_items":
		return a.workItem(who, before, after)
	case "client_segments", "client_product_groups":
		names, id := a.dir.segmentName, str(row["segment_id"])
		if e.Entity == "client_product_groups" {
			names, id = a.dir.groupName, str(row["group_id"])
		}
		if e.Action == "update" {
			return ""
		}
		return a.t("h.a."+verb(e.Action)+"."+e.Entity, who, orID(names, id))
	case "client_characteristics":
		name := orID(a.chars, str(row["characteristic_id"]))
		switch e.Action {
		case "update":
			return a.t("h.a.upd.client_characteristics", who, name, a.value(e.Entity, "value", before["value"]), a.value(e.Entity, "value", after["value"]))
		case "insert":
			return a.t("h.a.ins.client_characteristics", who, name, a.value(e.Entity, "value", after["value"]))
		}
		return a.t("h.a.del.client_characteristics", who, name)
	case "clients", "client_contacts", "client_addresses", "client_bank_accounts", "documents":
		subject := a.subject(e.Entity, row)
		if e.Action == "update" {
			changes := a.changes(e.Entity, before, after)
			if changes == "" {
				return ""
			}
			return a.t("h.a.upd."+e.Entity, who, subject, changes)
		}
		return a.t("h.a."+verb(e.Action)+"."+e.Entity, who, subject)
	}
	changes := a.changes(e.Entity, before, after)
	return a.t("h.a.other", who, orKey(a.lang, "cl.act."+e.Action, e.Action), orKey(a.lang, "cl.ent."+e.Entity, form.Humanize(e.Entity)), changes)
}

func verb(action string) string {
	switch action {
	case "insert":
		return "ins"
	case "delete":
		return "del"
	}
	return "upd"
}

// subject names the row a sentence is about: a client or a document by
// its name, a contact with its phone, an address with its kind, an account
// with its bank.
func (a auditor) subject(entity string, row map[string]any) string {
	switch entity {
	case "client_contacts":
		if p := str(row["phone"]); p != "" {
			return str(row["name"]) + " (" + p + ")"
		}
		return str(row["name"])
	case "client_addresses":
		return a.value(entity, "kind", row["kind"]) + ": " + str(row["text"])
	case "client_bank_accounts":
		if b := str(row["bank_name"]); b != "" {
			return str(row["account"]) + " (" + b + ")"
		}
		return str(row["account"])
	}
	return str(row["name"])
}

// changes lists what an update changed, each field by the name people
// know, from → to.
func (a auditor) changes(entity string, before, after map[string]any) string {
	var cols []string
	for k := range after {
		if !hiddenColumns[k] {
			cols = append(cols, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && !hiddenColumns[k] {
			cols = append(cols, k)
		}
	}
	slices.Sort(cols)
	var parts []string
	for _, k := range cols {
		b, aft := before[k], after[k]
		if reflect.DeepEqual(b, aft) {
			continue
		}
		label := a.column(entity, k)
		bs, as := a.value(entity, k, b), a.value(entity, k, aft)
		switch {
		case bs == "" && as == "":
			continue
		case bs == "":
			parts = append(parts, a.t("h.a.set", label, as))
		case as == "":
			parts = append(parts, a.t("h.a.unset", label))
		default:
			parts = append(parts, a.t("h.a.change", label, bs, as))
		}
	}
	return strings.Join(parts, "; ")
}

// column is a column's name as people know it: the entity's own label,
// else the column's, else the column humanised.
func (a auditor) column(entity, col string) string {
	if s := orKey(a.lang, "h.col."+entity+"."+col, ""); s != "" {
		return s
	}
	return orKey(a.lang, "h.col."+col, strings.ToLower(form.Humanize(col)))
}

// value is a column's value in words: a login by its user's name, a kind
// of address by its label, the rest as the history shows data.
func (a auditor) value(entity, col string, v any) string {
	switch col {
	case "owner", "assignee", "cancelled_by":
		return a.name(str(v))
	case "kind":
		return orKey(a.lang, "cl.kind."+str(v), str(v))
	}
	return shortText(showValue(a.lang, a.loc, nil, v))
}

func (a auditor) name(login string) string {
	if a.dir != nil {
		return nameOf(a.dir.userName, login)
	}
	return login
}

// actor is who acted: a user by name, the runtime as "the system".
func (a auditor) actor(login string) string {
	if strings.HasPrefix(login, "system:") || login == "system" {
		return translate(a.lang, "h.a.system")
	}
	return a.name(login)
}

// process tells a process's start and its end; the steps in between are
// told by its work items.
func (a auditor) process(who string, e services.AuditEntry, before, after map[string]any) string {
	title := e.EntityID
	if p, ok := a.processes[e.EntityID]; ok {
		title = newProcessRow(p, a.plans[planKey{p.Definition, p.Version}], a.lang).Title
	}
	switch e.Action {
	case "insert":
		return a.t("h.a.ins.processes", who, title)
	case "delete":
		return a.t("h.a.del.processes", who, title)
	}
	state, was := str(after["state"]), str(before["state"])
	switch {
	case state == "cancelled" && was != state:
		if r := str(after["cancel_reason"]); r != "" {
			return a.t("h.a.cancelled.reason", who, r)
		}
		return a.t("h.a.cancelled", who)
	case state == "completed" && was != state:
		end := str(after["end_id"])
		if p, ok := a.processes[e.EntityID]; ok {
			p.State, p.End = state, end
			end = newProcessRow(p, a.plans[planKey{p.Definition, p.Version}], a.lang).EndTitle
		}
		return a.t("h.a.ended", who, end)
	case state == "failed" && was != state:
		return a.t("h.a.failed", who, str(after["failure"]))
	case str(after["attention"]) != "" && str(after["attention"]) != str(before["attention"]):
		return a.t("h.a.attention", who, str(after["attention"]))
	}
	return ""
}

// workItem tells a stage opened for someone, taken up, handed over,
// overdue and completed with its data, by its form's titles.
func (a auditor) workItem(who string, before, after map[string]any) string {
	if after == nil {
		return ""
	}
	title := str(after["title"])
	if title == "" {
		title = str(after["stage"])
	}
	if p, ok := a.processes[str(after["process_id"])]; ok {
		if plan := a.plans[planKey{p.Definition, p.Version}]; plan != nil {
			if st, ok := plan.Stages[str(after["stage"])]; ok {
				title = st.TitleIn(a.lang) // in the trail's language, where the plan has it
			}
		}
	}
	if before == nil {
		return a.t("h.a.ins.work_items", who, title, a.name(str(after["assignee"])))
	}
	state, was := str(after["state"]), str(before["state"])
	switch {
	case state == "done" && was != state:
		var fields []form.Field
		if p, ok := a.processes[str(after["process_id"])]; ok {
			fields = stageForms(a.plans[planKey{p.Definition, p.Version}], a.lang)[str(after["stage"])]
		}
		raw, _ := json.Marshal(after["data"])
		var parts []string
		for _, f := range showData(a.lang, a.loc, fields, raw) {
			parts = append(parts, a.t("h.a.field", f.Label, shortText(f.Value)))
		}
		if len(parts) == 0 {
			return a.t("h.a.done", who, title)
		}
		return a.t("h.a.done.data", who, title, strings.Join(parts, "; "))
	case state == "cancelled":
		return ""
	case str(after["assignee"]) != str(before["assignee"]):
		return a.t("h.a.handed", who, title, a.name(str(after["assignee"])))
	case state == "in_progress" && was == "attention":
		return a.t("h.a.taken", who, title)
	case after["overdue"] == true && before["overdue"] != true:
		return a.t("h.a.overdue", who, title)
	}
	return ""
}

func pick(after, before map[string]any, k string) any {
	if v, ok := after[k]; ok {
		return v
	}
	return before[k]
}

// str is a JSON string, or the text of another value.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}

func orID(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// shortText cuts a long value to 80 characters.
func shortText(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
