package definitions

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// The model is the definition as written, read leniently from the decoded
// YAML: a value of the wrong type is left empty (the schema check has already
// reported it), so the rules below can still check everything else.
type definition struct {
	ID, Title, Subject string
	Titles             map[string]string // Title by language, if written so
	Variables          map[string]any
	Start              string
	Stages             []*stage // in source order
	Ends               []*end
}

type stage struct {
	ID, Ptr      string
	Title        string
	Titles       map[string]string
	Assignee     *assignee
	PlannedStart string
	Due          string
	Progress     *int
	Form         map[string]any
	Transitions  []*transition
}

type transition struct {
	Ptr          string
	When, To     string
	Assignee     *assignee // nil: the target stage's rule
	PlannedStart string
	Due          string
}

type assignee struct {
	Ptr                    string
	Same                   bool
	User, Team, Pick, Expr string
	Choose                 bool
	// which keys were written, to tell "not one of the forms" apart
	keys []string
}

type end struct {
	ID, Ptr, Title string
	Titles         map[string]string
}

func readModel(s *source) *definition {
	root, _ := s.root.(map[string]any)
	d := &definition{
		ID:        str(root["id"]),
		Subject:   str(root["subject"]),
		Variables: obj(root["variables"]),
		Start:     str(root["start"]),
	}
	d.Title, d.Titles = readText(root["title"])
	localizeSchema(d.Variables)
	stages := obj(root["stages"])
	for _, id := range inSourceOrder(s, "/stages", stages) {
		d.Stages = append(d.Stages, readStage(s, id, obj(stages[id])))
	}
	ends := obj(root["ends"])
	for _, id := range inSourceOrder(s, "/ends", ends) {
		ptr := "/ends/" + escapePointer(id)
		e := &end{ID: id, Ptr: ptr}
		e.Title, e.Titles = readText(obj(ends[id])["title"])
		d.Ends = append(d.Ends, e)
	}
	return d
}

func readStage(s *source, id string, m map[string]any) *stage {
	ptr := "/stages/" + escapePointer(id)
	st := &stage{
		ID: id, Ptr: ptr,
		Assignee:     readAssignee(m["assignee"], ptr+"/assignee"),
		PlannedStart: str(m["plannedStart"]),
		Due:          str(m["due"]),
		Form:         obj(m["form"]),
	}
	st.Title, st.Titles = readText(m["title"])
	localizeSchema(st.Form)
	if n, ok := m["progress"].(json.Number); ok {
		if v, err := strconv.Atoi(string(n)); err == nil {
			st.Progress = &v
		}
	}
	list, _ := m["transitions"].([]any)
	for i, t := range list {
		tm := obj(t)
		tptr := ptr + "/transitions/" + strconv.Itoa(i)
		st.Transitions = append(st.Transitions, &transition{
			Ptr:          tptr,
			When:         str(tm["when"]),
			To:           str(tm["to"]),
			Assignee:     readAssignee(tm["assignee"], tptr+"/assignee"),
			PlannedStart: str(tm["plannedStart"]),
			Due:          str(tm["due"]),
		})
	}
	return st
}

func readAssignee(v any, ptr string) *assignee {
	if v == "same" {
		return &assignee{Ptr: ptr, Same: true}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	choose, _ := m["choose"].(bool)
	return &assignee{
		Ptr: ptr, User: str(m["user"]), Team: str(m["team"]), Pick: str(m["pick"]),
		Expr: str(m["expr"]), Choose: choose,
		keys: slices.Sorted(maps.Keys(m)),
	}
}

func inSourceOrder(s *source, ptr string, m map[string]any) []string {
	ids := slices.Collect(maps.Keys(m))
	slices.SortFunc(ids, func(a, b string) int {
		pa, pb := s.keyAt(ptr+"/"+escapePointer(a)), s.keyAt(ptr+"/"+escapePointer(b))
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Column, pb.Column), cmp.Compare(a, b))
	})
	return ids
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
