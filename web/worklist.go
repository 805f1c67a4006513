package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	lang "golang.org/x/text/language"

	"github.com/conveyorhq/conveyor/services"
)

// myWorkLimit is how many open items My work reads: more than a day holds.
const myWorkLimit = 200

// The groups of My work, in the order shown.
const (
	groupOverdue = "overdue"
	groupToday   = "today"
	groupLater   = "later"
)

// workSorts are My work's orders within each group; the first is the
// default.
var workSorts = []string{"planned", "due", "client"}

type workRow struct {
	services.WorkItem
	Overdue bool
	// New: not opened yet (attention).
	New bool
}

type workGroup struct {
	Key  string
	Rows []workRow
	New  int // how many of Rows are new
}

type stageOption struct{ Value, Label string }

type escalationRow struct {
	services.Escalation
	Title, Client string
}

type workPage struct {
	Groups []workGroup
	Count  int
	// The search box, the stage filter and the sort, as chosen.
	Q, Stage, Sort string
	Stages         []stageOption
	Sorts          []string
	Filtered       bool
	// Truncated: the user has more open work than the page reads.
	Truncated   bool
	Escalations []escalationRow
	// MoreEscalations: there are more open escalations than shown.
	MoreEscalations bool
	Tabs            viewTabs
}

// workList is "My work": the user's open items in three groups by the day
// in the UI's time zone — overdue, today, later — each in the chosen
// order, with a search by client or title and a filter by stage; for a
// supervisor, the open escalations addressed to them above.
func (u *UI) workList(c *gin.Context) {
	if u.showView(c, services.ListWorkItems) {
		return
	}
	ctx := c.Request.Context()
	user := me(c)
	q := c.Query("q")
	page := workPage{Q: strings.TrimSpace(q), Stage: c.Query("stage"), Sort: c.Query("sort"), Sorts: workSorts}
	if !slices.Contains(workSorts, page.Sort) {
		page.Sort = workSorts[0]
	}
	open := services.ItemFilter{Assignee: user.Login, State: "open", Page: services.Page{Limit: myWorkLimit}}
	all, next, err := u.Services.WorkItems(ctx, user, open)
	if err != nil {
		u.fail(c, err)
		return
	}
	page.Stages = stageOptions(all)
	if !slices.ContainsFunc(page.Stages, func(o stageOption) bool { return o.Value == page.Stage }) {
		page.Stage = "" // a stage none of the user's work is at: all
	}
	items := all
	page.Truncated = next != ""
	if page.Q != "" || page.Stage != "" {
		page.Filtered = true
		f := open
		f.Q = q
		f.Definition, f.Stage, _ = strings.Cut(page.Stage, "/")
		if items, next, err = u.Services.WorkItems(ctx, user, f); err != nil {
			u.fail(c, err)
			return
		}
		page.Truncated = next != ""
	}
	if err := u.stageTitles(ctx, items, language(c)); err != nil {
		u.fail(c, err)
		return
	}
	page.Groups = groupWork(items, time.Now(), u.Location, page.Sort, language(c))
	page.Count = len(items)
	if page.Escalations, page.MoreEscalations, err = u.escalations(c, user); err != nil {
		u.fail(c, err)
		return
	}
	if page.Tabs, err = u.tabsFor(c, services.ListWorkItems, ""); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "work", translate(language(c), "mywork"), page)
}

// escalationsShown is how many escalations My work lists.
const escalationsShown = 20

// escalations are the open escalations addressed to user (not all of them
// an admin may see), each with its item's title and client.
func (u *UI) escalations(c *gin.Context, user services.User) ([]escalationRow, bool, error) {
	ctx := c.Request.Context()
	escs, next, err := u.Services.Escalations(ctx, user, "open", services.Page{Limit: escalationsShown})
	if err != nil {
		return nil, false, err
	}
	var rows []escalationRow
	plans := planCache{}
	for _, e := range escs {
		if e.Supervisor != user.Login {
			continue // an admin's list holds everyone's
		}
		row := escalationRow{Escalation: e, Title: e.WorkItemID}
		if w, err := u.Services.WorkItem(ctx, user, e.WorkItemID); err == nil {
			row.Title, row.Client = w.Title, w.ClientName
			if plan, err := plans.get(ctx, u.Services, services.Process{Definition: w.Definition, Version: w.Version}); err == nil && plan != nil {
				if st, ok := plan.Stages[w.Stage]; ok {
					row.Title = st.TitleIn(language(c))
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, next != "" && len(rows) > 0, nil
}

// stageOptions are the stages the items are at, by conveyor and stage:
// the filter offers only what there is.
func stageOptions(items []services.WorkItem) []stageOption {
	var out []stageOption
	for _, w := range items {
		v := w.Definition + "/" + w.Stage
		if !slices.ContainsFunc(out, func(o stageOption) bool { return o.Value == v }) {
			out = append(out, stageOption{Value: v, Label: w.Title + " · " + w.Definition})
		}
	}
	slices.SortFunc(out, func(a, b stageOption) int { return cmp.Compare(a.Label, b.Label) })
	return out
}

// groupOf tells where an open item belongs on the day of now in loc:
// overdue once its deadline has passed; today when it is planned to start
// or due before tomorrow; later otherwise (a call back planned for Friday
// is not today's work on Wednesday).
func groupOf(w services.WorkItem, now time.Time, loc *time.Location) string {
	if w.Overdue || w.Due != nil && w.Due.Before(now) {
		return groupOverdue
	}
	y, m, d := now.In(loc).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	if w.PlannedStart.Before(tomorrow) || w.Due != nil && w.Due.Before(tomorrow) {
		return groupToday
	}
	return groupLater
}

// groupWork puts the items into their groups, each sorted by sort; groups
// without items are left out.
func groupWork(items []services.WorkItem, now time.Time, loc *time.Location, sort, uiLang string) []workGroup {
	groups := []workGroup{{Key: groupOverdue}, {Key: groupToday}, {Key: groupLater}}
	for _, w := range items {
		row := workRow{WorkItem: w, New: w.State == "attention"}
		key := groupOf(w, now, loc)
		row.Overdue = key == groupOverdue
		for i := range groups {
			if groups[i].Key == key {
				groups[i].Rows = append(groups[i].Rows, row)
				if row.New {
					groups[i].New++
				}
			}
		}
	}
	tag := lang.English
	if uiLang == "ru" {
		tag = lang.Russian
	}
	coll := collate.New(tag, collate.IgnoreCase)
	byPlanned := func(a, b workRow) int {
		return cmp.Or(a.PlannedStart.Compare(b.PlannedStart), cmp.Compare(a.ID, b.ID))
	}
	order := byPlanned
	switch sort {
	case "due":
		order = func(a, b workRow) int {
			switch {
			case a.Due == nil && b.Due != nil:
				return 1 // no deadline: last
			case a.Due != nil && b.Due == nil:
				return -1
			case a.Due != nil && b.Due != nil:
				if c := a.Due.Compare(*b.Due); c != 0 {
					return c
				}
			}
			return byPlanned(a, b)
		}
	case "client":
		order = func(a, b workRow) int {
			switch {
			case a.ClientName == "" && b.ClientName != "":
				return 1 // no client: last
			case a.ClientName != "" && b.ClientName == "":
				return -1
			}
			return cmp.Or(coll.CompareString(a.ClientName, b.ClientName), byPlanned(a, b))
		}
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Rows) > 0 {
			slices.SortStableFunc(g.Rows, order)
			out = append(out, g)
		}
	}
	return out
}

// stageTitles names items by their stage's title in lang where the plan
// has it: an item keeps its stage's title as it was written first.
func (u *UI) stageTitles(ctx context.Context, items []services.WorkItem, lang string) error {
	plans := planCache{}
	for i, w := range items {
		plan, err := plans.get(ctx, u.Services, services.Process{Definition: w.Definition, Version: w.Version})
		if err != nil {
			return err
		}
		if plan == nil {
			continue
		}
		if st, ok := plan.Stages[w.Stage]; ok {
			items[i].Title = st.TitleIn(lang)
		}
	}
	return nil
}
