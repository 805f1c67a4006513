package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
	"github.com/conveyorhq/conveyor/web/gantt"
)

type processListPage struct {
	Items                                      []services.Process
	plans                                      planCache // of Items' versions
	lang                                       string    // of the titles
	Next                                       string
	Definition, State, Assignee, Overdue, Sort string
	Q                                          string // the search
	Definitions                                []services.Version
	Users                                      []services.User
	Tabs                                       viewTabs
}

// processList is the supervisors' table: every visible process with its
// state, stage, executor, dates, overdue flag and progress.
func (u *UI) processList(c *gin.Context) {
	if u.showView(c, services.ListProcesses) {
		return
	}
	ctx := c.Request.Context()
	user := me(c)
	f := services.ProcessFilter{Definition: c.Query("definition"), State: c.Query("state"), Assignee: c.Query("assignee"),
		Q: c.Query("q"), Sort: c.Query("sort"), Page: services.Page{After: c.Query("after"), Limit: 50}}
	if c.Query("overdue") == "true" {
		t := true
		f.Overdue = &t
	}
	items, next, err := u.Services.Processes(ctx, user, f)
	if errors.Is(err, services.ErrBadCursor) || errors.Is(err, services.ErrBadSort) {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	page := processListPage{Items: items, plans: planCache{}, lang: language(c), Q: f.Q, Definition: f.Definition, State: f.State, Assignee: f.Assignee,
		Overdue: c.Query("overdue"), Sort: f.Sort}
	for _, p := range items {
		if _, err := page.plans.get(ctx, u.Services, p); err != nil {
			u.fail(c, err)
			return
		}
	}
	if next != "" {
		q := c.Request.URL.Query()
		q.Set("after", next)
		page.Next = "/processes?" + q.Encode()
	}
	if page.Definitions, page.Users, err = u.Services.ProcessFilters(ctx, user); err != nil {
		u.fail(c, err)
		return
	}
	if page.Tabs, err = u.tabsFor(c, services.ListProcesses, ""); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "processes", translate(language(c), "processes"), page)
}

type processPage struct {
	Process services.Process
	Client  string
	// Row is the process in words: its definition's, stage's and end's
	// titles.
	Row     processRow
	History []services.WorkItem
	forms   map[string][]form.Field // of each stage, for the history
	names   map[string]string       // of the users, by login
	Gantt   string
	// MayAct: the user may hand the open item over, to one of Assignees.
	MayAct    bool
	Open      *services.WorkItem
	Assignees []services.User
	// MayManage: the user may cancel the process or move it on; Targets
	// are the stages and ends it may be moved on to.
	MayManage bool
	Targets   []services.Stop
	Movers    []services.User // whom the process may be moved on to
	Error     string
}

// processPage shows a process's history and its Gantt view, planned
// against actual, drawn on the server.
func (u *UI) processPage(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	d, err := u.Services.Process(ctx, user, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	can, err := u.Services.ProcessActions(ctx, user, d)
	if err != nil {
		u.fail(c, err)
		return
	}
	page := processPage{Process: d.Process, Client: can.ClientName, History: d.History, Error: c.Query("error"),
		MayManage: can.MayManage, Targets: can.Stops, Movers: can.Movers, MayAct: can.MayReassign, Assignees: can.Assignees}
	plan, err := u.Services.ProcessPlan(ctx, d.Process)
	if err != nil {
		u.fail(c, err)
		return
	}
	lang := language(c)
	page.Row, page.forms = newProcessRow(d.Process, plan, lang), stageForms(plan, lang)
	if page.names, err = u.userNames(ctx); err != nil {
		u.fail(c, err)
		return
	}
	localizeItems(page.History, plan, lang)
	for i, s := range page.Targets {
		if plan == nil {
			break
		}
		if st, ok := plan.Stages[s.ID]; ok && !s.End {
			page.Targets[i].Title = st.TitleIn(lang)
		} else if e, ok := plan.Ends[s.ID]; ok && s.End {
			page.Targets[i].Title = e.TitleIn(lang)
		}
	}
	bars := make([]gantt.Bar, len(page.History))
	for i, w := range page.History {
		bars[i] = gantt.Bar{Label: w.Title, Assignee: nameOf(page.names, w.Assignee), PlannedStart: w.PlannedStart, Due: w.Due,
			Started: w.StartedAt, Completed: w.CompletedAt, Overdue: w.Overdue}
		if w.Open() {
			page.Open = &d.History[i]
		}
	}
	page.Gantt = gantt.Render(bars, time.Now(), language(c))
	u.render(c, http.StatusOK, "process", page.Row.Title, page)
}

// cancelPage asks whether to cancel a process, and why.
type cancelPage struct {
	Process       services.Process
	Client, Stage string
	Conveyor      string // the definition's title
	Reason        string
	Errors        fieldErrors
	General       []string
	ReasonMax     int
}

func (u *UI) cancelPage(c *gin.Context) {
	u.renderCancel(c, http.StatusOK, cancelPage{})
}

func (u *UI) renderCancel(c *gin.Context, status int, page cancelPage) {
	ctx := c.Request.Context()
	d, err := u.Services.Process(ctx, me(c), c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	can, err := u.Services.ProcessActions(ctx, me(c), d)
	if err != nil {
		u.fail(c, err)
		return
	}
	if !can.MayManage {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	page.Process, page.Client, page.ReasonMax = d.Process, can.ClientName, limits.CancelReason.Max
	plan, err := u.Services.ProcessPlan(ctx, d.Process)
	if err != nil {
		u.fail(c, err)
		return
	}
	row := newProcessRow(d.Process, plan, language(c))
	page.Conveyor, page.Stage = row.Title, row.StageTitle
	if page.Errors == nil {
		page.Errors = fieldErrors{}
	}
	u.render(c, status, "process-cancel", translate(language(c), "pc.title"), page)
}

// cancelPost cancels a process for the reason given: admins, and
// supervisors who see it. Without a reason the question comes back.
func (u *UI) cancelPost(c *gin.Context) {
	reason := c.PostForm("reason")
	_, err := u.Services.CancelProcess(c.Request.Context(), me(c), c.Param("id"), reason, "")
	if errors.Is(err, refusal.ErrInvalid) {
		page := cancelPage{Reason: reason, Errors: fieldErrors{}}
		page.General, _ = formRefusal(language(c), err, page.Errors, "", nil)
		u.renderCancel(c, http.StatusUnprocessableEntity, page)
		return
	}
	u.afterUpdate(c, err)
}

// movePost moves a process on past a rule that failed: to a stage and its
// executor, or to an end.
func (u *UI) movePost(c *gin.Context) {
	_, err := u.Services.MoveProcess(c.Request.Context(), me(c), c.Param("id"), c.PostForm("to"), c.PostForm("assignee"), "")
	u.afterUpdate(c, err)
}

// afterUpdate goes back to the process page, with the process's refusal,
// if any, to show there. For a process the user may not manage there is
// nothing to go back to.
func (u *UI) afterUpdate(c *gin.Context, err error) {
	var ref *refusal.Error
	target := "/processes/" + url.PathEscape(c.Param("id"))
	switch {
	case errors.Is(err, refusal.ErrForbidden) || errors.Is(err, refusal.ErrNotFound):
		u.fail(c, err)
		return
	case errors.As(err, &ref):
		target += "?error=" + url.QueryEscape(ref.Message)
	case err != nil:
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, target)
}
