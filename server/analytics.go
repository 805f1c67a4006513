package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// funnel is GET /analytics/funnel?definition=&from=&to=&sum= with dates
// (YYYY-MM-DD, to included; without them, the last 30 days) and a numeric
// form field to sum beside the counts.
func (s *Server) funnel(c *gin.Context) {
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -30)
	for _, d := range []struct {
		name string
		into *time.Time
		days int
	}{{"from", &from, 0}, {"to", &to, 1}} {
		if v := c.Query(d.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				problem(c, http.StatusUnprocessableEntity, "the period is given as dates", FieldError{Path: d.name, Message: "must be a date YYYY-MM-DD"})
				return
			}
			*d.into = t.AddDate(0, 0, d.days)
		}
	}
	f, err := s.Services.Funnel(c.Request.Context(), currentUser(c), c.Query("definition"), from, to, c.Query("sum"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}

// report is GET /analytics/report?definition=&version=&from=&to=&team=
// &segment=&group=&manager=&sum=&reasons=: the whole of a conveyor's
// analytics over a period (days in the deployment's zone, to included;
// the last 30 days without them), every parameter checked by the service
// with its path.
func (s *Server) report(c *gin.Context) {
	r, err := s.Services.Report(c.Request.Context(), currentUser(c), services.ReportParams{
		Definition: c.Query("definition"), Version: c.Query("version"), From: c.Query("from"), To: c.Query("to"),
		Team: c.Query("team"), Segment: c.Query("segment"), Group: c.Query("group"), Manager: c.Query("manager"),
		Sum: c.Query("sum"), Reasons: c.Query("reasons"),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
