package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/web/gantt"
)

type processListPage struct {
	Items                                      []store.Process
	Next                                       string
	Definition, State, Assignee, Overdue, Sort string
	Definitions                                []store.Version
	Users                                      []store.User
}

// processList is the supervisors' table: every visible process with its
// state, stage, executor, dates, overdue flag and progress.
func (u *UI) processList(c *gin.Context) {
	ctx := c.Request.Context()
	f := store.ProcessFilter{Definition: c.Query("definition"), State: c.Query("state"), Assignee: c.Query("assignee"),
		Sort: c.Query("sort"), Page: store.Page{After: c.Query("after"), Limit: 50}}
	if c.Query("overdue") == "true" {
		t := true
		f.Overdue = &t
	}
	items, next, err := u.Store.Processes(ctx, viewer(me(c)), f)
	if errors.Is(err, store.ErrBadCursor) || errors.Is(err, store.ErrBadSort) {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	page := processListPage{Items: items, Definition: f.Definition, State: f.State, Assignee: f.Assignee,
		Overdue: c.Query("overdue"), Sort: f.Sort}
	if next != "" {
		q := c.Request.URL.Query()
		q.Set("after", next)
		page.Next = "/processes?" + q.Encode()
	}
	if page.Definitions, err = u.Store.Definitions(ctx); err != nil {
		u.fail(c, err)
		return
	}
	if page.Users, err = u.Store.Users(ctx); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "processes", translate(language(c), "processes"), page)
}

type processPage struct {
	Process store.Process
	Client  string
	History []store.WorkItem
	Gantt   string
	MayAct  bool
	Open    *store.WorkItem
	Users   []store.User
	// Assignees are whom the user may hand the open item to.
	Assignees []store.User
	// MayManage: the user may cancel the process or move it on; Targets
	// are the stages and ends it may be moved on to.
	MayManage bool
	Targets   []moveTarget
	Movers    []store.User // whom the process may be moved on to
	Error     string
}

// moveTarget is a stage or an end a process may be moved on to.
type moveTarget struct {
	ID, Title string
	End       bool
}

// processPage shows a process's history and its Gantt view, planned
// against actual, drawn on the server.
func (u *UI) processPage(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	ok, err := u.Store.CanSeeProcess(ctx, viewer(user), c.Param("id"))
	if err == nil && !ok {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	p, err := u.Store.Process(ctx, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	history, err := u.Store.ProcessItems(ctx, p.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	page := processPage{Process: p, History: history, Error: c.Query("error"),
		MayManage: user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor)}
	if page.MayManage && p.State == store.ProcessRunning {
		if page.Targets, err = u.moveTargets(c, p); err == nil {
			page.Movers, err = processes.Targets(ctx, u.Store, user, p.ID)
		}
		if err != nil {
			u.fail(c, err)
			return
		}
	}
	if p.Client != "" { // the process may have no work item yet to carry the name
		cl, err := u.Store.Client(ctx, store.Viewer{Admin: true}, p.Client)
		if err != nil {
			u.fail(c, err)
			return
		}
		page.Client = cl.Name
	}
	bars := make([]gantt.Bar, len(history))
	for i, w := range history {
		bars[i] = gantt.Bar{Label: w.Title, Assignee: w.Assignee, PlannedStart: w.PlannedStart, Due: w.Due,
			Started: w.StartedAt, Completed: w.CompletedAt, Overdue: w.Overdue}
		if w.Open() {
			page.Open = &history[i]
		}
	}
	page.Gantt = gantt.Render(bars, time.Now(), language(c))
	if page.Open != nil {
		if page.MayAct, err = processes.MayAct(ctx, u.Store, user, *page.Open); err != nil {
			u.fail(c, err)
			return
		}
		page.MayAct = page.MayAct && (user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor))
		if page.MayAct {
			if page.Assignees, err = processes.ReassignTargets(ctx, u.Store, user, *page.Open); err != nil {
				u.fail(c, err)
				return
			}
		}
	}
	if page.Users, err = u.Store.Users(ctx); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "process", p.Definition, page)
}

// moveTargets lists the stages and ends of the process's version.
func (u *UI) moveTargets(c *gin.Context, p store.Process) ([]moveTarget, error) {
	v, err := u.Store.DefinitionVersion(c.Request.Context(), p.Definition, p.Version)
	if err != nil || v.Plan == nil {
		return nil, err
	}
	var out []moveTarget
	for _, id := range slices.Sorted(maps.Keys(v.Plan.Stages)) {
		out = append(out, moveTarget{ID: id, Title: v.Plan.Stages[id].Title})
	}
	for _, id := range slices.Sorted(maps.Keys(v.Plan.Ends)) {
		out = append(out, moveTarget{ID: id, Title: v.Plan.Ends[id].Title, End: true})
	}
	return out, nil
}

// managed checks that the user may cancel or move on the process: admins,
// and supervisors who see it; for anyone else it does not exist.
func (u *UI) managed(c *gin.Context) bool {
	user := me(c)
	ok, err := u.Store.CanSeeProcess(c.Request.Context(), viewer(user), c.Param("id"))
	if err == nil && (!ok || !(user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor))) {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
		return false
	}
	return true
}

// cancelPost cancels a process: admins, and supervisors who see it.
func (u *UI) cancelPost(c *gin.Context) {
	if !u.managed(c) {
		return
	}
	err := processes.Cancel(c.Request.Context(), u.Temporal, c.Param("id"), me(c).Login, "")
	u.afterUpdate(c, err)
}

// movePost moves a process on past a rule that failed: to a stage and its
// executor, or to an end.
func (u *UI) movePost(c *gin.Context) {
	if !u.managed(c) {
		return
	}
	_, err := processes.Move(c.Request.Context(), u.Store, u.Temporal, me(c), c.Param("id"), c.PostForm("to"),
		c.PostForm("assignee"), "")
	u.afterUpdate(c, err)
}

// afterUpdate goes back to the process page, with the process's refusal,
// if any, to show there.
func (u *UI) afterUpdate(c *gin.Context, err error) {
	var ref *refusal.Error
	target := "/processes/" + url.PathEscape(c.Param("id"))
	switch {
	case errors.As(err, &ref):
		target += "?error=" + url.QueryEscape(ref.Message)
	case err != nil:
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, target)
}
