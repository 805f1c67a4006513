package store

import "slices"

// The columns a saved view may show, filter, sort and group by: a
// whitelist per list, each an SQL expression over the list's tables. A view
// names columns by key only; nothing a user wrote becomes SQL text.

// ColumnType is how a view column is compared, sorted and shown.
type ColumnType string

// Column types.
const (
	TypeText   ColumnType = "text"
	TypeEnum   ColumnType = "enum" // one of known values: a stage, a state
	TypeNumber ColumnType = "number"
	TypeDate   ColumnType = "date"
	TypeBool   ColumnType = "bool"
	TypeUser   ColumnType = "user" // a login: "me" and "my team" apply
	TypeSet    ColumnType = "set"  // several values (stages reached, segments): has / lacks
)

// Lists that views are kept for.
const (
	ListClients   = "clients"
	ListWorkItems = "workitems"
	ListProcesses = "processes"
)

// ViewColumn is one column of a list. Field columns (Key "var.<name>" or
// "form.<name>") read a process variable or a form field, typed from the
// definition's schemas by the caller.
type ViewColumn struct {
	Key  string     `json:"key"`
	Type ColumnType `json:"type"`
	sql  string     // the value's expression; for a set, the list shown
	has  string     // a set's membership test, %s the value
	// field is the JSON key a field column reads from json (an expression
	// taking it as %s).
	field, json string
}

// Field reports whether the column reads a variable or form field.
func (c ViewColumn) Field() bool { return c.json != "" }

// listFrom is each list's tables, with the aliases the columns use.
var listFrom = map[string]string{
	ListWorkItems: ` FROM work_items w JOIN processes p ON p.id = w.process_id LEFT JOIN clients cl ON cl.id = p.client_id`,
	ListProcesses: ` FROM processes p LEFT JOIN clients cl ON cl.id = p.client_id`,
	ListClients:   ` FROM clients c`,
}

// listID is the expression of a row's id, the keyset's last key.
var listID = map[string]string{ListWorkItems: "w.id", ListProcesses: "p.id", ListClients: "c.id"}

func col(key string, t ColumnType, sql string) ViewColumn {
	return ViewColumn{Key: key, Type: t, sql: sql}
}

func set(key, shown, has string) ViewColumn {
	return ViewColumn{Key: key, Type: TypeSet, sql: shown, has: has}
}

var listColumns = map[string][]ViewColumn{
	ListWorkItems: {
		col("title", TypeText, "w.title"),
		col("client", TypeText, "(cl.name COLLATE ru_icu)"),
		col("stage", TypeEnum, "w.stage"),
		col("state", TypeEnum, "w.state"),
		col("assignee", TypeUser, "w.assignee"),
		col("plannedStart", TypeDate, "w.planned_start"),
		col("due", TypeDate, "w.due"),
		col("overdue", TypeBool, "w.overdue"),
		col("definition", TypeEnum, "p.definition_id"),
		col("businessKey", TypeText, "p.business_key"),
		col("process", TypeText, "w.process_id"),
		col("processStartedAt", TypeDate, "p.started_at"),
		col("createdAt", TypeDate, "w.created_at"),
		col("completedAt", TypeDate, "w.completed_at"),
		col("completedBy", TypeUser, "w.completed_by"),
	},
	ListProcesses: {
		col("businessKey", TypeText, "p.business_key"),
		col("client", TypeText, "(cl.name COLLATE ru_icu)"),
		col("definition", TypeEnum, "p.definition_id"),
		col("version", TypeNumber, "p.version"),
		col("state", TypeEnum, "p.state"),
		col("stage", TypeEnum, "p.stage"),
		col("end", TypeEnum, "p.end_id"),
		col("assignee", TypeUser, "p.assignee"),
		col("plannedStart", TypeDate, "p.planned_start"),
		col("due", TypeDate, "p.due"),
		col("overdue", TypeBool, "p.overdue"),
		col("progress", TypeNumber, "p.progress"),
		col("startedBy", TypeUser, "p.started_by"),
		col("startedAt", TypeDate, "p.started_at"),
		col("completedAt", TypeDate, "p.completed_at"),
		set("reached", `array_to_string(ARRAY(SELECT DISTINCT sl.stage FROM stage_log sl WHERE sl.process_id = p.id AND sl.event = 'entered' ORDER BY 1), ', ')`,
			`EXISTS (SELECT 1 FROM stage_log sl WHERE sl.process_id = p.id AND sl.event = 'entered' AND sl.stage = %s)`),
		set("passed", `array_to_string(ARRAY(SELECT DISTINCT sl.stage FROM stage_log sl WHERE sl.process_id = p.id AND sl.event = 'left' ORDER BY 1), ', ')`,
			`EXISTS (SELECT 1 FROM stage_log sl WHERE sl.process_id = p.id AND sl.event = 'left' AND sl.stage = %s)`),
	},
	ListClients: {
		col("name", TypeText, "(c.name COLLATE ru_icu)"),
		col("inn", TypeText, "c.inn"),
		col("owner", TypeUser, "c.owner"),
		col("createdAt", TypeDate, "c.created_at"),
		col("updatedAt", TypeDate, "c.updated_at"),
		set("segments", `array_to_string(ARRAY(SELECT x.segment_id FROM client_segments x WHERE x.client_id = c.id ORDER BY 1), ', ')`,
			`EXISTS (SELECT 1 FROM client_segments x WHERE x.client_id = c.id AND x.segment_id = %s)`),
		set("productGroups", `array_to_string(ARRAY(SELECT x.group_id FROM client_product_groups x WHERE x.client_id = c.id ORDER BY 1), ', ')`,
			`EXISTS (SELECT 1 FROM client_product_groups x WHERE x.client_id = c.id AND x.group_id = %s)`),
	},
}

// ListColumns is the fixed columns of list, nil for an unknown list.
func ListColumns(list string) []ViewColumn { return slices.Clone(listColumns[list]) }

// ListColumn is the fixed column key of list.
func ListColumn(list, key string) (ViewColumn, bool) {
	i := slices.IndexFunc(listColumns[list], func(c ViewColumn) bool { return c.Key == key })
	if i < 0 {
		return ViewColumn{}, false
	}
	return listColumns[list][i], true
}

// FieldColumn is a process variable (source "var") or a form field
// ("form") of list's processes as a column of type t; clients have none.
// A work item's form field is its own data, else the process's so far.
func FieldColumn(list, source, name string, t ColumnType) (ViewColumn, bool) {
	var json string
	switch {
	case list == ListClients || (source != "var" && source != "form") || t == TypeSet || t == TypeUser:
		return ViewColumn{}, false
	case source == "var":
		json = "p.vars -> %s"
	case list == ListWorkItems:
		json = "coalesce(w.data -> %s, p.data -> %s)"
	default:
		json = "p.data -> %s"
	}
	return ViewColumn{Key: source + "." + name, Type: t, field: name, json: json}, true
}
