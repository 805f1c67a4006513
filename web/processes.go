package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/errs"
	"github.com/conveyorhq/conveyor/processes"
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
		err = errs.ErrNotFound
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
}

// processPage shows a process's history and its Gantt view, planned
// against actual, drawn on the server.
func (u *UI) processPage(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	ok, err := u.Store.CanSeeProcess(ctx, viewer(user), c.Param("id"))
	if err == nil && !ok {
		err = errs.ErrNotFound
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
	page := processPage{Process: p, History: history}
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

// cancelPost cancels a process: admins, and supervisors who see it.
func (u *UI) cancelPost(c *gin.Context) {
	user := me(c)
	ok, err := u.Store.CanSeeProcess(c.Request.Context(), viewer(user), c.Param("id"))
	if err == nil && (!ok || !(user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor))) {
		err = errs.ErrNotFound
	}
	if err == nil {
		err = processes.Cancel(c.Request.Context(), u.Temporal, c.Param("id"), user.Login, "")
	}
	var refusal *processes.Refusal
	if err != nil && !errors.As(err, &refusal) {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/processes/"+c.Param("id"))
}
