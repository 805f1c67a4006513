package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/funnel"
)

// analyticsPage is a conveyor's funnel over a period: the chart, and the
// table beside it for screen readers and copying.
type analyticsPage struct {
	Definitions   []services.Version
	Definition    string
	From, To      string // the period's first and last day, as the inputs show them
	Funnel        *services.Funnel
	Chart         string
	Error         string
	Titles        map[string]string // of the stages and ends, in the page's language
	ConveyorTitle string
}

// analytics shows the funnel of the chosen conveyor (the first one when
// none is chosen) over the chosen days, the last 30 by default.
func (u *UI) analytics(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	defs, err := u.Services.Definitions(ctx, me(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	page := analyticsPage{Definitions: defs, Definition: c.Query("definition"), Titles: map[string]string{}}
	if page.Definition == "" && len(defs) > 0 {
		page.Definition = defs[0].DefinitionID
	}
	today := time.Now().In(u.Location).Format(time.DateOnly)
	last, _ := time.Parse(time.DateOnly, today)
	page.From, page.To = last.AddDate(0, 0, -29).Format(time.DateOnly), today
	if v := c.Query("from"); v != "" {
		page.From = v
	}
	if v := c.Query("to"); v != "" {
		page.To = v
	}
	from, ferr := time.ParseInLocation(time.DateOnly, page.From, u.Location)
	to, terr := time.ParseInLocation(time.DateOnly, page.To, u.Location)
	status := http.StatusOK
	switch {
	case page.Definition == "":
	case ferr != nil || terr != nil:
		page.Error, status = translate(lang, "an.baddates"), http.StatusUnprocessableEntity
	default:
		f, err := u.Services.Funnel(ctx, me(c), page.Definition, from, to.AddDate(0, 0, 1), "")
		switch {
		case errors.Is(err, refusal.ErrInvalid):
			page.Error, status = translate(lang, "an.baddates"), http.StatusUnprocessableEntity
		case err != nil:
			u.fail(c, err)
			return
		default:
			page.Funnel = &f
			v, _, err := u.Services.Definition(ctx, me(c), page.Definition)
			if err != nil {
				u.fail(c, err)
				return
			}
			page.ConveyorTitle = v.Plan.TitleIn(lang)
			for id, st := range v.Plan.Stages {
				page.Titles[id] = st.TitleIn(lang)
			}
			for id, e := range v.Plan.Ends {
				page.Titles[id] = e.TitleIn(lang)
			}
			bars := make([]funnel.Stage, len(f.Stages))
			for i, s := range f.Stages {
				bars[i] = funnel.Stage{Title: page.Titles[s.Stage], Reached: s.Reached, Left: s.Left}
			}
			page.Chart = funnel.Render(bars, fmt.Sprintf(translate(lang, "an.chart"), page.ConveyorTitle))
		}
	}
	u.render(c, status, "analytics", translate(lang, "an.title"), page)
}

// spanText is a time in stage as people read it: minutes under an hour,
// hours under two days, days beyond; "—" when there is none.
func spanText(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	switch {
	case d <= 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int(d.Minutes())))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f d", d.Hours()/24)
}
