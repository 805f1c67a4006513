package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// setAbsence records that a user is away (from the first day to the last,
// both whole days in the UI's zone) and who takes their new work, or
// clears it (clear=true).
func (u *UI) setAbsence(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	var a *services.Absence
	if c.PostForm("clear") != "true" {
		p.Form.From, p.Form.Until, p.Form.Deputy = c.PostForm("from"), c.PostForm("until"), c.PostForm("deputy")
		lang := language(c)
		from, errFrom := time.ParseInLocation(dateLayout, p.Form.From, u.Location)
		until, errUntil := time.ParseInLocation(dateLayout, p.Form.Until, u.Location)
		if errFrom != nil {
			p.Errors["from"] = translate(lang, "org.e.date")
		}
		if errUntil != nil {
			p.Errors["until"] = translate(lang, "org.e.date")
		}
		if len(p.Errors) > 0 {
			u.renderUser(c, http.StatusUnprocessableEntity, p)
			return
		}
		a = &services.Absence{Deputy: p.Form.Deputy, From: from, Until: until.AddDate(0, 0, 1)}
	}
	if _, err := u.Services.SetAbsence(c.Request.Context(), me(c), p.Subject.Login, a); err != nil {
		u.refused(c, p, err)
		return
	}
	done := "absence"
	if a == nil {
		done = "absencecleared"
	}
	c.Redirect(http.StatusSeeOther, userPath(p.Subject.Login)+"?done="+done)
}

// transferPage is the step before a portfolio moves: what will move, from
// whom to whom, and the button that moves it.
type transferPage struct {
	From, To          services.User
	Clients           []services.Client
	MoreClients       bool
	Items             []services.WorkItem
	MoreItems         bool
	ClientCount, Open int
}

// transferLimit is how many clients and work items the confirmation names.
const transferLimit = 200

// confirmTransfer shows what giving a user's portfolio to another (?to=)
// will move.
func (u *UI) confirmTransfer(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	to := c.Query("to")
	p.Form.To = to
	var target services.User
	for _, usr := range p.users {
		if usr.Login == to {
			target = usr
		}
	}
	if target.Login == "" {
		p.Errors["to"] = translate(language(c), "org.e.to")
		u.renderUser(c, http.StatusUnprocessableEntity, p)
		return
	}
	ctx, by := c.Request.Context(), me(c)
	t := transferPage{From: p.Subject, To: target}
	var next string
	if t.Clients, next, err = u.Services.Clients(ctx, by, services.ClientFilter{Owner: p.Subject.Login, Page: services.Page{Limit: transferLimit}}); err != nil {
		u.fail(c, err)
		return
	}
	t.MoreClients = next != ""
	for _, state := range []string{"attention", "in_progress"} {
		items, next, err := u.Services.WorkItems(ctx, by, services.ItemFilter{Assignee: p.Subject.Login, State: state, Page: services.Page{Limit: transferLimit}})
		if err != nil {
			u.fail(c, err)
			return
		}
		t.Items = append(t.Items, items...)
		t.MoreItems = t.MoreItems || next != ""
	}
	t.ClientCount, t.Open = len(t.Clients), len(t.Items)
	u.render(c, http.StatusOK, "organisation-transfer", fmt.Sprintf(translate(language(c), "org.transfer.title"), label(p.Subject)), t)
}

// transfer moves a user's clients and open work to another user, then
// says how many moved.
func (u *UI) transfer(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	p.Form.To = strings.TrimSpace(c.PostForm("to"))
	moved, err := u.Services.TransferPortfolio(c.Request.Context(), me(c), p.Subject.Login, p.Form.To)
	if err != nil {
		u.refused(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?done=transfer&to=%s&clients=%d&items=%d",
		userPath(p.Subject.Login), url.QueryEscape(p.Form.To), moved.Clients, moved.WorkItems))
}
