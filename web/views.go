package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
)

// Saved views in the pages: a row of tabs above each list (the page as
// built, then the user's and the shared views), a view's table with its
// groups, export and pin, and the editor. The rules are the services'; the
// pages only turn forms into a ViewSpec and results into cells.

func (u *UI) viewRoutes(s *gin.RouterGroup) {
	s.GET("/views/new", u.viewEditor)
	s.GET("/views/:id/edit", u.viewEditor)
	s.POST("/views/save", u.viewSave)
	s.POST("/views/:id/copy", u.viewCopy)
	s.POST("/views/:id/delete", u.viewDelete)
	s.POST("/views/:id/default", u.viewDefault)
	s.GET("/views/:id/export", u.viewExport)
	s.GET("/views/export", u.viewExport)
}

// viewTab is one tab above a list.
type viewTab struct {
	Name, Href              string
	Current, Locked, Shared bool
}

// viewTabs is the row of tabs of a list.
type viewTabs struct {
	Lang, List string
	Tabs       []viewTab
	NewHref    string
}

// tabsFor is list's tabs with current ("" the page as built) marked.
func (u *UI) tabsFor(c *gin.Context, list, current string) (viewTabs, error) {
	lang := language(c)
	views, err := u.Services.Views(c.Request.Context(), me(c), list)
	if err != nil {
		return viewTabs{}, err
	}
	if current == "none" {
		current = ""
	}
	path := listPaths[list]
	tabs := viewTabs{Lang: lang, List: list, NewHref: "/views/new?list=" + list,
		Tabs: []viewTab{{Name: translate(lang, "v.builtin."+list), Href: path + "?view=none", Current: current == ""}}}
	for _, v := range views {
		tabs.Tabs = append(tabs.Tabs, viewTab{Name: v.Name, Href: path + "?view=" + url.QueryEscape(v.ID), Current: v.ID == current,
			Locked: v.Locked, Shared: v.Sharing != "private"})
	}
	return tabs, nil
}

// viewCell is one shown value.
type viewCell struct {
	Text, Class string
}

type viewRowOut struct {
	Href  string
	Cells []viewCell
}

type viewGroupOut struct {
	Keys  []string
	Count int
	Sums  []string
	Href  string
}

// viewListPage is a list shown through a view.
type viewListPage struct {
	Tabs    viewTabs
	View    *services.View // nil for a view not saved
	List    string
	Spec    string // the unsaved spec, as JSON, for its links
	Heads   []string
	Rows    []viewRowOut
	Count   string
	Groups  []viewGroupOut
	GroupBy []string
	SumsOf  []string
	Next    string
	Error   []string
	Export  string // the export's address without its format
	Edit    string
	// Roles the view is the default of, and those it may become it for
	// (an admin's, for a view shared with everyone).
	DefaultOf, Roles []string
}

// showView shows list through the view the request asks for (?view=id,
// or ?spec= a view not saved), or the user's default view of list when it
// asks for nothing else; it reports whether it answered.
func (u *UI) showView(c *gin.Context, list string) bool {
	ctx, user := c.Request.Context(), me(c)
	id, rawSpec := c.Query("view"), c.Query("spec")
	if id == "" && rawSpec == "" && len(c.Request.URL.RawQuery) == 0 {
		def, err := u.Services.DefaultView(ctx, user, list)
		if err != nil {
			u.fail(c, err)
			return true
		}
		id = def
	}
	if id == "none" || (id == "" && rawSpec == "") {
		return false
	}
	page := viewListPage{List: list}
	var spec services.ViewSpec
	if id != "" {
		v, err := u.Services.View(ctx, user, id)
		if err != nil {
			u.fail(c, err)
			return true
		}
		if v.List != list {
			u.fail(c, refusal.ErrNotFound)
			return true
		}
		page.View, spec = &v, v.Spec
		if user.Has(services.RoleAdmin) && v.Sharing == "everyone" {
			defaults, err := u.Services.ViewDefaults(ctx, list)
			if err != nil {
				u.fail(c, err)
				return true
			}
			for _, role := range services.Roles {
				if defaults[role] == v.ID {
					page.DefaultOf = append(page.DefaultOf, role)
				}
			}
			page.Roles = services.Roles
		}
		page.Export, page.Edit = "/views/"+url.PathEscape(v.ID)+"/export?", "/views/"+url.PathEscape(v.ID)+"/edit"
	} else {
		if err := json.Unmarshal([]byte(rawSpec), &spec); err != nil {
			u.fail(c, refusal.ErrNotFound)
			return true
		}
		page.Spec = rawSpec
		q := url.Values{"list": {list}, "spec": {rawSpec}}
		page.Export, page.Edit = "/views/export?"+q.Encode()+"&", "/views/new?"+q.Encode()
	}
	tabs, err := u.tabsFor(c, list, cmp.Or(id, "-")) // a view not saved is no tab
	if err != nil {
		u.fail(c, err)
		return true
	}
	page.Tabs = tabs
	status := http.StatusOK
	res, err := u.Services.RunView(ctx, user, list, spec, c.Query("after"))
	switch {
	case errors.Is(err, refusal.ErrInvalid):
		// A view that no longer fits its conveyor says why, not a 500.
		page.Error, status = refusalLines(language(c), err), http.StatusUnprocessableEntity
	case err != nil:
		u.fail(c, err)
		return true
	default:
		if err := u.fillView(c, &page, list, spec, res); err != nil {
			u.fail(c, err)
			return true
		}
	}
	title := translate(language(c), "v.builtin."+list)
	if page.View != nil {
		title = page.View.Name
	}
	u.render(c, status, "viewlist", title, page)
	return true
}

// refusalLines is every fault of a refusal, in lang.
func refusalLines(lang string, err error) []string {
	var r *refusal.Error
	if !errors.As(err, &r) || len(r.Fields) == 0 {
		return []string{err.Error()}
	}
	out := make([]string, 0, len(r.Fields))
	for _, f := range r.Fields {
		out = append(out, viewPathText(lang, f.Path)+": "+fieldText(lang, f))
	}
	return out
}

// viewPathText names where in a view a fault is, for people: a column,
// a sort key, a condition by its row (in the second group of the editor,
// "and also"), a field.
func viewPathText(lang, path string) string {
	parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/spec"), "/"), "/")
	name := translate(lang, "v.path."+parts[0])
	var rows []int
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err == nil {
			rows = append(rows, n)
		}
	}
	switch {
	case len(rows) == 0:
		return name
	case parts[0] == "filter" && len(rows) == 2 && rows[0] == 1:
		return translate(lang, "v.also") + ", " + strings.ToLower(name) + " " + strconv.Itoa(rows[1]+1)
	}
	return name + " " + strconv.Itoa(rows[len(rows)-1]+1)
}

// fillView turns a result into the page's cells.
func (u *UI) fillView(c *gin.Context, page *viewListPage, list string, spec services.ViewSpec, res services.ViewResult) error {
	lang := language(c)
	names, err := u.userNames(c.Request.Context())
	if err != nil {
		return err
	}
	for _, col := range res.Columns {
		page.Heads = append(page.Heads, columnTitle(lang, list, col))
	}
	for _, r := range res.Rows {
		row := viewRowOut{Href: rowHref(list, r.ID)}
		for i, v := range r.Values {
			row.Cells = append(row.Cells, u.cell(lang, res.Columns[i], v, names))
		}
		page.Rows = append(page.Rows, row)
	}
	page.Count = showNumber(lang, strconv.Itoa(res.Count))
	if res.Capped {
		page.Count += "+"
	}
	for _, g := range res.Group {
		page.GroupBy = append(page.GroupBy, columnTitle(lang, list, g))
	}
	for _, key := range res.SumsOf {
		for _, col := range res.Columns {
			if col.Key == key {
				key = columnTitle(lang, list, col)
			}
		}
		page.SumsOf = append(page.SumsOf, key)
	}
	for _, g := range res.Groups {
		out := viewGroupOut{Count: g.Count}
		narrowed := spec
		var conds []services.ViewFilter
		for i, k := range g.Keys {
			out.Keys = append(out.Keys, u.cell(lang, res.Group[i], k, names).Text)
			if k == nil {
				conds = append(conds, services.ViewFilter{Column: res.Group[i].Key, Op: "unset"})
			} else {
				conds = append(conds, services.ViewFilter{Column: res.Group[i].Key, Op: "eq", Value: k})
			}
		}
		if spec.Filter != nil {
			conds = append([]services.ViewFilter{*spec.Filter}, conds...)
		}
		narrowed.Filter, narrowed.Group, narrowed.Sums = &services.ViewFilter{All: conds}, nil, nil
		out.Href = viewLink(list, narrowed)
		for _, s := range g.Sums {
			out.Sums = append(out.Sums, showNumber(lang, strconv.FormatFloat(s, 'f', -1, 64)))
		}
		page.Groups = append(page.Groups, out)
	}
	if res.Next != "" {
		q := c.Request.URL.Query()
		q.Set("after", res.Next)
		page.Next = listPaths[list] + "?" + q.Encode()
	}
	return nil
}

func rowHref(list, id string) string {
	switch list {
	case services.ListWorkItems:
		return "/work/" + url.PathEscape(id)
	case services.ListProcesses:
		return "/processes/" + url.PathEscape(id)
	}
	return "/clients/" + url.PathEscape(id)
}

// columnTitle is a column's header in lang.
func columnTitle(lang, list string, col services.ViewColumn) string {
	if t := col.TitleIn(lang); t != "" {
		return t
	}
	if src, name, ok := strings.Cut(col.Key, "."); ok && (src == "var" || src == "form") {
		return form.Humanize(name)
	}
	if t := translate(lang, "col."+list+"."+col.Key); t != "col."+list+"."+col.Key {
		return t
	}
	return translate(lang, "col."+col.Key)
}

// cell words one value of col.
func (u *UI) cell(lang string, col services.ViewColumn, v any, names map[string]string) viewCell {
	if v == nil {
		return viewCell{Text: "—", Class: "muted"}
	}
	switch x := v.(type) {
	case bool:
		if x {
			return viewCell{Text: translate(lang, "h.yes")}
		}
		return viewCell{Text: translate(lang, "h.no")}
	case float64:
		return viewCell{Text: showNumber(lang, strconv.FormatFloat(x, 'f', -1, 64)), Class: "num"}
	case time.Time:
		return viewCell{Text: x.In(u.Location).Format("02.01.2006 15:04")}
	}
	switch col.Type {
	case services.TypeUser:
		if s, _ := v.(string); names[s] != "" {
			return viewCell{Text: names[s]}
		}
	case services.TypeEnum:
		s, _ := v.(string)
		if col.Key == "state" { // the states are the pages' words, not a plan's
			return viewCell{Text: translate(lang, "v.state."+s)}
		}
		for _, ch := range col.Choices {
			if ch.Value == s {
				return viewCell{Text: ch.TitleIn(lang)}
			}
		}
	}
	s, _ := v.(string)
	return viewCell{Text: s}
}
