package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/web/form"
	"github.com/conveyorhq/conveyor/workflows"
)

type workRow struct {
	store.WorkItem
	Overdue bool
}

// workList is "My work": the user's open items, new ones first to catch the
// eye, by planned start.
func (u *UI) workList(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	items, _, err := u.Store.WorkItems(ctx, viewer(user), store.ItemFilter{Assignee: user.Login, State: "open", Page: store.Page{Limit: 200}})
	if err != nil {
		u.fail(c, err)
		return
	}
	now := time.Now()
	rows := make([]workRow, 0, len(items))
	for _, w := range items {
		rows = append(rows, workRow{WorkItem: w, Overdue: w.Overdue || (w.Due != nil && w.Due.Before(now))})
	}
	u.render(c, http.StatusOK, "work", translate(language(c), "mywork"), rows)
}

type itemPage struct {
	Item      store.WorkItem
	Process   store.Process
	Client    string
	History   []store.WorkItem
	Fields    []form.Field
	Choices   []choice // next executors the completer may name
	NextValue string
	Errors    []string // refusals not tied to a field
	Result    *workflows.CompleteResult
	MayAct    bool
	Users     []store.User
}

type choice struct {
	Team, Stage string
	Members     []string
}

// workItem shows a work item to those who may act on it (its executor, a
// supervisor above them, an admin; anyone else finds nothing here, even if
// the client's process page is theirs to see); its executor opening it moves
// it from attention to in progress.
func (u *UI) workItem(c *gin.Context) {
	page, ok := u.loadItem(c)
	if !ok {
		return
	}
	if !page.MayAct {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	if page.Item.State == store.ItemAttention && page.Item.Assignee == me(c).Login {
		if w, err := u.Store.StartWorkItem(c.Request.Context(), page.Item.ID); err == nil {
			page.Item = w
			for i := range page.History {
				if page.History[i].ID == w.ID {
					page.History[i] = w
				}
			}
		}
	}
	u.render(c, http.StatusOK, "item", page.Item.Title, page)
}

// loadItem gathers what the item page shows; what the user may not see is
// not found.
func (u *UI) loadItem(c *gin.Context) (*itemPage, bool) {
	ctx := c.Request.Context()
	user := me(c)
	w, err := u.Store.VisibleWorkItem(ctx, viewer(user), c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	p, err := u.Store.Process(ctx, w.ProcessID)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	history, err := u.Store.ProcessItems(ctx, p.ID)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	v, err := u.Store.DefinitionVersion(ctx, p.Definition, p.Version)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	page := &itemPage{Item: w, Process: p, Client: w.ClientName, History: history}
	if page.MayAct, err = processes.MayAct(ctx, u.Store, user, w); err != nil {
		u.fail(c, err)
		return nil, false
	}
	stage := v.Plan.Stages[w.Stage]
	if page.Fields, err = form.Fields(stage.Form); err != nil {
		u.fail(c, err)
		return nil, false
	}
	for _, ch := range choices(v.Plan, w.Stage) {
		members, err := u.members(c, ch.Team, p.Client)
		if err != nil {
			u.fail(c, err)
			return nil, false
		}
		ch.Members = members
		page.Choices = append(page.Choices, ch)
	}
	if page.Users, err = u.Store.Users(ctx); err != nil {
		u.fail(c, err)
		return nil, false
	}
	return page, true
}

// choices are the teams whose member the completer of stage may have to
// name: a transition's or a target stage's `choose` rule.
func choices(plan *definitions.Plan, stage string) []choice {
	var out []choice
	seen := map[string]bool{}
	for _, t := range plan.Stages[stage].Transitions {
		rule := t.Assignee
		if rule == nil && !t.ToEnd {
			target := plan.Stages[t.To].Assignee
			rule = &target
		}
		if rule != nil && rule.Kind == definitions.AssignChoose && !seen[rule.Team] {
			seen[rule.Team] = true
			out = append(out, choice{Team: rule.Team, Stage: plan.Stages[t.To].Title})
		}
	}
	return out
}

// members are the team's members the completer may name: those who may
// see the process's client (the step refuses the others).
func (u *UI) members(c *gin.Context, team, client string) ([]string, error) {
	teams, err := u.Store.Teams(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var eligible []string
	for _, t := range teams {
		if t.Name != team {
			continue
		}
		for _, m := range t.Members {
			err := error(nil)
			if client != "" {
				err = u.Store.CanSeeClient(c.Request.Context(), store.Viewer{Login: m}, client)
			}
			switch {
			case err == nil:
				eligible = append(eligible, m)
			case !errors.Is(err, refusal.ErrNotFound):
				return nil, err
			}
		}
	}
	return eligible, nil
}

// completePost completes the item from the form. The browser checks the
// form first; the server checks again, and its refusals are shown beside
// their fields with what the user typed.
func (u *UI) completePost(c *gin.Context) {
	page, ok := u.loadItem(c)
	if !ok {
		return
	}
	if !page.MayAct {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		u.fail(c, err)
		return
	}
	values := c.Request.PostForm
	data, convErrs := form.Parse(page.Fields, values, u.Location)
	page.NextValue = values.Get("next")
	if len(convErrs) > 0 {
		u.refuse(c, page, values, convErrs, nil)
		return
	}
	res, err := processes.Complete(c.Request.Context(), u.Temporal, page.Item,
		workflows.CompleteRequest{Data: data, By: me(c).Login, Next: workflows.NextOverride{Assignee: page.NextValue}}, "")
	var ref *refusal.Error
	switch {
	case errors.As(err, &ref) && errors.Is(ref, refusal.ErrInvalid):
		fieldErrs := map[string]string{}
		for _, f := range ref.Fields {
			fieldErrs[f.Path] = f.Message
		}
		u.refuse(c, page, values, fieldErrs, []string{ref.Message})
		return
	case errors.As(err, &ref):
		u.refuse(c, page, values, nil, []string{translate(language(c), "conflict")})
		return
	case err != nil:
		u.fail(c, err)
		return
	}
	page.Result = &res
	page.Item.State = res.Item.State // the page names the item and its process, as loaded
	u.render(c, http.StatusOK, "done", page.Item.Title, page)
}

func (u *UI) refuse(c *gin.Context, page *itemPage, values url.Values, fieldErrs map[string]string, general []string) {
	page.Fields = form.WithErrors(page.Fields, values, fieldErrs)
	page.Errors = append(general, form.Unplaced(page.Fields, fieldErrs)...)
	sort.Strings(page.Errors[len(general):])
	if msg, ok := fieldErrs["/next/assignee"]; ok && !strings.Contains(strings.Join(page.Errors, " "), msg) {
		page.Errors = append(page.Errors, msg)
	}
	u.render(c, http.StatusUnprocessableEntity, "item", page.Item.Title, page)
}

// reassignPost hands the open item to another user (supervisors above the
// assignee, admins).
func (u *UI) reassignPost(c *gin.Context) {
	page, ok := u.loadItem(c)
	if !ok {
		return
	}
	user := me(c)
	if !page.MayAct || (page.Item.Assignee == user.Login && !user.Has(store.RoleAdmin)) {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	err := processes.CheckReassign(c.Request.Context(), u.Store, user, page.Item, c.PostForm("to"))
	if err == nil {
		err = processes.Reassign(c.Request.Context(), u.Temporal, page.Item, c.PostForm("to"), user.Login, c.PostForm("note"), "")
	}
	var ref *refusal.Error
	if errors.As(err, &ref) {
		page.Errors = []string{ref.Message}
		u.render(c, http.StatusUnprocessableEntity, "item", page.Item.Title, page)
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/processes/"+page.Item.ProcessID)
}
