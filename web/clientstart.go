package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/form"
)

// startPage starts a process of one conveyor for a client: its variables
// as a form built from the definition's variables schema, as completion
// forms are built from a stage's.
type startPage struct {
	Client     services.Client
	Definition services.Version
	Fields     []form.Field
	Errors     []string
}

// clientStartChoose takes the card's choice of a conveyor to its start
// page.
func (u *UI) clientStartChoose(c *gin.Context) {
	def := c.Query("definition")
	if def == "" {
		c.Redirect(http.StatusSeeOther, "/clients/"+url.PathEscape(c.Param("id"))+"?tab=processes")
		return
	}
	c.Redirect(http.StatusSeeOther, "/clients/"+url.PathEscape(c.Param("id"))+"/start/"+url.PathEscape(def))
}

// loadStart reads what the start page shows; false when it answered.
func (u *UI) loadStart(c *gin.Context) (*startPage, bool) {
	ctx := c.Request.Context()
	user := me(c)
	if !services.MayStartProcesses(user) {
		u.fail(c, refusal.ErrNotFound)
		return nil, false
	}
	cl, err := u.Services.Client(ctx, user, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	v, _, err := u.Services.Definition(ctx, user, c.Param("definition"))
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	fields, err := form.FieldsIn(v.Plan.Variables, language(c))
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	return &startPage{Client: cl, Definition: v, Fields: fields}, true
}

func (u *UI) clientStartPage(c *gin.Context) {
	page, ok := u.loadStart(c)
	if !ok {
		return
	}
	u.render(c, http.StatusOK, "client-start", page.Definition.Title, page)
}

// clientStartPost starts the process with the variables given, and opens
// it; what the schema refuses comes back beside its field.
func (u *UI) clientStartPost(c *gin.Context) {
	page, ok := u.loadStart(c)
	if !ok {
		return
	}
	vars, values, convErrs, ok := u.posted(c, page.Fields)
	if !ok {
		return
	}
	if len(convErrs) > 0 {
		u.refuseStart(c, page, values, convErrs, nil)
		return
	}
	p, err := u.Services.StartProcess(c.Request.Context(), me(c), services.StartRequest{
		Definition: page.Definition.DefinitionID, Client: page.Client.ID, Variables: vars})
	var de definitions.DataError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/processes/"+url.PathEscape(p.ID))
	case errors.As(err, &de):
		fieldErrs := map[string]string{}
		for _, f := range de {
			fieldErrs[f.Path] = fieldText(language(c), f)
		}
		u.refuseStart(c, page, values, fieldErrs, nil)
	case errors.Is(err, refusal.ErrNotFound) || errors.Is(err, refusal.ErrForbidden):
		u.fail(c, err)
	case refusal.KindOf(err) != nil:
		u.refuseStart(c, page, values, nil, []string{err.Error()})
	default:
		u.fail(c, err)
	}
}

func (u *UI) refuseStart(c *gin.Context, page *startPage, values url.Values, fieldErrs map[string]string, general []string) {
	page.Fields, page.Errors = placeRefusal(page.Fields, values, fieldErrs, general)
	u.render(c, http.StatusUnprocessableEntity, "client-start", page.Definition.Title, page)
}
