package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
)

// A process's history, its list and its audit trail are read by people who
// sell: the data of a completed item is shown as the fields of its stage's
// form (their titles, a choice by its label, a time in the user's zone),
// never as the JSON it is kept in.

// shownField is one value of an item's data as a person reads it.
type shownField struct{ Label, Value string }

// historyRow is one work item of a history, in words.
type historyRow struct {
	services.WorkItem
	Who        string // the name of who completed it, or of whom it waits for
	Delegated  string // a sentence: whom it was meant for while they are away
	HandedOver string // a sentence: who handed it over, and what they said
	Fields     []shownField
}

// historyInput is what a page gives its history partial: the items, the
// form fields of each stage (by stage id) and the names of the users (by
// login); stages and users left out show as well as they can.
type historyInput struct {
	Items []services.WorkItem
	Forms map[string][]form.Field
	Names map[string]string
}

// historySource is a page that shows a process's history.
type historySource interface{ historyInput() historyInput }

func (p processPage) historyInput() historyInput {
	return historyInput{Items: p.History, Forms: p.forms, Names: p.names}
}

// The work item page knows the form of its own stage only.
func (p itemPage) historyInput() historyInput {
	return historyInput{Items: p.History, Forms: map[string][]form.Field{p.Item.Stage: p.Fields}}
}

// HistoryRows is the page's history in the page's language and zone, for
// the history partial.
func (v view) HistoryRows() []historyRow {
	var in historyInput
	switch p := v.Page.(type) {
	case historySource:
		in = p.historyInput()
	default:
		return nil
	}
	rows := make([]historyRow, len(in.Items))
	for i, w := range in.Items {
		who := w.Assignee
		if w.CompletedBy != "" {
			who = w.CompletedBy
		}
		r := historyRow{WorkItem: w, Who: nameOf(in.Names, who), Fields: showData(v.Lang, v.Loc, in.Forms[w.Stage], w.Data)}
		if w.DelegatedFrom != "" {
			r.Delegated = fmt.Sprintf(translate(v.Lang, "h.delegated"), nameOf(in.Names, w.DelegatedFrom))
		}
		switch {
		case w.HandedOverBy != "" && w.HandoverNote != "":
			r.HandedOver = fmt.Sprintf(translate(v.Lang, "h.handedover.note"), nameOf(in.Names, w.HandedOverBy), w.HandoverNote)
		case w.HandedOverBy != "":
			r.HandedOver = fmt.Sprintf(translate(v.Lang, "h.handedover"), nameOf(in.Names, w.HandedOverBy))
		}
		rows[i] = r
	}
	return rows
}

func nameOf(names map[string]string, login string) string {
	if n := names[login]; n != "" {
		return n
	}
	return login
}

// userNames maps every user's login to their name.
func (u *UI) userNames(ctx context.Context) (map[string]string, error) {
	users, err := u.Services.Everyone(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(users))
	for _, x := range users {
		names[x.Login] = x.Name
	}
	return names, nil
}

// stageForms are the form fields of each stage of plan, by stage id.
func stageForms(plan *definitions.Plan, lang string) map[string][]form.Field {
	out := map[string][]form.Field{}
	if plan == nil {
		return out
	}
	for id, st := range plan.Stages {
		if f, err := form.FieldsIn(st.Form, lang); err == nil {
			out[id] = f
		}
	}
	return out
}

// showData lists data's values: the fields of the form first, in its
// order, then those it does not know, by name, humanised. Empty values are
// left out.
func showData(lang string, loc *time.Location, fields []form.Field, data json.RawMessage) []shownField {
	values := decodeObject(data)
	if len(values) == 0 {
		return nil
	}
	var out []shownField
	seen := map[string]bool{}
	for i := range fields {
		f := &fields[i]
		seen[f.Name] = true
		if s := showValue(lang, loc, f, values[f.Name]); s != "" {
			out = append(out, shownField{Label: f.Label, Value: s})
		}
	}
	var rest []string
	for k := range values {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		if s := showValue(lang, loc, nil, values[k]); s != "" {
			out = append(out, shownField{Label: form.Humanize(k), Value: s})
		}
	}
	return out
}

// decodeObject reads a JSON object keeping numbers as they are written.
func decodeObject(raw []byte) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

// showValue is v as a person reads it, f being its form field when known:
// a choice by its label, a time in loc as the pages write it, a boolean as
// yes or no, a number with its digits grouped; "" for no value.
func showValue(lang string, loc *time.Location, f *form.Field, v any) string {
	if loc == nil {
		loc = time.UTC
	}
	kind := ""
	if f != nil {
		kind = f.Kind
	}
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if kind == form.KindSelect {
			return f.ChoiceLabel(strconv.FormatBool(v))
		}
		if v {
			return translate(lang, "h.yes")
		}
		return translate(lang, "h.no")
	case json.Number:
		if kind == form.KindSelect {
			return f.ChoiceLabel(v.String())
		}
		return showNumber(lang, v.String())
	case string:
		switch {
		case kind == form.KindSelect:
			return f.ChoiceLabel(v)
		case kind == form.KindDate:
			if t, err := time.Parse(time.DateOnly, v); err == nil {
				return t.Format("02.01.2006")
			}
		case kind == form.KindDateTimeLocal || kind == "" || kind == form.KindText:
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return t.In(loc).Format("02.01.2006 15:04")
			}
		}
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			var s string
			if f != nil && f.Kind == form.KindJSON {
				s = showValue(lang, loc, nil, x)
			} else {
				s = showValue(lang, loc, f, x)
			}
			if s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if s := showValue(lang, loc, nil, v[k]); s != "" {
				parts = append(parts, form.Humanize(k)+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return jsonText(v)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// showNumber groups the digits of a JSON number by three, with the
// language's separators: 1234567.5 is "1,234,567.5" in English and
// "1 234 567,5" in Russian. A number in exponent form stays as it is.
func showNumber(lang, n string) string {
	if strings.ContainsAny(n, "eE") {
		return n
	}
	sign := ""
	if strings.HasPrefix(n, "-") {
		sign, n = "-", n[1:]
	}
	whole, frac, hasFrac := strings.Cut(n, ".")
	group, point := translate(lang, "h.num.group"), translate(lang, "h.num.point")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if hasFrac {
		out += point + frac
	}
	return out
}

// processRow is a process in words, for the list and the process page.
type processRow struct {
	services.Process
	Title      string // the definition's title
	StageTitle string // the title of the stage it is at, if any
	EndTitle   string // the title of the end it reached, if any
	// Outcome is how it ended, for the colour of its row: "" while it
	// runs, "won", "lost", or "ended" for an end neither (and a
	// cancelled process).
	Outcome string
	// AssigneeName is the name of whom it waits for.
	AssigneeName string
}

func newProcessRow(p services.Process, plan *definitions.Plan, lang string) processRow {
	r := processRow{Process: p, Title: p.Definition, StageTitle: p.Stage, EndTitle: p.End}
	if plan != nil {
		if t := plan.TitleIn(lang); t != "" {
			r.Title = t
		}
		if st, ok := plan.Stages[p.Stage]; ok && st.TitleIn(lang) != "" {
			r.StageTitle = st.TitleIn(lang)
		}
		if e, ok := plan.Ends[p.End]; ok && e.TitleIn(lang) != "" {
			r.EndTitle = e.TitleIn(lang)
		}
	}
	r.Outcome = outcome(p.State, p.End, r.EndTitle)
	return r
}

// outcome tells a won end from a lost one. A plan's ends have only their
// ids and titles, so an end is won or lost when either says so plainly
// ("won", "win", "success"…; "lost", "refused"…); any other end, and a
// cancelled process, is neither; a failed one is lost.
func outcome(state, end, title string) string {
	switch state {
	case "running":
		return ""
	case "failed":
		return "lost"
	case "cancelled":
		return "ended"
	}
	for _, w := range []string{strings.ToLower(end), strings.ToLower(title)} {
		switch w {
		case "won", "win", "success", "succeeded", "closed_won", "выиграно", "выигран", "успех", "сделка":
			return "won"
		case "lost", "lose", "refused", "rejected", "failed", "closed_lost", "проиграно", "проигран", "отказ":
			return "lost"
		}
	}
	return "ended"
}

type planKey struct {
	definition string
	version    int
}

// planCache loads each plan a page needs once.
type planCache map[planKey]*definitions.Plan

func (pc planCache) get(ctx context.Context, s *services.Services, p services.Process) (*definitions.Plan, error) {
	k := planKey{p.Definition, p.Version}
	if plan, ok := pc[k]; ok {
		return plan, nil
	}
	plan, err := s.ProcessPlan(ctx, p)
	if err != nil {
		return nil, err
	}
	pc[k] = plan
	return plan, nil
}

// Rows are the list's processes in words, their executors by name.
func (p processListPage) Rows() []processRow {
	names := make(map[string]string, len(p.Users))
	for _, x := range p.Users {
		names[x.Login] = x.Name
	}
	rows := make([]processRow, len(p.Items))
	for i, x := range p.Items {
		rows[i] = newProcessRow(x, p.plans[planKey{x.Definition, x.Version}], p.lang)
		if x.Assignee != "" {
			rows[i].AssigneeName = nameOf(names, x.Assignee)
		}
	}
	return rows
}

// localizeItems names items' stages in lang where plan has them: an item
// keeps its stage's title as it was written first.
func localizeItems(items []services.WorkItem, plan *definitions.Plan, lang string) {
	if plan == nil {
		return
	}
	for i, w := range items {
		if st, ok := plan.Stages[w.Stage]; ok {
			items[i].Title = st.TitleIn(lang)
		}
	}
}
