package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// The calendar's views, the first the default.
var calendarViews = []string{"week", "day", "month"}

// calEntry is one mark on a day: a work item's planned start or, as a mark
// of its own, its deadline.
type calEntry struct {
	ID, Title, Client, State string
	At                       time.Time
	Time                     string // At as the page shows it, in the UI's location
	Deadline                 bool   // the item's deadline, not its planned start
	Attention, Overdue       bool
}

type calDay struct {
	Date    string // YYYY-MM-DD, for ids and links
	Label   string // "Wed, 2 Dec"
	Today   bool
	Outside bool // a day of a month's grid outside the month
	Entries []calEntry
}

type calLink struct {
	View, Href string
	Current    bool
}

type calendarPage struct {
	View, Date, Assignee string
	Assignees            []services.User
	Heading              string
	Prev, Next, Today    string
	Views                []calLink
	Days                 []calDay
	Count                int // of work items shown
	Truncated            bool
	Limit                int
	Error                string
}

func (u *UI) calendarRoutes(s *gin.RouterGroup) {
	s.GET("/calendar", u.calendar)
}

// calendar shows the work items of the signed-in user, or of someone below
// them, on the days they are planned to start, with their deadlines as
// marks of their own: a day, a week (the default, today's) or a month in
// the UI's location.
func (u *UI) calendar(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	user := me(c)
	page := calendarPage{View: c.Query("view"), Date: c.Query("date"), Assignee: c.Query("assignee"), Limit: services.CalendarLimit}
	if !slices.Contains(calendarViews, page.View) {
		page.View = calendarViews[0]
	}
	if page.Assignee == "" {
		page.Assignee = user.Login
	}
	now := time.Now()
	today := dayOf(now, u.Location)
	day := today
	status := http.StatusOK
	if page.Date != "" {
		d, err := time.ParseInLocation(time.DateOnly, page.Date, u.Location)
		if err != nil {
			// The form keeps what was typed, to be put right.
			page.Error, status = translate(lang, "cal.baddate"), http.StatusUnprocessableEntity
		} else {
			day = d
		}
	}
	if page.Error == "" {
		page.Date = day.Format(time.DateOnly)
	}

	// Whose calendars the user may open; the chosen one first asks the
	// services, which refuse a stranger's.
	var err error
	if page.Assignees, err = u.Services.CalendarAssignees(ctx, user); err != nil {
		u.fail(c, err)
		return
	}
	if page.Error != "" {
		u.render(c, status, "calendar", translate(lang, "cal.title"), page)
		return
	}

	from, to, prev, next := calendarRange(page.View, day)
	items, cut, err := u.Services.Calendar(ctx, user, page.Assignee, from, to)
	switch {
	case errors.Is(err, refusal.ErrInvalid):
		page.Error = translate(lang, "cal.baddate")
		u.render(c, http.StatusUnprocessableEntity, "calendar", translate(lang, "cal.title"), page)
		return
	case err != nil:
		u.fail(c, err) // a stranger's calendar is not found
		return
	}
	page.Truncated, page.Count = cut, len(items)

	link := func(view string, d time.Time) string {
		q := url.Values{}
		q.Set("view", view)
		if !d.IsZero() {
			q.Set("date", d.Format(time.DateOnly))
		}
		if page.Assignee != user.Login {
			q.Set("assignee", page.Assignee)
		}
		return "/calendar?" + q.Encode()
	}
	page.Prev, page.Next, page.Today = link(page.View, prev), link(page.View, next), link(page.View, time.Time{})
	for _, v := range []string{"day", "week", "month"} {
		page.Views = append(page.Views, calLink{View: v, Href: link(v, day), Current: v == page.View})
	}
	page.Heading = calendarHeading(page.View, day, from, to, lang)

	if err := u.stageTitles(ctx, items, lang); err != nil {
		u.fail(c, err)
		return
	}
	page.Days = calendarDays(items, from, to, day, today, page.View, now, u.Location, lang)
	u.render(c, http.StatusOK, "calendar", translate(lang, "cal.title"), page)
}

// dayOf is the midnight that starts t's day in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// calendarRange is the days view shows around day, [from, to), and the
// days the previous and the next pages show: a day; the week from Monday;
// a month's weeks from the Monday on or before its first to the Sunday on
// or after its last (at most six weeks, services.CalendarDays).
func calendarRange(view string, day time.Time) (from, to, prev, next time.Time) {
	monday := func(d time.Time) time.Time { return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) }
	switch view {
	case "day":
		return day, day.AddDate(0, 0, 1), day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)
	case "month":
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, day.Location())
		last := first.AddDate(0, 1, -1)
		end := monday(last).AddDate(0, 0, 7)
		return monday(first), end, first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
	}
	from = monday(day)
	return from, from.AddDate(0, 0, 7), from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
}

// calendarDays lays the items out on the days of [from, to): each on the
// day of its planned start and, as a deadline mark, on the day of its
// deadline, those of a day by time (a start before a deadline at the same
// minute).
func calendarDays(items []services.WorkItem, from, to, day, today time.Time, view string, now time.Time,
	loc *time.Location, lang string) []calDay {
	var days []calDay
	index := map[string]int{}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		index[key] = len(days)
		days = append(days, calDay{Date: key, Label: dayLabel(d, lang), Today: d.Equal(today),
			Outside: view == "month" && d.Month() != day.Month()})
	}
	place := func(w services.WorkItem, at time.Time, deadline bool) {
		i, ok := index[at.In(loc).Format(time.DateOnly)]
		if !ok {
			return
		}
		days[i].Entries = append(days[i].Entries, calEntry{ID: w.ID, Title: w.Title, Client: w.ClientName, State: w.State,
			At: at, Time: at.In(loc).Format("15:04"), Deadline: deadline, Attention: w.State == "attention",
			Overdue: w.Overdue || w.Open() && w.Due != nil && w.Due.Before(now)})
	}
	for _, w := range items {
		place(w, w.PlannedStart, false)
		if w.Due != nil {
			place(w, *w.Due, true)
		}
	}
	for i := range days {
		slices.SortStableFunc(days[i].Entries, func(a, b calEntry) int {
			if c := a.At.Compare(b.At); c != 0 {
				return c
			}
			if a.Deadline != b.Deadline {
				if a.Deadline {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return days
}

// dayLabel is a day as a calendar's heading of it reads: "Wed, 2 Dec".
func dayLabel(d time.Time, lang string) string {
	return translate(lang, "cal.wd."+strconv.Itoa((int(d.Weekday())+6)%7+1)) + ", " + strconv.Itoa(d.Day()) + " " +
		translate(lang, "cal.mon."+strconv.Itoa(int(d.Month())))
}

// calendarHeading names the page's days: the day, the week's first and last
// day, or the month.
func calendarHeading(view string, day, from, to time.Time, lang string) string {
	year := strconv.Itoa(day.Year())
	switch view {
	case "day":
		return dayLabel(day, lang) + " " + year
	case "month":
		return translate(lang, "cal.month."+strconv.Itoa(int(day.Month()))) + " " + year
	}
	last := to.AddDate(0, 0, -1)
	short := func(d time.Time) string {
		return strconv.Itoa(d.Day()) + " " + translate(lang, "cal.mon."+strconv.Itoa(int(d.Month())))
	}
	if from.Year() != last.Year() {
		return short(from) + " " + strconv.Itoa(from.Year()) + " – " + short(last) + " " + strconv.Itoa(last.Year())
	}
	return short(from) + " – " + short(last) + " " + strconv.Itoa(last.Year())
}
