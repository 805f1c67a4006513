package services

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// ViewSpec is how a view shows its list: the columns in order, a filter,
// the sort keys, an optional grouping with sums, and the page size.
// Columns are the list's fixed ones (ViewColumns) and, when the view names
// a definition, its variables ("var.<name>") and form fields
// ("form.<name>"), typed from its schemas.
type ViewSpec struct {
	Definition string        `json:"definition,omitempty"`
	Columns    []string      `json:"columns"`
	Filter     *ViewFilter   `json:"filter,omitempty"`
	Sort       []ViewSortKey `json:"sort,omitempty"`
	Group      []string      `json:"group,omitempty"`
	Sums       []string      `json:"sums,omitempty"`
	PageSize   int           `json:"pageSize,omitempty"`
}

// ViewFilter is a condition (Column, Op, Value) or a group: all of its
// filters hold, or any of them.
type ViewFilter struct {
	All    []ViewFilter `json:"all,omitempty"`
	Any    []ViewFilter `json:"any,omitempty"`
	Column string       `json:"column,omitempty"`
	Op     string       `json:"op,omitempty"`
	Value  any          `json:"value,omitempty"`
}

// ViewSortKey is one sort key.
type ViewSortKey struct {
	Column string `json:"column"`
	Desc   bool   `json:"desc,omitempty"`
}

// ViewColumn is a column a view may use, as the API and the pages describe
// it: field columns carry the title their schema gives, enum columns their
// choices.
type ViewColumn struct {
	Key     string            `json:"key"`
	Type    store.ColumnType  `json:"type"`
	Title   string            `json:"title,omitempty"`
	Titles  map[string]string `json:"titles,omitempty"`
	Choices []ViewChoice      `json:"choices,omitempty"`
	Ops     []string          `json:"ops"`
	col     store.ViewColumn
}

// TitleIn is the column's schema title in lang, "" for a fixed column
// (the pages word those).
func (c ViewColumn) TitleIn(lang string) string {
	if t, ok := c.Titles[lang]; ok {
		return t
	}
	return c.Title
}

// ViewChoice is one value of an enum column.
type ViewChoice struct {
	Value  string            `json:"value"`
	Title  string            `json:"title,omitempty"`
	Titles map[string]string `json:"titles,omitempty"`
}

// TitleIn is the choice's title in lang, else its value.
func (c ViewChoice) TitleIn(lang string) string {
	if t, ok := c.Titles[lang]; ok {
		return t
	}
	return cmp.Or(c.Title, c.Value)
}

// The operators each type of column takes. within takes a period named
// relative to now (RelativePeriods); before_now is "overdue" for any date.
var viewOps = map[store.ColumnType][]string{
	store.TypeText:   {"contains", "eq", "ne", "in", "set", "unset"},
	store.TypeEnum:   {"eq", "ne", "in", "set", "unset"},
	store.TypeNumber: {"between", "eq", "ne", "set", "unset"},
	store.TypeDate:   {"within", "between", "before_now", "after_now", "set", "unset"},
	store.TypeBool:   {"eq"},
	store.TypeUser:   {"me", "my_team", "eq", "ne", "in", "set", "unset"},
	store.TypeSet:    {"has", "lacks"},
}

// RelativePeriods are the periods within takes, counted in the
// deployment's time zone; weeks start on Monday.
var RelativePeriods = []string{"today", "yesterday", "tomorrow", "this_week", "last_week", "next_week",
	"this_month", "last_month", "last_7_days", "last_30_days", "next_7_days"}

// The bounds of a view, checked by its JSON Schema (views.schema.json)
// before anything else reads it.
const (
	maxViewColumns   = 30
	maxViewFilters   = 50 // conditions in all
	maxViewInValues  = 100
	defaultPageSize  = 50
	maxViewNameRunes = 80
)

//go:embed views.schema.json
var viewSchemaJSON []byte

var viewSchema = func() *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(viewSchemaJSON))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("view.json", doc); err != nil {
		panic(err)
	}
	return c.MustCompile("view.json")
}()

// ViewSchemaJSON is the JSON Schema of a view's body.
func ViewSchemaJSON() []byte { return bytes.Clone(viewSchemaJSON) }

// checkViewBody checks a view body's JSON against the schema, every fault
// with its JSON path.
func checkViewBody(raw []byte) error {
	err := definitions.CheckJSON(viewSchema, raw)
	var faults definitions.DataError
	if errors.As(err, &faults) {
		return refusal.Invalid("the view is not valid", faults...)
	}
	return err
}

// OpMismatch is a condition whose operator its column does not take, for
// a page to word with the operators' names in its language.
type OpMismatch struct {
	Op    string
	Takes []string
}

func (e *OpMismatch) Error() string { return "a column does not take " + e.Op }

// compiled is a spec resolved for the store.
type compiled struct {
	query   store.ViewQuery
	columns []ViewColumn // shown
	group   []store.ViewColumn
	// groupCols describe group.
	groupCols []ViewColumn
	sums      []store.ViewColumn
	sumKeys   []string
}

// viewCatalogue is the columns of list, with those of definition's plan
// when it is given.
func viewCatalogue(list string, plan *definitions.Plan) []ViewColumn {
	var out []ViewColumn
	for _, c := range store.ListColumns(list) {
		vc := ViewColumn{Key: c.Key, Type: c.Type, Ops: viewOps[c.Type], col: c}
		vc.Choices = fixedChoices(list, c.Key, plan)
		out = append(out, vc)
	}
	if plan == nil || list == store.ListClients {
		return out
	}
	for _, f := range schemaFields(plan.Variables) {
		if c, ok := store.FieldColumn(list, "var", f.name, f.typ); ok {
			out = append(out, ViewColumn{Key: c.Key, Type: c.Type, Title: f.title, Titles: f.titles, Choices: f.choices, Ops: viewOps[c.Type], col: c})
		}
	}
	seen := map[string]bool{}
	for _, stage := range stageOrder(plan) {
		for _, f := range schemaFields(plan.Stages[stage].Form) {
			if seen[f.name] {
				continue
			}
			seen[f.name] = true
			if c, ok := store.FieldColumn(list, "form", f.name, f.typ); ok {
				out = append(out, ViewColumn{Key: c.Key, Type: c.Type, Title: f.title, Titles: f.titles, Choices: f.choices, Ops: viewOps[c.Type], col: c})
			}
		}
	}
	return out
}

// fixedChoices is the values of a fixed enum or set column.
func fixedChoices(list, key string, plan *definitions.Plan) []ViewChoice {
	var out []ViewChoice
	switch {
	case key == "state" && list == store.ListWorkItems:
		for _, s := range []string{store.ItemAttention, store.ItemInProgress, store.ItemDone, store.ItemCancelled} {
			out = append(out, ViewChoice{Value: s})
		}
	case key == "state":
		for _, s := range []string{store.ProcessRunning, store.ProcessCompleted, store.ProcessCancelled, "failed"} {
			out = append(out, ViewChoice{Value: s})
		}
	case plan != nil && (key == "stage" || key == "reached" || key == "passed"):
		for _, id := range stageOrder(plan) {
			st := plan.Stages[id]
			out = append(out, ViewChoice{Value: id, Title: st.Title, Titles: st.Titles})
		}
	case plan != nil && key == "definition":
		out = append(out, ViewChoice{Value: plan.ID, Title: plan.Title, Titles: plan.Titles})
	case plan != nil && key == "end":
		ids := make([]string, 0, len(plan.Ends))
		for id := range plan.Ends {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			out = append(out, ViewChoice{Value: id, Title: plan.Ends[id].Title, Titles: plan.Ends[id].Titles})
		}
	}
	return out
}

type schemaField struct {
	name, title string
	titles      map[string]string
	typ         store.ColumnType
	choices     []ViewChoice
}

// schemaFields is the top-level properties of an object schema with the
// column type each reads as, by name.
func schemaFields(schema json.RawMessage) []schemaField {
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	var out []schemaField
	for name, p := range s.Properties {
		f := schemaField{name: name}
		f.title, _ = p["title"].(string)
		if by, ok := p["x-titles"].(map[string]any); ok {
			f.titles = map[string]string{}
			for lang, t := range by {
				f.titles[lang], _ = t.(string)
			}
		}
		switch p["type"] {
		case "number", "integer":
			f.typ = store.TypeNumber
		case "boolean":
			f.typ = store.TypeBool
		case "string":
			f.typ = store.TypeText
			if format, _ := p["format"].(string); format == "date-time" || format == "date" {
				f.typ = store.TypeDate
			}
			f.choices = schemaChoices(p)
			if len(f.choices) > 0 {
				f.typ = store.TypeEnum
			}
		default:
			continue
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b schemaField) int { return strings.Compare(a.name, b.name) })
	return out
}

// schemaChoices is a string property's enum or labelled oneOf choices.
func schemaChoices(p map[string]any) []ViewChoice {
	var out []ViewChoice
	if enum, ok := p["enum"].([]any); ok {
		for _, v := range enum {
			if s, ok := v.(string); ok {
				out = append(out, ViewChoice{Value: s})
			}
		}
	}
	if one, ok := p["oneOf"].([]any); ok {
		for _, c := range one {
			m, _ := c.(map[string]any)
			v, ok := m["const"].(string)
			if !ok {
				continue
			}
			ch := ViewChoice{Value: v}
			ch.Title, _ = m["title"].(string)
			if by, ok := m["x-titles"].(map[string]any); ok {
				ch.Titles = map[string]string{}
				for lang, t := range by {
					ch.Titles[lang], _ = t.(string)
				}
			}
			out = append(out, ch)
		}
	}
	return out
}

// compileView resolves spec's columns against the catalogue and types its
// values, every fault with its JSON path under base.
func compileView(list string, spec ViewSpec, catalogue []ViewColumn, loc *time.Location, now time.Time, base string) (compiled, error) {
	byKey := map[string]ViewColumn{}
	for _, c := range catalogue {
		byKey[c.Key] = c
	}
	var faults []refusal.FieldError
	lookup := func(path, key string) (ViewColumn, bool) {
		c, ok := byKey[key]
		if !ok {
			msg := "no such column"
			if strings.HasPrefix(key, "var.") || strings.HasPrefix(key, "form.") {
				msg = "no such field in the conveyor's current version"
				if spec.Definition == "" {
					msg = "a field column needs the view's definition"
				}
			}
			faults = append(faults, viewFault(base+path, msg))
		}
		return c, ok
	}
	var out compiled
	out.query.List = list
	for i, key := range spec.Columns {
		if c, ok := lookup("/columns/"+strconv.Itoa(i), key); ok {
			out.columns = append(out.columns, c)
			out.query.Columns = append(out.query.Columns, c.col)
		}
	}
	for i, k := range spec.Sort {
		path := "/sort/" + strconv.Itoa(i) + "/column"
		if c, ok := lookup(path, k.Column); ok {
			if c.Type == store.TypeSet {
				faults = append(faults, viewFault(base+path, "a list of values does not sort"))
				continue
			}
			out.query.Sort = append(out.query.Sort, store.ViewSort{Column: c.col, Desc: k.Desc})
		}
	}
	for i, key := range spec.Group {
		path := "/group/" + strconv.Itoa(i)
		if c, ok := lookup(path, key); ok {
			if c.Type == store.TypeSet {
				faults = append(faults, viewFault(base+path, "a list of values does not group"))
				continue
			}
			out.group, out.groupCols = append(out.group, c.col), append(out.groupCols, c)
		}
	}
	for i, key := range spec.Sums {
		path := "/sums/" + strconv.Itoa(i)
		if c, ok := lookup(path, key); ok {
			if c.Type != store.TypeNumber {
				faults = append(faults, viewFault(base+path, "only a number column is summed"))
				continue
			}
			out.sums, out.sumKeys = append(out.sums, c.col), append(out.sumKeys, key)
		}
	}
	if spec.Filter != nil {
		f := compileFilter(*spec.Filter, base+"/filter", lookup, loc, now, &faults)
		out.query.Filter = &f
	}
	if spec.Definition != "" {
		def, _ := store.ListColumn(list, "definition")
		if list != store.ListClients {
			scope := store.ViewFilter{Cond: &store.ViewCond{Column: def, Op: "eq", Values: []any{spec.Definition}}}
			if out.query.Filter != nil {
				scope = store.ViewFilter{All: []store.ViewFilter{scope, *out.query.Filter}}
			}
			out.query.Filter = &scope
		}
	}
	out.query.Limit = cmp.Or(spec.PageSize, defaultPageSize)
	if len(faults) > 0 {
		return out, refusal.Invalid("the view does not fit its list", faults...)
	}
	return out, nil
}

func compileFilter(f ViewFilter, path string, lookup func(string, string) (ViewColumn, bool), loc *time.Location, now time.Time, faults *[]refusal.FieldError) store.ViewFilter {
	group := func(list []ViewFilter, name string) []store.ViewFilter {
		out := make([]store.ViewFilter, 0, len(list))
		for i, x := range list {
			out = append(out, compileFilter(x, path+"/"+name+"/"+strconv.Itoa(i), lookup, loc, now, faults))
		}
		return out
	}
	switch {
	case len(f.All) > 0:
		return store.ViewFilter{All: group(f.All, "all")}
	case len(f.Any) > 0:
		return store.ViewFilter{Any: group(f.Any, "any")}
	}
	c, ok := lookup(path+"/column", f.Column)
	if !ok {
		return store.ViewFilter{}
	}
	if !slices.Contains(c.Ops, f.Op) {
		fault := viewFault(path+"/op", "a "+string(c.Type)+" column takes "+strings.Join(c.Ops, ", "))
		fault.Cause = &OpMismatch{Op: f.Op, Takes: c.Ops}
		*faults = append(*faults, fault)
		return store.ViewFilter{}
	}
	cond, msg := condition(c, f.Op, f.Value, loc, now)
	if msg != "" {
		*faults = append(*faults, viewFault(path+"/value", msg))
		return store.ViewFilter{}
	}
	return store.ViewFilter{Cond: &cond}
}

// condition types a filter's value for its column: relative periods become
// a range of times, dates are read in loc.
func condition(c ViewColumn, op string, value any, loc *time.Location, now time.Time) (store.ViewCond, string) {
	cond := store.ViewCond{Column: c.col, Op: op}
	switch op {
	case "set", "unset", "me", "my_team":
		return cond, ""
	case "before_now":
		cond.Op, cond.Values = "between", []any{nil, now}
		return cond, ""
	case "after_now":
		cond.Op, cond.Values = "between", []any{now, nil}
		return cond, ""
	case "within":
		name, _ := value.(string)
		from, to, ok := relativePeriod(name, now.In(loc))
		if !ok {
			return cond, "must be one of " + strings.Join(RelativePeriods, ", ")
		}
		cond.Op, cond.Values = "between", []any{from, to}
		return cond, ""
	case "in":
		list, ok := value.([]any)
		if !ok || len(list) == 0 {
			return cond, "must be a list of values"
		}
		for _, v := range list {
			x, msg := typed(c, v, loc)
			if msg != "" {
				return cond, msg
			}
			cond.Values = append(cond.Values, x)
		}
		return cond, ""
	case "between":
		pair, ok := value.([]any)
		if !ok || len(pair) != 2 || (pair[0] == nil && pair[1] == nil) {
			return cond, "must be [from, to], either may be null"
		}
		for _, v := range pair {
			if v == nil {
				cond.Values = append(cond.Values, nil)
				continue
			}
			x, msg := typed(c, v, loc)
			if msg != "" {
				return cond, msg
			}
			cond.Values = append(cond.Values, x)
		}
		return cond, ""
	}
	x, msg := typed(c, value, loc)
	cond.Values = []any{x}
	return cond, msg
}

// typed is one value as its column's type.
func typed(c ViewColumn, v any, loc *time.Location) (any, string) {
	switch c.Type {
	case store.TypeNumber:
		if n, ok := v.(float64); ok {
			return n, ""
		}
		return nil, "must be a number"
	case store.TypeBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, "must be true or false"
	case store.TypeDate:
		s, _ := v.(string)
		if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
			return t, ""
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, ""
		}
		return nil, "must be a date YYYY-MM-DD or a time in RFC 3339"
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return nil, "must be a text"
	}
	if c.Type == store.TypeEnum && len(c.Choices) > 0 && !slices.ContainsFunc(c.Choices, func(ch ViewChoice) bool { return ch.Value == s }) {
		return nil, fmt.Sprintf("%q is not one of the column's values", s)
	}
	return s, ""
}

// relativePeriod is the half-open range of a named period around now.
func relativePeriod(name string, now time.Time) (from, to time.Time, ok bool) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	switch name {
	case "today":
		return day, day.AddDate(0, 0, 1), true
	case "yesterday":
		return day.AddDate(0, 0, -1), day, true
	case "tomorrow":
		return day.AddDate(0, 0, 1), day.AddDate(0, 0, 2), true
	case "this_week":
		return monday, monday.AddDate(0, 0, 7), true
	case "last_week":
		return monday.AddDate(0, 0, -7), monday, true
	case "next_week":
		return monday.AddDate(0, 0, 7), monday.AddDate(0, 0, 14), true
	case "this_month":
		return month, month.AddDate(0, 1, 0), true
	case "last_month":
		return month.AddDate(0, -1, 0), month, true
	case "last_7_days":
		return day.AddDate(0, 0, -6), day.AddDate(0, 0, 1), true
	case "last_30_days":
		return day.AddDate(0, 0, -29), day.AddDate(0, 0, 1), true
	case "next_7_days":
		return day, day.AddDate(0, 0, 7), true
	}
	return time.Time{}, time.Time{}, false
}
