package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/charts"
	"github.com/conveyorhq/conveyor/web/funnel"
)

// analyticsPage is a conveyor's report over a period: each section a
// chart, and the table beside it for screen readers and copying.
type analyticsPage struct {
	Definitions []services.Version
	Filter      services.ReportParams // as the inputs show it
	Versions    []int
	Teams       []string
	Segments    []anOption
	Groups      []anOption
	Managers    []anOption
	SumFields   []string
	Error       string
	Invalid     []string // the labels of the filters refused

	Report        *services.Report
	ConveyorTitle string
	Titles        map[string]string // of the stages and ends, in the page's language
	AsOf          string
	// Linked says whether the numbers link to the lists behind them: the
	// lists cannot narrow by team, segment, group or manager.
	Linked bool

	Chart, InOrderChart, DropChart, TimeChart, OverdueChart, ExecChart string
	HandoffChart, WeeksChart, EndsChart, CohortChart, HeatChart        string

	Stages     []stageRow
	Handoffs   []handoffRow
	Chains     []chainRow
	ChainChart string
	Executors  []executorRow
	Weeks      []string // the weeks' labels
	People     []string // the completions' columns
	WeekRows   []weekRow
	HeatRows   []weekRow // a week's stages entered, by stage
	Ends       []endRow
	Cancelled  cancelledRow
	EndTitles  []string // the cohorts' end columns
	Cohorts    []cohortRow
}

type anOption struct{ Value, Label string }

type stageRow struct {
	services.ReportStage
	Name                                  string
	ReachedLink, DropOffLink, OverdueLink string
	InOrderLink, LeftLink                 string
	Median, P90, SumText                  string
}

type handoffRow struct {
	services.ReportHandoff
	FromName, ToName, Wait, Gap string
}

type chainRow struct {
	People string
	Count  int
}

type executorRow struct {
	services.ReportExecutor
	Name string
}

type weekRow struct {
	Week   string
	Counts []int
}

type endRow struct {
	Title, Link string
	Count       int
	Reasons     []reasonRow
}

type reasonRow struct {
	Title, Stage string
	Count        int
}

type cancelledRow struct {
	Count int
	Link  string
	Rows  []services.ReportCount
	Other int
}

type cohortRow struct {
	Month, Link string
	Started     int
	Cells       []cohortCell
	Ends        []cohortEnd
}

type cohortEnd struct {
	Count int
	Link  string
}

type cohortCell struct {
	Reached int
	Link    string
	Sum     string
}

// analytics shows the report of the chosen conveyor (the first one when
// none is chosen) over the chosen days, the last 30 by default, narrowed
// by the filters.
func (u *UI) analytics(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	defs, err := u.Services.Definitions(ctx, me(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	f := services.ReportParams{Definition: c.Query("definition"), Version: c.Query("version"), From: c.Query("from"), To: c.Query("to"),
		Team: c.Query("team"), Segment: c.Query("segment"), Group: c.Query("group"), Manager: c.Query("manager"),
		Sum: c.Query("sum"), Reasons: c.Query("reasons")}
	if f.Definition == "" && len(defs) > 0 {
		f.Definition = defs[0].DefinitionID
	}
	today := time.Now().In(u.Location).Format(time.DateOnly)
	last, _ := time.Parse(time.DateOnly, today)
	if f.From == "" {
		f.From = last.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	if f.To == "" {
		f.To = today
	}
	page := analyticsPage{Definitions: defs, Filter: f, Titles: map[string]string{}}
	if err := u.analyticsChoices(c, &page); err != nil {
		u.fail(c, err)
		return
	}
	status := http.StatusOK
	if f.Definition != "" && slices.ContainsFunc(defs, func(v services.Version) bool { return v.DefinitionID == f.Definition }) {
		if f.Sum == "" && len(page.SumFields) > 0 { // the deal amount, where the conveyor has one
			f.Sum = page.SumFields[0]
			if slices.Contains(page.SumFields, "amount") {
				f.Sum = "amount"
			}
		}
		r, err := u.Services.Report(ctx, me(c), f)
		switch {
		case errors.Is(err, refusal.ErrInvalid):
			status = http.StatusUnprocessableEntity
			page.Error = translate(lang, "an.invalid")
			for _, fe := range refusal.Fields(err) {
				page.Invalid = append(page.Invalid, translate(lang, "an.f"+strings.TrimPrefix(fe.Path, "/")))
			}
			if slices.ContainsFunc(refusal.Fields(err), func(fe refusal.FieldError) bool { return fe.Path == "/from" || fe.Path == "/to" }) {
				page.Error = translate(lang, "an.baddates")
			}
		case err != nil:
			u.fail(c, err)
			return
		default:
			page.Filter.Sum = f.Sum
			page.Report = &r
			u.analyticsSections(c, &page)
		}
	}
	u.render(c, status, "analytics", translate(lang, "an.title"), page)
}

// analyticsChoices fills the filters' choices: the conveyor's versions and
// number fields, the teams, the directories and the people.
func (u *UI) analyticsChoices(c *gin.Context, page *analyticsPage) error {
	ctx := c.Request.Context()
	lang := language(c)
	if page.Filter.Definition != "" && slices.ContainsFunc(page.Definitions, func(v services.Version) bool { return v.DefinitionID == page.Filter.Definition }) {
		latest, versions, err := u.Services.Definition(ctx, me(c), page.Filter.Definition)
		if err != nil {
			return err
		}
		for _, v := range versions {
			page.Versions = append(page.Versions, v.Version)
		}
		page.SumFields = services.NumberFields(latest.Plan)
		page.ConveyorTitle = latest.Plan.TitleIn(lang)
		for id, st := range latest.Plan.Stages {
			page.Titles[id] = st.TitleIn(lang)
		}
		for id, e := range latest.Plan.Ends {
			page.Titles[id] = e.TitleIn(lang)
		}
	}
	teams, err := u.Services.Teams(ctx)
	if err != nil {
		return err
	}
	for _, t := range teams {
		page.Teams = append(page.Teams, t.Name)
	}
	for _, tree := range []struct {
		t    services.Tree
		into *[]anOption
	}{{services.Segments, &page.Segments}, {services.ProductGroups, &page.Groups}} {
		nodes, err := u.Services.Nodes(ctx, tree.t)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			*tree.into = append(*tree.into, anOption{n.ID, n.Name})
		}
	}
	users, err := u.Services.Everyone(ctx)
	if err != nil {
		return err
	}
	for _, x := range users {
		page.Managers = append(page.Managers, anOption{x.Login, cmpOr(x.Name, x.Login)})
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// analyticsSections draws the charts and fills the tables of the report.
func (u *UI) analyticsSections(c *gin.Context, page *analyticsPage) {
	lang := language(c)
	r := page.Report
	tr := func(key string) string { return translate(lang, key) }
	opt := charts.Options{Empty: tr("an.nodata")}
	count := func(v float64) string { return strconv.Itoa(int(math.Round(v))) }
	span := func(v float64) string { return spanIn(lang, v) }
	title := func(id string) string { return cmpOr(page.Titles[id], id) }
	name := func(login string) string { return cmpOr(r.Names[login], login) }
	page.AsOf = r.AsOf.In(u.Location).Format("02.01.2006 15:04")
	page.Linked = r.Team == "" && r.Segment == "" && r.Group == "" && r.Manager == ""
	if page.ConveyorTitle == "" {
		page.ConveyorTitle = r.Definition
	}

	// The lists behind the numbers: the processes of the conveyor (and
	// version) started in the period, with the conditions of each number.
	started := func(from, to time.Time) []services.ViewFilter {
		out := []services.ViewFilter{
			{Column: "definition", Op: "eq", Value: r.Definition},
			{Column: "startedAt", Op: "between", Value: []any{from.Format(time.RFC3339), to.Format(time.RFC3339)}},
		}
		if r.Version > 0 {
			out = append(out, services.ViewFilter{Column: "version", Op: "eq", Value: r.Version})
		}
		return out
	}
	columns := []string{"businessKey", "client", "stage", "assignee", "state", "end", "startedAt"}
	link := func(from, to time.Time, more ...services.ViewFilter) string {
		if !page.Linked {
			return ""
		}
		return viewLink(services.ListProcesses, services.ViewSpec{Definition: r.Definition, Columns: columns,
			Filter: &services.ViewFilter{All: append(started(from, to), more...)}})
	}
	overdueLink := func(stage string) string {
		if !page.Linked {
			return ""
		}
		return viewLink(services.ListWorkItems, services.ViewSpec{Definition: r.Definition,
			Columns: []string{"title", "client", "stage", "assignee", "state", "due", "overdue"},
			Filter: &services.ViewFilter{All: []services.ViewFilter{
				{Column: "definition", Op: "eq", Value: r.Definition}, {Column: "stage", Op: "eq", Value: stage},
				{Column: "overdue", Op: "eq", Value: true},
				{Column: "processStartedAt", Op: "between", Value: []any{r.From.Format(time.RFC3339), r.To.Format(time.RFC3339)}},
			}}})
	}
	reached := func(s string) services.ViewFilter { return services.ViewFilter{Column: "reached", Op: "has", Value: s} }

	passed := func(s string) services.ViewFilter { return services.ViewFilter{Column: "passed", Op: "has", Value: s} }
	var funnelBars []funnel.Stage
	var inOrder, drops, times, overdue []charts.Bar
	for i, s := range r.Stages {
		row := stageRow{ReportStage: s, Name: title(s.Stage), Median: span(s.P50Seconds), P90: span(s.P90Seconds)}
		if r.SumOf != "" {
			row.SumText = "—"
			if s.Sum != 0 {
				row.SumText = money(s.Sum)
			}
		}
		if s.Reached > 0 {
			row.ReachedLink = link(r.From, r.To, reached(s.Stage))
		}
		if s.InOrder > 0 {
			conds := []services.ViewFilter{reached(s.Stage)}
			for _, before := range r.Stages[:i] {
				conds = append(conds, passed(before.Stage))
			}
			row.InOrderLink = link(r.From, r.To, conds...)
		}
		if s.Left > 0 {
			row.LeftLink = link(r.From, r.To, passed(s.Stage))
		}
		if s.DropOff > 0 {
			row.DropOffLink = link(r.From, r.To, reached(s.Stage), services.ViewFilter{Column: "passed", Op: "lacks", Value: s.Stage})
		}
		if s.Overdue > 0 {
			row.OverdueLink = overdueLink(s.Stage)
		}
		page.Stages = append(page.Stages, row)
		funnelBars = append(funnelBars, funnel.Stage{Title: row.Name, Reached: s.Reached, Left: s.Left})
		inOrder = append(inOrder, charts.Bar{Label: row.Name, Value: float64(s.Reached), Inner: float64(s.InOrder)})
		drops = append(drops, charts.Bar{Label: row.Name, Value: float64(s.Reached), Inner: float64(s.DropOff)})
		times = append(times, charts.Bar{Label: row.Name, Value: s.P90Seconds, Inner: s.P50Seconds})
		overdue = append(overdue, charts.Bar{Label: row.Name, Value: float64(s.Items), Inner: float64(s.Overdue)})
	}
	page.Chart = funnel.Render(funnelBars, fmt.Sprintf(tr("an.chart"), page.ConveyorTitle))
	page.InOrderChart = charts.Bars(tr("an.inorder.title"), inOrder, charts.Options{Empty: opt.Empty, Format: count,
		ValueName: tr("an.reached"), InnerName: tr("an.inorder")})
	page.DropChart = charts.Bars(tr("an.drop.title"), drops, charts.Options{Empty: opt.Empty, Format: count,
		ValueName: tr("an.reached"), InnerName: tr("an.dropoff")})
	page.TimeChart = charts.Bars(tr("an.time.title"), times, charts.Options{Empty: opt.Empty, Format: span,
		ValueName: tr("an.p90"), InnerName: tr("an.median")})
	page.OverdueChart = charts.Bars(tr("an.overdue.title"), overdue, charts.Options{Empty: opt.Empty, Format: count,
		ValueName: tr("an.items"), InnerName: tr("an.overdue")})

	var hands []charts.Bar
	for _, h := range r.Handoffs {
		row := handoffRow{ReportHandoff: h, FromName: name(h.From), ToName: name(h.To), Wait: span(h.ToStartP50Seconds), Gap: span(h.GapP50Seconds)}
		page.Handoffs = append(page.Handoffs, row)
		hands = append(hands, charts.Bar{Label: row.FromName + " → " + row.ToName, Value: float64(h.Count), Inner: float64(h.Converted)})
	}
	page.HandoffChart = charts.Bars(tr("an.handoffs.title"), hands, charts.Options{Empty: opt.Empty, Format: count,
		ValueName: tr("an.handoffs.count"), InnerName: tr("an.handoffs.converted")})

	var chains []charts.Bar
	for _, ch := range r.Chains {
		names := make([]string, len(ch.People))
		for i, p := range ch.People {
			names[i] = name(p)
		}
		row := chainRow{People: strings.Join(names, " → "), Count: ch.Count}
		page.Chains = append(page.Chains, row)
		chains = append(chains, charts.Bar{Label: row.People, Value: float64(ch.Count)})
	}
	page.ChainChart = charts.Bars(tr("an.chains.title"), chains, charts.Options{Empty: opt.Empty, Format: count, ValueName: tr("an.processes.short")})

	var execs []charts.Bar
	for _, x := range r.Executors {
		page.Executors = append(page.Executors, executorRow{ReportExecutor: x, Name: name(x.Login)})
		execs = append(execs, charts.Bar{Label: name(x.Login), Value: float64(x.Items), Inner: float64(x.Overdue)})
	}
	page.ExecChart = charts.Bars(tr("an.executors.title"), execs, charts.Options{Empty: opt.Empty, Format: count,
		ValueName: tr("an.items"), InnerName: tr("an.overdue")})

	// The weeks: a line a person, and the stages entered, week by week.
	for _, w := range r.Weeks {
		d, _ := time.Parse(time.DateOnly, w)
		page.Weeks = append(page.Weeks, d.Format("02.01"))
	}
	var series []charts.Series
	for _, cm := range r.Completions {
		page.People = append(page.People, name(cm.Login))
		s := charts.Series{Name: name(cm.Login)}
		for _, n := range cm.Counts {
			s.Values = append(s.Values, float64(n))
		}
		series = append(series, s)
	}
	for i, w := range page.Weeks {
		row := weekRow{Week: w}
		for _, cm := range r.Completions {
			row.Counts = append(row.Counts, cm.Counts[i])
		}
		page.WeekRows = append(page.WeekRows, row)
		heat := weekRow{Week: w}
		for _, h := range r.HeatMap {
			heat.Counts = append(heat.Counts, h.Counts[i])
		}
		page.HeatRows = append(page.HeatRows, heat)
	}
	if len(series) == 0 {
		page.WeeksChart = charts.Lines(tr("an.weeks.title"), nil, nil, opt)
	} else {
		page.WeeksChart = charts.Lines(tr("an.weeks.title"), page.Weeks, series, charts.Options{Empty: opt.Empty, Format: count})
	}
	var rows []string
	var values [][]float64
	for _, h := range r.HeatMap {
		rows = append(rows, title(h.Stage))
		var v []float64
		for _, n := range h.Counts {
			v = append(v, float64(n))
		}
		values = append(values, v)
	}
	page.HeatChart = charts.HeatMap(tr("an.heat.title"), rows, page.Weeks, values, charts.Options{Empty: opt.Empty, Format: count})

	// The ends with their reasons, and the cancelled with theirs.
	var ends []charts.Bar
	for _, e := range r.Ends {
		row := endRow{Title: title(e.End), Count: e.Count, Link: link(r.From, r.To, services.ViewFilter{Column: "end", Op: "eq", Value: e.End})}
		for _, x := range e.Reasons {
			why := x.Value
			if t, ok := x.Titles[lang]; ok {
				why = t
			} else if x.Title != "" {
				why = x.Title
			}
			if why == "" {
				why = tr("an.noreason")
			}
			row.Reasons = append(row.Reasons, reasonRow{Title: why, Stage: title(x.Stage), Count: x.Count})
			ends = append(ends, charts.Bar{Label: row.Title + ": " + why, Value: float64(x.Count)})
		}
		page.Ends = append(page.Ends, row)
	}
	page.Cancelled = cancelledRow{Count: r.Cancelled.Count, Rows: r.Cancelled.Reasons, Other: r.Cancelled.Other}
	if r.Cancelled.Count > 0 {
		page.Cancelled.Link = link(r.From, r.To, services.ViewFilter{Column: "state", Op: "eq", Value: "cancelled"})
		for _, x := range r.Cancelled.Reasons {
			ends = append(ends, charts.Bar{Label: tr("an.cancelled.short") + ": " + cmpOr(x.Reason, tr("an.noreason")), Value: float64(x.Count)})
		}
	}
	page.EndsChart = charts.Bars(tr("an.ends.title"), ends, charts.Options{Empty: opt.Empty, Format: count, ValueName: tr("an.processes.short")})

	// The cohorts by the month they started.
	var endIDs []string
	for _, e := range r.Ends {
		endIDs = append(endIDs, e.End)
		page.EndTitles = append(page.EndTitles, title(e.End))
	}
	var cohorts []charts.Bar
	for _, co := range r.Cohorts {
		month, _ := time.ParseInLocation("2006-01", co.Month, u.Location)
		from, to := month, month.AddDate(0, 1, 0)
		if from.Before(r.From) {
			from = r.From
		}
		if to.After(r.To) {
			to = r.To
		}
		row := cohortRow{Month: month.Format("01.2006"), Started: co.Started, Link: link(from, to)}
		for _, s := range co.Stages {
			cell := cohortCell{Reached: s.Reached}
			if s.Reached > 0 {
				cell.Link = link(from, to, reached(s.Stage))
			}
			if r.SumOf != "" && s.Sum != 0 {
				cell.Sum = money(s.Sum)
			}
			row.Cells = append(row.Cells, cell)
		}
		for _, id := range endIDs {
			e := cohortEnd{Count: co.Ends[id]}
			if e.Count > 0 {
				e.Link = link(from, to, services.ViewFilter{Column: "end", Op: "eq", Value: id})
			}
			row.Ends = append(row.Ends, e)
		}
		page.Cohorts = append(page.Cohorts, row)
		cohorts = append(cohorts, charts.Bar{Label: row.Month, Value: float64(co.Started)})
	}
	page.CohortChart = charts.Bars(tr("an.cohorts.title"), cohorts, charts.Options{Empty: opt.Empty, Format: count, ValueName: tr("an.started")})
}

// money is a sum as the page shows it: whole, with thin spaces between
// the thousands, two decimals when it has them.
func money(v float64) string {
	s := strconv.FormatFloat(math.Round(math.Abs(v)*100)/100, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if v < 0 {
		out = "−" + out
	}
	return out
}

// spanText is a time in stage in English (the templates' "hours").
func spanText(seconds float64) string { return spanIn("en", seconds) }

// spanIn is a time in stage as people read it in lang: minutes under an
// hour, hours under two days, days beyond; "—" when there is none.
func spanIn(lang string, seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	var s string
	switch {
	case d <= 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf(translate(lang, "an.minutes"), max(1, int(d.Minutes())))
	case d < 48*time.Hour:
		s = fmt.Sprintf(translate(lang, "an.hours"), d.Hours())
	default:
		s = fmt.Sprintf(translate(lang, "an.days"), d.Hours()/24)
	}
	if lang == "ru" { // a decimal comma
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
