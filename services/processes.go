package services

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

// Processes lists the processes me may see.
// The search (a part of the client's name or the business key) is trimmed,
// its runs of white space made one space, and bounded as any request
// parameter.
func (s *Services) Processes(ctx context.Context, me store.User, f store.ProcessFilter) ([]store.Process, string, error) {
	f.Q = strings.Join(strings.Fields(f.Q), " ")
	var bad limits.Checks
	bad.Add(limits.Parameter, "q", &f.Q)
	if err := invalid("the search is invalid", bad); err != nil {
		return nil, "", err
	}
	return s.Store.Processes(ctx, viewerOf(me), f)
}

// ProcessDetail is a process with its history: its work items in order.
type ProcessDetail struct {
	store.Process
	History []store.WorkItem `json:"history"`
}

// Process is a process me may see, with its history; one they may not is
// not found, so that its existence does not leak.
func (s *Services) Process(ctx context.Context, me store.User, id string) (ProcessDetail, error) {
	p, err := s.visibleProcess(ctx, me, id)
	if err != nil {
		return ProcessDetail{}, err
	}
	items, err := s.Store.ProcessItems(ctx, p.ID)
	return ProcessDetail{Process: p, History: items}, err
}

func (s *Services) visibleProcess(ctx context.Context, me store.User, id string) (store.Process, error) {
	ok, err := s.Store.CanSeeProcess(ctx, viewerOf(me), id)
	if err == nil && !ok {
		err = fmt.Errorf("process %s: %w", id, refusal.ErrNotFound)
	}
	if err != nil {
		return store.Process{}, err
	}
	return s.Store.Process(ctx, id)
}

// mayManage tells whether u may cancel processes and move them on:
// supervisors and admins, for the processes they see.
func mayManage(u store.User) bool {
	return u.Has(store.RoleAdmin) || u.Has(store.RoleSupervisor)
}

// managed is a running process me may cancel or move on.
func (s *Services) managed(ctx context.Context, me store.User, id string) (store.Process, error) {
	p, err := s.visibleProcess(ctx, me, id)
	if err != nil {
		return p, err
	}
	if !mayManage(me) {
		return p, refusal.New(refusal.ErrForbidden, "only a supervisor or an admin cancels or moves on a process")
	}
	if p.State != store.ProcessRunning {
		return p, refusal.New(refusal.ErrConflict, "process %s is %s", p.ID, p.State)
	}
	return p, nil
}

// CancelProcess ends a running process me may manage, for reason (a
// required text, kept and shown with the process), and returns it as it is
// then.
func (s *Services) CancelProcess(ctx context.Context, me store.User, id, reason, updateID string) (store.Process, error) {
	if _, err := s.managed(ctx, me, id); err != nil {
		return store.Process{}, err
	}
	reason = strings.TrimSpace(reason)
	var bad limits.Checks
	bad.Add(limits.CancelReason, "/reason", &reason)
	if err := invalid("a cancellation needs its reason", bad); err != nil {
		return store.Process{}, err
	}
	if err := s.cancel(ctx, id, me.Login, reason, updateID); err != nil {
		return store.Process{}, err
	}
	return s.Store.Process(ctx, id)
}

// MoveProcess moves a process me may manage on past a rule of its
// definition that failed (or any time it must not wait): its open item, if
// any, is closed by me and stage to opened for assignee (someone me may
// give the process's work to), or end to reached.
func (s *Services) MoveProcess(ctx context.Context, me store.User, id, to, assignee, updateID string) (workflows.CompleteResult, error) {
	if _, err := s.managed(ctx, me, id); err != nil {
		return workflows.CompleteResult{}, err
	}
	if to == "" {
		return workflows.CompleteResult{}, refusal.Invalid("to is required", refusal.FieldError{Path: "/to", Message: "a stage or an end"})
	}
	if assignee != "" {
		if err := s.checkTarget(ctx, me, id, assignee); err != nil {
			return workflows.CompleteResult{}, err
		}
	}
	return s.move(ctx, id, to, assignee, me.Login, updateID)
}

// ProcessActions are what me may do on a process, for a page to offer.
type ProcessActions struct {
	ClientName string
	// MayManage: me may cancel the process or move it on, to one of Stops
	// and (for a stage) one of Movers.
	MayManage bool
	Stops     []Stop
	Movers    []store.User
	// MayReassign: me may hand the open item, if any, to one of Assignees.
	MayReassign bool
	Assignees   []store.User
}

// Stop is a stage or an end a process may be moved on to.
type Stop struct {
	ID, Title string
	End       bool
}

// ProcessActions tells what me may do on the process d (from Process).
func (s *Services) ProcessActions(ctx context.Context, me store.User, d ProcessDetail) (ProcessActions, error) {
	var a ProcessActions
	if d.Client != "" { // the process may have no work item yet to carry the name
		cl, err := s.Store.Client(ctx, store.Viewer{Admin: true}, d.Client)
		if err != nil {
			return a, err
		}
		a.ClientName = cl.Name
	}
	var err error
	if a.MayManage = mayManage(me) && d.State == store.ProcessRunning; a.MayManage {
		if a.Stops, err = s.stops(ctx, d.Process); err != nil {
			return a, err
		}
		if a.Movers, err = s.targets(ctx, me, d.Process); err != nil {
			return a, err
		}
	}
	for _, w := range d.History {
		if !w.Open() {
			continue
		}
		if a.MayReassign, err = s.mayReassign(ctx, me, w); err != nil || !a.MayReassign {
			return a, err
		}
		all, err := s.targets(ctx, me, d.Process)
		// Handing over to the one who has the item changes nothing: they
		// are not offered.
		a.Assignees = slices.DeleteFunc(all, func(u store.User) bool { return u.Login == w.Assignee })
		return a, err
	}
	return a, nil
}

// stops lists the stages and ends of the process's version.
func (s *Services) stops(ctx context.Context, p store.Process) ([]Stop, error) {
	v, err := s.Store.DefinitionVersion(ctx, p.Definition, p.Version)
	if err != nil || v.Plan == nil {
		return nil, err
	}
	var out []Stop
	for _, id := range slices.Sorted(maps.Keys(v.Plan.Stages)) {
		out = append(out, Stop{ID: id, Title: v.Plan.Stages[id].Title})
	}
	for _, id := range slices.Sorted(maps.Keys(v.Plan.Ends)) {
		out = append(out, Stop{ID: id, Title: v.Plan.Ends[id].Title, End: true})
	}
	return out, nil
}

// ProcessFilters are what a list of processes may be narrowed to: the
// definitions and the users.
func (s *Services) ProcessFilters(ctx context.Context, me store.User) ([]store.Version, []store.User, error) {
	defs, err := s.Definitions(ctx, me)
	if err != nil {
		return nil, nil, err
	}
	users, err := s.Store.Users(ctx)
	return defs, users, err
}
