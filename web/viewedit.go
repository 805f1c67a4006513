package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// The view editor: a plain form (works without JavaScript) over the
// columns the list and its conveyor offer. It holds up to six conditions,
// all or any of which hold, and "and also" up to three more, all or any of
// which hold (stage is deal, and the executor is ivan or maria); deeper
// AND/OR groups are the API's.

const (
	editorConditions = 6
	editorAlso       = 3 // the second group's rows
	editorSorts      = 2
)

// editorColumn is one column offered, as the form shows it.
type editorColumn struct {
	Key, Title string
	Type       services.ColumnType
	Shown      bool
	Position   int
	Summed     bool
}

type editorCondition struct {
	Column, Op, Value, Value2 string
}

type editorSort struct {
	Column string
	Desc   bool
}

type viewEditorPage struct {
	ID, List, Name, Definition, Sharing string
	Locked, CanSave, CanManage          bool
	Definitions                         []services.Version
	Columns                             []editorColumn
	Match, Match2                       string
	Conditions, Also                    []editorCondition
	Sorts                               []editorSort
	Group                               [2]string
	PageSize                            int
	Ops                                 []string
	MayShareAll                         bool
	Errors                              []string
}

// editorOps is what the condition rows offer: the operators, and "within"
// as one choice per period.
func editorOps() []string {
	ops := []string{"eq", "ne", "contains", "in", "between", "before_now", "after_now", "set", "unset", "me", "my_team", "has", "lacks"}
	for _, p := range services.RelativePeriods {
		ops = append(ops, "within:"+p)
	}
	return ops
}

// viewEditor shows a new view (?list=, ?definition=, ?spec= to start
// from) or a saved one to change.
func (u *UI) viewEditor(c *gin.Context) {
	ctx, user := c.Request.Context(), me(c)
	page := viewEditorPage{List: c.Query("list"), Sharing: "private", CanSave: true, CanManage: true}
	var spec services.ViewSpec
	if id := c.Param("id"); id != "" {
		v, err := u.Services.View(ctx, user, id)
		if err != nil {
			u.fail(c, err)
			return
		}
		page.ID, page.List, page.Name, page.Sharing, page.Locked = v.ID, v.List, v.Name, v.Sharing, v.Locked
		page.CanSave, page.CanManage, spec = v.CanSave, v.CanManage, v.Spec
	} else if raw := c.Query("spec"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &spec); err != nil {
			u.fail(c, refusal.ErrNotFound)
			return
		}
	} else {
		spec.Columns = defaultColumns[page.List]
	}
	if d, ok := c.GetQuery("definition"); ok {
		spec.Definition = d
	}
	if listPaths[page.List] == "" {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	if err := u.editorPage(c, &page, spec); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "viewedit", translate(language(c), "v.editor"), page)
}

// defaultColumns start a new view of each list.
var defaultColumns = map[string][]string{
	services.ListWorkItems: {"title", "client", "assignee", "plannedStart", "due"},
	services.ListProcesses: {"client", "definition", "stage", "assignee", "due"},
	services.ListClients:   {"name", "inn", "owner"},
}

// editorPage fills the form from spec.
func (u *UI) editorPage(c *gin.Context, page *viewEditorPage, spec services.ViewSpec) error {
	ctx, user, lang := c.Request.Context(), me(c), language(c)
	page.Definition, page.PageSize, page.Ops = spec.Definition, spec.PageSize, editorOps()
	page.MayShareAll = user.Has(services.RoleAdmin) || user.Has(services.RoleSupervisor) || user.Has(services.RoleAnalyst)
	if page.List != services.ListClients {
		defs, err := u.Services.Definitions(ctx, user)
		if err != nil {
			return err
		}
		page.Definitions = defs
	}
	cols, err := u.Services.ViewColumns(ctx, user, page.List, spec.Definition)
	if errors.Is(err, refusal.ErrNotFound) {
		page.Definition = ""
		cols, err = u.Services.ViewColumns(ctx, user, page.List, "")
	}
	if err != nil {
		return err
	}
	for _, col := range cols {
		ec := editorColumn{Key: col.Key, Title: columnTitle(lang, page.List, col), Type: col.Type}
		if i := slices.Index(spec.Columns, col.Key); i >= 0 {
			ec.Shown, ec.Position = true, i+1
		}
		ec.Summed = slices.Contains(spec.Sums, col.Key)
		page.Columns = append(page.Columns, ec)
	}
	slices.SortStableFunc(page.Columns, func(a, b editorColumn) int {
		switch {
		case a.Shown && b.Shown:
			return a.Position - b.Position
		case a.Shown:
			return -1
		case b.Shown:
			return 1
		}
		return 0
	})
	// A filter the editor wrote is one group, or two groups all of which
	// hold; one it cannot show is the API's to change.
	var first, second *services.ViewFilter
	if f := spec.Filter; f != nil {
		first = f
		if len(f.All) == 2 && isGroup(f.All[0]) && isGroup(f.All[1]) {
			first, second = &f.All[0], &f.All[1]
		}
	}
	page.Match, page.Conditions = groupRows(first, editorConditions)
	page.Match2, page.Also = groupRows(second, editorAlso)
	for i := range editorSorts {
		var s editorSort
		if i < len(spec.Sort) {
			s = editorSort{Column: spec.Sort[i].Column, Desc: spec.Sort[i].Desc}
		}
		page.Sorts = append(page.Sorts, s)
	}
	for i := range min(2, len(spec.Group)) {
		page.Group[i] = spec.Group[i]
	}
	return nil
}

func isGroup(f services.ViewFilter) bool { return len(f.All) > 0 || len(f.Any) > 0 }

// groupRows is a group as n form rows and its match.
func groupRows(f *services.ViewFilter, n int) (string, []editorCondition) {
	match, conds := "all", []services.ViewFilter(nil)
	switch {
	case f == nil:
	case len(f.Any) > 0:
		match, conds = "any", f.Any
	case len(f.All) > 0:
		conds = f.All
	default:
		conds = []services.ViewFilter{*f}
	}
	rows := make([]editorCondition, n)
	for i := range min(n, len(conds)) {
		rows[i] = conditionRow(conds[i])
	}
	return match, rows
}

// conditionRow is a condition as a form row.
func conditionRow(f services.ViewFilter) editorCondition {
	ec := editorCondition{Column: f.Column, Op: f.Op}
	switch v := f.Value.(type) {
	case []any:
		if f.Op == "between" && len(v) == 2 {
			ec.Value, ec.Value2 = valueText(v[0]), valueText(v[1])
			break
		}
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = valueText(x)
		}
		ec.Value = strings.Join(parts, ", ")
	default:
		if f.Op == "within" {
			ec.Op = "within:" + valueText(v)
			break
		}
		ec.Value = valueText(v)
	}
	return ec
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// specFromForm reads the editor's form into a spec: the values typed as
// their columns read, the rest left to the services' checks.
func specFromForm(c *gin.Context, cols []services.ViewColumn) services.ViewSpec {
	spec := services.ViewSpec{Definition: c.PostForm("definition")}
	spec.PageSize, _ = strconv.Atoi(c.PostForm("pagesize"))
	types := map[string]services.ColumnType{}
	type shown struct {
		key string
		pos int
	}
	var picked []shown
	for i, col := range cols {
		types[col.Key] = col.Type
		if c.PostForm("col."+col.Key) != "" {
			pos, err := strconv.Atoi(c.PostForm("pos." + col.Key))
			if err != nil {
				pos = 1000 + i
			}
			picked = append(picked, shown{col.Key, pos})
		}
		if c.PostForm("sum."+col.Key) != "" {
			spec.Sums = append(spec.Sums, col.Key)
		}
	}
	slices.SortStableFunc(picked, func(a, b shown) int { return a.pos - b.pos })
	for _, p := range picked {
		spec.Columns = append(spec.Columns, p.key)
	}
	first := formGroup(c, "f", "match", editorConditions, types)
	second := formGroup(c, "h", "match2", editorAlso, types)
	switch {
	case first != nil && second != nil:
		spec.Filter = &services.ViewFilter{All: []services.ViewFilter{*first, *second}}
	case first != nil:
		spec.Filter = first
	case second != nil:
		spec.Filter = second
	}
	for i := range editorSorts {
		n := strconv.Itoa(i)
		if col := c.PostForm("s" + n + ".column"); col != "" {
			spec.Sort = append(spec.Sort, services.ViewSortKey{Column: col, Desc: c.PostForm("s"+n+".desc") != ""})
		}
	}
	for i := range 2 {
		if g := c.PostForm("g" + strconv.Itoa(i)); g != "" {
			spec.Group = append(spec.Group, g)
		}
	}
	return spec
}

// formGroup reads n condition rows named prefix<i>.column/op/value/value2
// into a group all (or, with match "any", any) of which hold; nil for none.
func formGroup(c *gin.Context, prefix, match string, n int, types map[string]services.ColumnType) *services.ViewFilter {
	var conds []services.ViewFilter
	for i := range n {
		k := prefix + strconv.Itoa(i)
		column, op := c.PostForm(k+".column"), c.PostForm(k+".op")
		if column == "" || op == "" {
			continue
		}
		f := services.ViewFilter{Column: column, Op: op}
		raw, raw2 := strings.TrimSpace(c.PostForm(k+".value")), strings.TrimSpace(c.PostForm(k+".value2"))
		t := types[column]
		switch {
		case strings.HasPrefix(op, "within:"):
			f.Op, f.Value = "within", strings.TrimPrefix(op, "within:")
		case op == "between":
			f.Value = []any{formValue(t, raw), formValue(t, raw2)}
		case op == "in":
			var list []any
			for _, part := range strings.Split(raw, ",") {
				if part = strings.TrimSpace(part); part != "" {
					list = append(list, formValue(t, part))
				}
			}
			f.Value = list
		case op == "eq" || op == "ne" || op == "contains" || op == "has" || op == "lacks":
			f.Value = formValue(t, raw)
		}
		conds = append(conds, f)
	}
	switch {
	case len(conds) == 0:
		return nil
	case c.PostForm(match) == "any":
		return &services.ViewFilter{Any: conds}
	}
	return &services.ViewFilter{All: conds}
}

// formValue is a typed-in value as its column reads it ("" none); what
// does not read stays text, for the services to refuse with its place.
func formValue(t services.ColumnType, s string) any {
	if s == "" {
		return nil
	}
	switch t {
	case services.TypeNumber:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ",", "."), 64); err == nil {
			return f
		}
	case services.TypeBool:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// viewSave saves the editor's form (action save), saves it as a new view
// of the user's (saveas), or shows the list through it unsaved (apply).
func (u *UI) viewSave(c *gin.Context) {
	ctx, user, lang := c.Request.Context(), me(c), language(c)
	list, id := c.PostForm("list"), c.PostForm("id")
	if listPaths[list] == "" {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	cols, err := u.Services.ViewColumns(ctx, user, list, c.PostForm("definition"))
	if errors.Is(err, refusal.ErrNotFound) {
		cols, err = u.Services.ViewColumns(ctx, user, list, "")
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	spec := specFromForm(c, cols)
	body := services.ViewBody{List: list, Name: strings.TrimSpace(c.PostForm("name")), Sharing: c.PostForm("sharing"),
		Locked: c.PostForm("locked") != "", Spec: spec}
	var v services.View
	switch c.PostForm("action") {
	case "apply":
		c.Redirect(http.StatusSeeOther, viewLink(list, spec))
		return
	case "reload": // another conveyor chosen: its columns
		raw, _ := json.Marshal(spec)
		q := url.Values{"list": {list}, "spec": {string(raw)}, "definition": {spec.Definition}}
		target := "/views/new?"
		if id != "" {
			target = "/views/" + url.PathEscape(id) + "/edit?"
		}
		c.Redirect(http.StatusSeeOther, target+q.Encode())
		return
	case "saveas":
		body.Sharing, body.Locked = "private", false
		v, err = u.Services.CreateView(ctx, user, body)
	default:
		if id == "" {
			v, err = u.Services.CreateView(ctx, user, body)
		} else {
			v, err = u.Services.SaveView(ctx, user, id, body)
		}
	}
	if err != nil {
		if !errors.Is(err, refusal.ErrInvalid) && !errors.Is(err, refusal.ErrForbidden) {
			u.fail(c, err)
			return
		}
		page := viewEditorPage{ID: id, List: list, Name: body.Name, Sharing: body.Sharing, Locked: body.Locked, CanSave: true, CanManage: true}
		if id != "" {
			if cur, err := u.Services.View(ctx, user, id); err == nil {
				page.CanSave, page.CanManage = cur.CanSave, cur.CanManage
			}
		}
		if ferr := u.editorPage(c, &page, spec); ferr != nil {
			u.fail(c, ferr)
			return
		}
		page.Errors = refusalLines(lang, err)
		if errors.Is(err, refusal.ErrForbidden) {
			page.Errors = []string{translate(lang, "v.locked.refused")}
		}
		u.render(c, http.StatusUnprocessableEntity, "viewedit", translate(lang, "v.editor"), page)
		return
	}
	c.Redirect(http.StatusSeeOther, listPaths[list]+"?view="+url.QueryEscape(v.ID))
}

// viewCopy is "save as mine".
func (u *UI) viewCopy(c *gin.Context) {
	v, err := u.Services.CopyView(c.Request.Context(), me(c), c.Param("id"), "")
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, listPaths[v.List]+"?view="+url.QueryEscape(v.ID))
}

func (u *UI) viewDelete(c *gin.Context) {
	ctx, user := c.Request.Context(), me(c)
	v, err := u.Services.View(ctx, user, c.Param("id"))
	if err == nil {
		err = u.Services.DeleteView(ctx, user, v.ID)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, listPaths[v.List]+"?view=none")
}

// viewExport streams a saved view (/views/:id/export) or an unsaved one
// (?list=&spec=) as ?format=csv or xlsx, headed in the page's language.
func (u *UI) viewExport(c *gin.Context) {
	ctx, user, lang := c.Request.Context(), me(c), language(c)
	list, name := c.Query("list"), translate(lang, "v.builtin."+c.Query("list"))
	var spec services.ViewSpec
	if id := c.Param("id"); id != "" {
		v, err := u.Services.View(ctx, user, id)
		if err != nil {
			u.fail(c, err)
			return
		}
		list, name, spec = v.List, v.Name, v.Spec
	} else if err := json.Unmarshal([]byte(c.Query("spec")), &spec); err != nil || listPaths[list] == "" {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	format := c.DefaultQuery("format", services.FormatXLSX)
	if services.ExportContentType(format) == "" {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	c.Header("Content-Type", services.ExportContentType(format))
	c.Header("Content-Disposition", `attachment; filename="`+list+`.`+format+`"`)
	title := func(col services.ViewColumn) string { return columnTitle(lang, list, col) }
	if err := u.Services.WriteView(ctx, user, list, spec, format, name, title, c.Writer); err != nil {
		if !c.Writer.Written() {
			c.Writer.Header().Del("Content-Disposition")
			c.Writer.Header().Del("Content-Type")
			u.fail(c, err)
			return
		}
		u.Log.WarnContext(ctx, "export cut short", "list", list, "error", err)
	}
}

// viewDefault makes a view the one a role opens its list with (role=,
// clear=1 to stop).
func (u *UI) viewDefault(c *gin.Context) {
	ctx, user := c.Request.Context(), me(c)
	v, err := u.Services.View(ctx, user, c.Param("id"))
	if err == nil {
		view := v.ID
		if c.PostForm("clear") != "" {
			view = ""
		}
		err = u.Services.SetViewDefault(ctx, user, v.List, c.PostForm("role"), view)
	}
	if errors.Is(err, refusal.ErrInvalid) {
		c.String(http.StatusUnprocessableEntity, strings.Join(refusalLines(language(c), err), "\n"))
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, listPaths[v.List]+"?view="+url.QueryEscape(v.ID))
}
