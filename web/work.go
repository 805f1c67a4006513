package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
	"github.com/conveyorhq/conveyor/workflows"
)

type itemPage struct {
	Item      services.WorkItem
	Process   services.Process
	Client    string
	History   []services.WorkItem
	Fields    []form.Field
	Choices   []services.Choice // next executors the completer may name
	NextValue string
	Errors    []string // refusals not tied to a field
	Result    *workflows.CompleteResult
	MayAct    bool
	Conveyor  string // the title of the process's definition
	// Card is the client at hand: its card's link, contacts and primary
	// addresses; nil without a client or for a user who may not see it.
	Card *itemCard
}

// workItem shows a work item to those who may see it, with its form to
// those who may act on it; its assignee opening it moves it from attention
// to in progress.
func (u *UI) workItem(c *gin.Context) {
	view, err := u.Services.OpenWorkItem(c.Request.Context(), me(c), c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	page, err := newItemPage(view, language(c))
	if err == nil {
		page.Card, err = u.itemCard(c, view.Process.Client)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "item", page.Item.Title, page)
}

// loadItem gathers what the item page shows; what the user may not see is
// not found.
func (u *UI) loadItem(c *gin.Context) (*itemPage, bool) {
	view, err := u.Services.WorkItemView(c.Request.Context(), me(c), c.Param("id"))
	var page *itemPage
	if err == nil {
		page, err = newItemPage(view, language(c))
	}
	if err == nil {
		page.Card, err = u.itemCard(c, view.Process.Client)
	}
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	return page, true
}

func newItemPage(v services.ItemView, lang string) (*itemPage, error) {
	fields, err := form.FieldsIn(v.Form, lang)
	page := &itemPage{Item: v.Item, Process: v.Process, Client: v.Item.ClientName, History: v.History,
		Fields: fields, Choices: v.Choices, MayAct: v.MayAct, Conveyor: v.Conveyor}
	if v.Plan != nil { // the titles in the page's language, where written so
		page.Conveyor = v.Plan.TitleIn(lang)
		item := []services.WorkItem{page.Item}
		localizeItems(item, v.Plan, lang)
		page.Item = item[0]
		localizeItems(page.History, v.Plan, lang)
	}
	return page, err
}

// completePost completes the item from the form. The browser checks the
// form first; the server checks again, and its refusals are shown beside
// their fields with what the user typed.
func (u *UI) completePost(c *gin.Context) {
	page, ok := u.loadItem(c)
	if !ok {
		return
	}
	data, values, convErrs, ok := u.posted(c, page.Fields)
	if !ok {
		return
	}
	page.NextValue = values.Get("next")
	if len(convErrs) > 0 && page.MayAct {
		u.refuse(c, page, values, convErrs, nil)
		return
	}
	res, err := u.Services.CompleteWorkItem(c.Request.Context(), me(c), page.Item.ID, data,
		workflows.NextOverride{Assignee: page.NextValue}, "")
	var ref *refusal.Error
	switch {
	case errors.Is(err, refusal.ErrForbidden) || errors.Is(err, refusal.ErrNotFound):
		u.fail(c, err)
		return
	case errors.As(err, &ref) && errors.Is(ref, refusal.ErrInvalid):
		fieldErrs := map[string]string{}
		for _, f := range ref.Fields {
			fieldErrs[f.Path] = fieldText(language(c), f)
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

// posted reads a posted form: its values, the data they make for fields
// and what cannot be converted, by field; false when it answered.
func (u *UI) posted(c *gin.Context, fields []form.Field) (json.RawMessage, url.Values, map[string]string, bool) {
	if err := c.Request.ParseForm(); err != nil {
		u.fail(c, err)
		return nil, nil, nil, false
	}
	data, convErrs := form.Parse(fields, c.Request.PostForm, u.Location)
	return data, c.Request.PostForm, convErrs, true
}

// placeRefusal puts a form's refusals beside the fields they name, with
// what was typed; the rest, after general, come back to be shown above.
func placeRefusal(fields []form.Field, values url.Values, fieldErrs map[string]string, general []string) ([]form.Field, []string) {
	fields = form.WithErrors(fields, values, fieldErrs)
	errs := append(general, form.Unplaced(fields, fieldErrs)...)
	sort.Strings(errs[len(general):])
	return fields, errs
}

func (u *UI) refuse(c *gin.Context, page *itemPage, values url.Values, fieldErrs map[string]string, general []string) {
	page.Fields, page.Errors = placeRefusal(page.Fields, values, fieldErrs, general)
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
	_, err := u.Services.ReassignWorkItem(c.Request.Context(), me(c), page.Item.ID, c.PostForm("to"), c.PostForm("note"), "")
	var ref *refusal.Error
	switch {
	case errors.Is(err, refusal.ErrForbidden) || errors.Is(err, refusal.ErrNotFound):
		u.fail(c, err)
		return
	case errors.As(err, &ref):
		page.Errors = []string{ref.Message}
		u.render(c, http.StatusUnprocessableEntity, "item", page.Item.Title, page)
		return
	case err != nil:
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/processes/"+page.Item.ProcessID)
}
