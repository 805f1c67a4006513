package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
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
