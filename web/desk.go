package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/funnel"
)

// The desktop: the start page after sign-in.

func (u *UI) deskRoutes(s *gin.RouterGroup) {
	s.GET("/desk", u.desk)
	s.POST("/desk/pins", u.pinPost)
	s.POST("/desk/pins/:id/delete", u.unpinPost)
	s.POST("/desk/pins/:id/move", u.movePinPost)
}

type deskTile struct {
	Key, Href string
	Count     int
}

type deskPin struct {
	services.Pin
	Href, Count, Chart string
	First, Last        bool
}

type deskPage struct {
	Tiles       []deskTile
	Pins        []deskPin
	Team        []services.Load
	TeamHref    func(login, which string) string
	Definitions []services.Version
}

func (u *UI) desk(c *gin.Context) {
	ctx, user, lang := c.Request.Context(), me(c), language(c)
	d, err := u.Services.Desk(ctx, user)
	if err != nil {
		u.fail(c, err)
		return
	}
	var page deskPage
	for _, t := range d.Tiles {
		page.Tiles = append(page.Tiles, deskTile{Key: t.Key, Count: t.Count, Href: viewLink(services.ListWorkItems, t.Spec)})
	}
	for i, p := range d.Pins {
		dp := deskPin{Pin: p, First: i == 0, Last: i == len(d.Pins)-1}
		switch {
		case p.Error != "":
		case p.Kind == "funnel":
			dp.Href = "/analytics?definition=" + p.Definition
			v, _, err := u.Services.Definition(ctx, user, p.Definition)
			if err != nil {
				u.fail(c, err)
				return
			}
			dp.Title = v.Plan.TitleIn(lang)
			bars := make([]funnel.Stage, len(p.Funnel.Stages))
			for i, s := range p.Funnel.Stages {
				bars[i] = funnel.Stage{Title: v.Plan.Stages[s.Stage].TitleIn(lang), Reached: s.Reached, Left: s.Left}
			}
			dp.Chart = funnel.Render(bars, fmt.Sprintf(translate(lang, "an.chart"), dp.Title))
		default:
			dp.Href = listPaths[p.List] + "?view=" + p.View
			dp.Count = showNumber(lang, strconv.Itoa(p.Count))
			if p.Capped {
				dp.Count += "+"
			}
		}
		page.Pins = append(page.Pins, dp)
	}
	page.Team = d.Team
	if len(d.Team) > 0 {
		// Each figure of a person's load opens the work it counts.
		page.TeamHref = func(login, which string) string {
			conds := []services.ViewFilter{{Column: "assignee", Op: "eq", Value: login}}
			switch which {
			case "attention":
				conds = append(conds, services.ViewFilter{Column: "state", Op: "eq", Value: "attention"})
			case "overdue":
				conds = append(conds, services.ViewFilter{Column: "state", Op: "in", Value: []any{"attention", "in_progress"}},
					services.ViewFilter{Column: "overdue", Op: "eq", Value: true})
			default:
				conds = append(conds, services.ViewFilter{Column: "state", Op: "in", Value: []any{"attention", "in_progress"}})
			}
			return viewLink(services.ListWorkItems, services.ViewSpec{Columns: []string{"title", "client", "stage", "plannedStart", "due", "overdue"},
				Filter: &services.ViewFilter{All: conds}, Sort: []services.ViewSortKey{{Column: "due"}}})
		}
	}
	if page.Definitions, err = u.Services.Definitions(ctx, user); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "desk", translate(lang, "d.title"), page)
}

// pinPost pins a view (view=) or a funnel (definition=).
func (u *UI) pinPost(c *gin.Context) {
	ctx, user := c.Request.Context(), me(c)
	var err error
	if view := c.PostForm("view"); view != "" {
		_, err = u.Services.PinView(ctx, user, view)
	} else {
		_, err = u.Services.PinFunnel(ctx, user, c.PostForm("definition"))
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk")
}

func formPin(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, refusal.ErrNotFound
	}
	return id, nil
}

func (u *UI) unpinPost(c *gin.Context) {
	id, err := formPin(c)
	if err == nil {
		err = u.Services.Unpin(c.Request.Context(), me(c), id)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk")
}

// movePinPost moves a pin up (by=-1) or down (by=1).
func (u *UI) movePinPost(c *gin.Context) {
	id, err := formPin(c)
	if err == nil {
		by, _ := strconv.Atoi(c.PostForm("by"))
		err = u.Services.MovePin(c.Request.Context(), me(c), id, by)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/desk")
}
