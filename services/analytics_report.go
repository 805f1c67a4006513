package services

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// ReportParams are an analytics report's parameters as people give them:
// the API's query and the page's filters. Dates are days (YYYY-MM-DD) in
// the deployment's zone, To included; without them the report is of the
// last 30 days. Version is a number, "" for all versions. Team, Segment,
// Group and Manager narrow the report when not "" (see Report); Sum names
// a number field of a form, Reasons a text field (DefaultReasons when "",
// if the conveyor's forms have it; else its ends are given no reasons).
type ReportParams struct {
	Definition, Version, From, To      string
	Team, Segment, Group, Manager, Sum string
	Reasons                            string
}

// DefaultReasons is the form field whose values are the reasons of an end.
const DefaultReasons = "result"

// Report is a conveyor's analytics over the processes started in a period
// that the asker may see, counted live from the stage log at AsOf.
//
// Narrowing: Segment and Group keep the processes of clients in the
// segment or product group or a node below it. Team and Manager keep the
// processes one of whose stages a member of the team (as the team is now)
// or the manager worked, and of them count only those stages: a stage is
// worked by its work item's assignee (after any reassignment). A handoff
// is counted at the stage it enters. A name nobody knows is refused (422
// with its path), so that a typo is not read as "no work".
type Report struct {
	Definition string    `json:"definition"`
	Version    int       `json:"version,omitempty"` // 0: all versions
	From       time.Time `json:"from"`
	To         time.Time `json:"to"` // exclusive
	Zone       string    `json:"zone"`
	AsOf       time.Time `json:"asOf"`
	Team       string    `json:"team,omitempty"`
	Segment    string    `json:"segment,omitempty"`
	Group      string    `json:"group,omitempty"`
	Manager    string    `json:"manager,omitempty"`
	SumOf      string    `json:"sumOf,omitempty"`
	ReasonsOf  string    `json:"reasonsOf"`
	Processes  int       `json:"processes"`
	// Stages are in the plan's order (of the latest version when all are
	// counted), then any stage only older versions have.
	Stages   []ReportStage   `json:"stages"`
	Handoffs []ReportHandoff `json:"handoffs"`
	// Chains are the people who worked the processes in turn (manager 1
	// -> 2 -> 3), the most common first (at most 20).
	Chains    []ReportChain    `json:"chains"`
	Executors []ReportExecutor `json:"executors"`
	// Weeks are the Mondays (YYYY-MM-DD, in Zone) of the weeks of the
	// period, the columns of Completions and HeatMap.
	Weeks       []string           `json:"weeks"`
	Completions []ReportCompletion `json:"completions"`
	HeatMap     []ReportHeatRow    `json:"heatMap"`
	Ends        []ReportEnd        `json:"ends"`
	Cancelled   ReportCancelled    `json:"cancelled"`
	Cohorts     []ReportCohort     `json:"cohorts"`
	// Names are the people the report names, by login.
	Names map[string]string `json:"names"`
}

// ReportStage is one stage of the report's funnel, in both of its kinds:
// Reached counts the processes that entered the stage at any point,
// InOrder those that entered it having left done every stage before it in
// the plan's order. Left is those that left it done at least once,
// DropOff those that reached it and never left it done (still in it,
// cancelled there, or gone on by another way); Conversion is Left over
// Reached, ToNext the next stage's InOrder over this one's. The time in
// stage is of the visits left done; Items are the stage's work items and
// Overdue those of them that went overdue.
type ReportStage struct {
	Stage        string  `json:"stage"`
	Title        string  `json:"title"`
	Reached      int     `json:"reached"`
	InOrder      int     `json:"inOrder"`
	Left         int     `json:"left"`
	DropOff      int     `json:"dropOff"`
	Cancelled    int     `json:"cancelled"`
	Conversion   float64 `json:"conversion"`
	ToNext       float64 `json:"toNext"`
	P50Seconds   float64 `json:"p50Seconds"`
	P90Seconds   float64 `json:"p90Seconds"`
	Sum          float64 `json:"sum"`
	Items        int     `json:"items"`
	Overdue      int     `json:"overdue"`
	OverdueShare float64 `json:"overdueShare"`
}

// ReportHandoff is the work passed from one person to another: Count
// stages entered by To after From worked the one before, Converted of them
// left done by To. GapP50Seconds is the median time from From leaving to
// To's stage being entered: a step writes both at once, so it is 0 for
// the work a conveyor does, and ToStartP50Seconds, the median time from
// the stage being entered to To first starting it (over the Started ones),
// is the wait the receiver adds.
type ReportHandoff struct {
	From              string  `json:"from"`
	To                string  `json:"to"`
	Count             int     `json:"count"`
	Converted         int     `json:"converted"`
	Conversion        float64 `json:"conversion"`
	Started           int     `json:"started"`
	GapP50Seconds     float64 `json:"gapP50Seconds"`
	ToStartP50Seconds float64 `json:"toStartP50Seconds"`
}

// ReportChain is how many processes were worked by People in turn, a
// person once for a run of stages they worked one after another.
type ReportChain struct {
	People []string `json:"people"`
	Count  int      `json:"count"`
}

// chainsShown bounds the chains listed.
const chainsShown = 20

// ReportExecutor is one person's work items among those counted.
type ReportExecutor struct {
	Login        string  `json:"login"`
	Items        int     `json:"items"`
	Overdue      int     `json:"overdue"`
	OverdueShare float64 `json:"overdueShare"`
	Completed    int     `json:"completed"`
}

// ReportCompletion is the stages one person left done in each of the
// report's Weeks.
type ReportCompletion struct {
	Login  string `json:"login"`
	Counts []int  `json:"counts"`
	Total  int    `json:"total"`
}

// ReportHeatRow is how many times a stage was entered in each of the
// report's Weeks.
type ReportHeatRow struct {
	Stage  string `json:"stage"`
	Counts []int  `json:"counts"`
}

// ReportEnd is how many processes ended at an end, and why: the value of
// the ReasonsOf field in the data of the last stage left done.
type ReportEnd struct {
	End     string         `json:"end"`
	Title   string         `json:"title"`
	Count   int            `json:"count"`
	Reasons []ReportReason `json:"reasons"`
}

// ReportReason is a reason of an end: Value ("" when the field was not
// filled) at Stage, with the choice's title when the form labels it.
type ReportReason struct {
	Stage  string            `json:"stage"`
	Value  string            `json:"value"`
	Title  string            `json:"title,omitempty"`
	Titles map[string]string `json:"titles,omitempty"`
	Count  int               `json:"count"`
}

// ReportCancelled is how many processes were cancelled, by the reason the
// supervisor gave (the 20 most given; the rest are Other).
type ReportCancelled struct {
	Count   int           `json:"count"`
	Reasons []ReportCount `json:"reasons"`
	Other   int           `json:"other"`
}

// ReportCount is a count by a text.
type ReportCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// ReportCohort is the processes started in one month (YYYY-MM in Zone):
// how many, and of them how many reached each stage (in the report's
// stage order, with the sum of SumOf of those that left it done) and how
// many ended at each end.
type ReportCohort struct {
	Month   string              `json:"month"`
	Started int                 `json:"started"`
	Stages  []ReportCohortStage `json:"stages"`
	Ends    map[string]int      `json:"ends"`
}

// ReportCohortStage is a cohort at one stage.
type ReportCohortStage struct {
	Stage   string  `json:"stage"`
	Reached int     `json:"reached"`
	Sum     float64 `json:"sum"`
}

// cancelReasonsShown bounds the cancel reasons listed one by one.
const cancelReasonsShown = 20

// Report counts definition's processes over the period of p that me may
// see, narrowed as p says: the funnel reached at any point and passed in
// order with its drop-offs, the handoffs, the time in stage, the overdue
// share by stage and by executor, the completions of each person per week,
// the ends with their reasons and the cancelled with theirs, the cohorts by
// month and the stages entered per week. Every parameter is checked, every
// fault reported at once with its path.
func (s *Services) Report(ctx context.Context, me store.User, p ReportParams) (Report, error) {
	loc := s.Location
	if loc == nil || zoneName(loc) == "UTC" {
		loc = time.UTC // as the database counts the weeks
	}
	var faults []refusal.FieldError
	for _, f := range []struct {
		path  string
		value *string
	}{{"/definition", &p.Definition}, {"/team", &p.Team}, {"/segment", &p.Segment}, {"/group", &p.Group},
		{"/manager", &p.Manager}, {"/sum", &p.Sum}, {"/reasons", &p.Reasons}} {
		*f.value = strings.TrimSpace(*f.value)
		if bad := limits.Key.Check(f.path, *f.value); bad != nil && *f.value != "" {
			faults = append(faults, field(f.path, bad.Message()))
		}
	}
	if p.Definition == "" {
		faults = append(faults, field("/definition", "required"))
	}
	q := store.ReportQuery{Definition: p.Definition, Team: p.Team, Segment: p.Segment, Group: p.Group, Manager: p.Manager,
		Sum: p.Sum, Reasons: cmp.Or(p.Reasons, DefaultReasons), Zone: zoneName(loc)}
	if v := strings.TrimSpace(p.Version); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			faults = append(faults, field("/version", "must be a version number from 1"))
		}
		q.Version = max(n, 0)
	}
	today, _ := time.ParseInLocation(time.DateOnly, time.Now().In(loc).Format(time.DateOnly), loc)
	q.To, q.From = today.AddDate(0, 0, 1), today.AddDate(0, 0, -29)
	datesOK := true
	for _, d := range []struct {
		path, value string
		into        *time.Time
		days        int
	}{{"/from", p.From, &q.From, 0}, {"/to", p.To, &q.To, 1}} {
		if d.value == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(d.value), loc)
		if err != nil {
			faults, datesOK = append(faults, field(d.path, "must be a date YYYY-MM-DD")), false
			continue
		}
		*d.into = t.AddDate(0, 0, d.days)
	}
	switch {
	case !datesOK:
	case !q.To.After(q.From):
		faults = append(faults, field("/to", "must not be before from"))
	case q.To.Sub(q.From) > FunnelPeriodMax:
		faults = append(faults, field("/to", "at most three years after from"))
	}
	if len(faults) > 0 {
		return Report{}, refusal.Invalid("the report's parameters are not valid", faults...)
	}

	latest, err := s.Store.DefinitionVersion(ctx, q.Definition, 0)
	if err != nil {
		return Report{}, err
	}
	plans := []*definitions.Plan{latest.Plan}
	if q.Version > 0 {
		v, err := s.Store.DefinitionVersion(ctx, q.Definition, q.Version)
		if err != nil {
			return Report{}, refusal.Invalid("no such version", field("/version", "the conveyor has no such version"))
		}
		plans = []*definitions.Plan{v.Plan}
	} else if latest.Version > 1 {
		versions, err := s.Store.DefinitionVersions(ctx, q.Definition)
		if err != nil {
			return Report{}, err
		}
		for _, v := range versions[1:] { // newest first; the latest is there already
			full, err := s.Store.DefinitionVersion(ctx, q.Definition, v.Version)
			if err != nil {
				return Report{}, err
			}
			plans = append(plans, full.Plan)
		}
	}
	plan := plans[0]
	if q.Sum != "" && !slices.ContainsFunc(plans, func(pl *definitions.Plan) bool { return numericField(pl, q.Sum) }) {
		faults = append(faults, field("/sum", "not a number field of any stage's form"))
	}
	if !slices.ContainsFunc(plans, func(pl *definitions.Plan) bool { return textField(pl, q.Reasons) }) {
		if p.Reasons != "" {
			faults = append(faults, field("/reasons", "not a text field of any stage's form"))
		}
		q.Reasons = "" // a conveyor without the default field: its ends have no reasons
	}
	unknown, err := s.Store.ReportNamesUnknown(ctx, q.Team, q.Segment, q.Group, q.Manager)
	if err != nil {
		return Report{}, err
	}
	for _, name := range unknown {
		faults = append(faults, field("/"+name, "unknown "+map[string]string{"team": "team", "segment": "segment",
			"group": "product group", "manager": "user"}[name]))
	}
	if len(faults) > 0 {
		return Report{}, refusal.Invalid("the report's parameters are not valid", faults...)
	}

	q.Order = stageOrder(plan)
	for _, pl := range plans[1:] { // the stages only older versions have, after
		for _, id := range stageOrder(pl) {
			if !slices.Contains(q.Order, id) {
				q.Order = append(q.Order, id)
			}
		}
	}
	fig, err := s.Store.Report(ctx, viewerOf(me), q)
	if err != nil {
		return Report{}, err
	}
	return s.assembleReport(ctx, q, plans, loc, fig)
}

// assembleReport puts the figures in the plan's order and words.
func (s *Services) assembleReport(ctx context.Context, q store.ReportQuery, plans []*definitions.Plan, loc *time.Location, fig store.ReportFigures) (Report, error) {
	out := Report{Definition: q.Definition, Version: q.Version, From: q.From, To: q.To, Zone: q.Zone, AsOf: fig.AsOf,
		Team: q.Team, Segment: q.Segment, Group: q.Group, Manager: q.Manager, SumOf: q.Sum, ReasonsOf: q.Reasons,
		Processes: fig.Processes, Stages: []ReportStage{}, Handoffs: []ReportHandoff{}, Chains: []ReportChain{}, Executors: []ReportExecutor{},
		Completions: []ReportCompletion{}, HeatMap: []ReportHeatRow{}, Ends: []ReportEnd{},
		Cancelled: ReportCancelled{Reasons: []ReportCount{}}, Cohorts: []ReportCohort{}, Names: map[string]string{}}
	stageTitle := func(id string) string {
		for _, pl := range plans {
			if st, ok := pl.Stages[id]; ok {
				return st.Title
			}
		}
		return id
	}
	byStage := map[string]store.ReportStageFigures{}
	for _, f := range fig.Stages {
		byStage[f.Stage] = f
		if !slices.Contains(q.Order, f.Stage) { // a stage no version's plan reaches from its start
			q.Order = append(q.Order, f.Stage)
		}
	}
	for _, id := range q.Order {
		f := byStage[id]
		st := ReportStage{Stage: id, Title: stageTitle(id), Reached: f.Reached, InOrder: fig.InOrder[id], Left: f.Left,
			DropOff: f.Reached - f.Left, Cancelled: f.Cancelled, P50Seconds: f.P50.Seconds(), P90Seconds: f.P90.Seconds(),
			Sum: f.Sum, Items: f.Items, Overdue: f.Overdue, Conversion: share(f.Left, f.Reached), OverdueShare: share(f.Overdue, f.Items)}
		out.Stages = append(out.Stages, st)
	}
	for i := range out.Stages[:max(len(out.Stages)-1, 0)] {
		out.Stages[i].ToNext = share(out.Stages[i+1].InOrder, out.Stages[i].InOrder)
	}

	named := map[string]bool{}
	for _, h := range fig.Handoffs {
		out.Handoffs = append(out.Handoffs, ReportHandoff{From: h.From, To: h.To, Count: h.Count, Converted: h.Converted,
			Conversion: share(h.Converted, h.Count), Started: h.Started,
			GapP50Seconds: h.GapP50.Seconds(), ToStartP50Seconds: h.ToStartP50.Seconds()})
		named[h.From], named[h.To] = true, true
	}
	for _, c := range fig.Chains[:min(len(fig.Chains), chainsShown)] {
		out.Chains = append(out.Chains, ReportChain{People: c.People, Count: c.Count})
		for _, p := range c.People {
			named[p] = true
		}
	}
	for _, x := range fig.Executors {
		out.Executors = append(out.Executors, ReportExecutor{Login: x.Login, Items: x.Items, Overdue: x.Overdue,
			OverdueShare: share(x.Overdue, x.Items), Completed: x.Completed})
		named[x.Login] = true
	}

	// The weeks of the period, Monday to Monday.
	first := q.From.In(loc)
	first = time.Date(first.Year(), first.Month(), first.Day()-(int(first.Weekday())+6)%7, 0, 0, 0, 0, loc)
	week := map[string]int{}
	for d := first; d.Before(q.To); d = d.AddDate(0, 0, 7) {
		week[d.Format(time.DateOnly)] = len(out.Weeks)
		out.Weeks = append(out.Weeks, d.Format(time.DateOnly))
	}
	done := map[string][]int{}
	heat := map[string][]int{}
	for _, w := range fig.Weekly {
		i, ok := week[w.Week]
		if !ok {
			continue
		}
		if w.Left > 0 {
			if done[w.Login] == nil {
				done[w.Login] = make([]int, len(out.Weeks))
			}
			done[w.Login][i] += w.Left
		}
		if heat[w.Stage] == nil {
			heat[w.Stage] = make([]int, len(out.Weeks))
		}
		heat[w.Stage][i] += w.Entered
	}
	for login, counts := range done {
		total := 0
		for _, n := range counts {
			total += n
		}
		out.Completions = append(out.Completions, ReportCompletion{Login: login, Counts: counts, Total: total})
		named[login] = true
	}
	slices.SortFunc(out.Completions, func(a, b ReportCompletion) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), strings.Compare(a.Login, b.Login))
	})
	for _, id := range q.Order {
		counts := heat[id]
		if counts == nil {
			counts = make([]int, len(out.Weeks))
		}
		out.HeatMap = append(out.HeatMap, ReportHeatRow{Stage: id, Counts: counts})
	}

	ends := map[string]*ReportEnd{}
	for _, e := range fig.Ends {
		title := e.Key
		for _, pl := range plans {
			if x, ok := pl.Ends[e.Key]; ok {
				title = x.Title
				break
			}
		}
		out.Ends = append(out.Ends, ReportEnd{End: e.Key, Title: title, Count: e.Count, Reasons: []ReportReason{}})
	}
	slices.SortFunc(out.Ends, func(a, b ReportEnd) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.End, b.End)) })
	for i := range out.Ends {
		ends[out.Ends[i].End] = &out.Ends[i]
	}
	for _, r := range fig.Reasons {
		rr := ReportReason{Stage: r.Stage, Value: r.Value, Count: r.Count}
		if ch, ok := reasonChoice(plans, r.Stage, q.Reasons, r.Value); ok {
			rr.Title, rr.Titles = ch.Title, ch.Titles
		}
		e := ends[r.End]
		e.Reasons = append(e.Reasons, rr)
	}
	for i, c := range fig.Cancelled {
		out.Cancelled.Count += c.Count
		if i < cancelReasonsShown {
			out.Cancelled.Reasons = append(out.Cancelled.Reasons, ReportCount{Reason: c.Key, Count: c.Count})
		} else {
			out.Cancelled.Other += c.Count
		}
	}

	for _, c := range fig.Cohorts {
		co := ReportCohort{Month: c.Month, Started: c.Started, Stages: []ReportCohortStage{}, Ends: map[string]int{}}
		at := map[string]store.CohortStage{}
		for _, st := range c.Stages {
			at[st.Stage] = st
		}
		for _, id := range q.Order {
			co.Stages = append(co.Stages, ReportCohortStage{Stage: id, Reached: at[id].Reached, Sum: at[id].Sum})
		}
		for _, e := range c.Ends {
			co.Ends[e.Key] = e.Count
		}
		out.Cohorts = append(out.Cohorts, co)
	}

	if len(named) > 0 {
		users, err := s.Store.Users(ctx)
		if err != nil {
			return Report{}, err
		}
		for _, u := range users {
			if named[u.Login] {
				out.Names[u.Login] = cmp.Or(u.Name, u.Login)
			}
		}
	}
	return out, nil
}

// share is part over whole, 0 of nothing.
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// zoneName is loc as PostgreSQL names it: the process's own zone, which
// has no name PostgreSQL knows, counts as UTC.
func zoneName(loc *time.Location) string {
	if name := loc.String(); name != "Local" && name != "" {
		return name
	}
	return "UTC"
}

// textField tells whether name is a text field of one of plan's stage
// forms.
func textField(plan *definitions.Plan, name string) bool {
	for _, st := range plan.Stages {
		for _, f := range schemaFields(st.Form) {
			if f.name == name && (f.typ == store.TypeText || f.typ == store.TypeEnum) {
				return true
			}
		}
	}
	return false
}

// reasonChoice is the labelled choice value of field name in stage's form.
func reasonChoice(plans []*definitions.Plan, stage, name, value string) (ViewChoice, bool) {
	for _, pl := range plans {
		st, ok := pl.Stages[stage]
		if !ok {
			continue
		}
		for _, f := range schemaFields(st.Form) {
			if f.name != name {
				continue
			}
			for _, ch := range f.choices {
				if ch.Value == value && (ch.Title != "" || len(ch.Titles) > 0) {
					return ch, true
				}
			}
		}
	}
	return ViewChoice{}, false
}

// NumberFields are the number fields of plan's stage forms, by name: those
// a report may sum.
func NumberFields(plan *definitions.Plan) []string {
	var out []string
	for _, st := range plan.Stages {
		for _, f := range schemaFields(st.Form) {
			if f.typ == store.TypeNumber && !slices.Contains(out, f.name) {
				out = append(out, f.name)
			}
		}
	}
	slices.Sort(out)
	return out
}
