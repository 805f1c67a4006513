package services

import (
	"context"
	"fmt"
	"time"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

const (
	// CalendarDays is the longest range a calendar shows: a month's six
	// weeks.
	CalendarDays = 42
	// CalendarLimit is how many work items a calendar reads at most; a
	// range that holds more is cut, and says so.
	CalendarLimit = 2000
)

// Calendar lists the work items of assignee planned to start or due in
// [from, to), by planned start, as me may see them: assignee is me or
// someone below me (an admin: anyone). The range is at most CalendarDays
// long; cut tells that it held more than CalendarLimit items and only the
// first of them are returned.
func (s *Services) Calendar(ctx context.Context, me store.User, assignee string, from, to time.Time) (items []store.WorkItem, cut bool, err error) {
	if assignee == "" || assignee == "me" {
		assignee = me.Login
	}
	if v := limits.Login.Check("/assignee", assignee); v != nil {
		return nil, false, refusal.Invalid("assignee: "+v.Message(), refusal.FieldError{Path: v.Path, Message: v.Message()})
	}
	if from.IsZero() || to.IsZero() || !from.Before(to) || to.After(from.AddDate(0, 0, CalendarDays)) {
		return nil, false, refusal.Invalid(fmt.Sprintf("a calendar's range is a start before its end, at most %d days apart", CalendarDays),
			refusal.FieldError{Path: "/date", Message: "out of range"})
	}
	if err := s.maySeeWorkOf(ctx, me, assignee); err != nil {
		return nil, false, err
	}
	f := store.ItemFilter{Assignee: assignee, From: from, To: to, Page: store.Page{Limit: 200}}
	for {
		page, next, err := s.Store.WorkItems(ctx, viewerOf(me), f)
		if err != nil {
			return nil, false, err
		}
		items = append(items, page...)
		if len(items) > CalendarLimit {
			return items[:CalendarLimit], true, nil
		}
		if next == "" {
			return items, false, nil
		}
		f.After = next
	}
}

// CalendarAssignees are whose calendars me may open: me and everyone below
// me who is active (an admin: every active user), by login.
func (s *Services) CalendarAssignees(ctx context.Context, me store.User) ([]store.User, error) {
	return s.Store.Assignees(ctx, viewerOf(me), "", "")
}

// maySeeWorkOf refuses me a look at the whole of login's work unless login
// is me, someone below me, or me is an admin. The items of a client me
// sees through a grant are no licence to read a stranger's calendar.
func (s *Services) maySeeWorkOf(ctx context.Context, me store.User, login string) error {
	if login == me.Login || me.Has(store.RoleAdmin) {
		return nil
	}
	above, err := s.Store.IsAbove(ctx, me.Login, login)
	if err != nil {
		return err
	}
	if !above {
		return refusal.New(refusal.ErrForbidden, "only %s, someone above them or an admin sees their calendar", login)
	}
	return nil
}
