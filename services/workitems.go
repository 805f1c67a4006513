package services

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

// WorkItems lists the work items me may see; the assignee "me" is me's own
// work. The search (f.Q: a part of the client's name or of the item's
// title) is trimmed, its runs of white space made one space, and bounded as
// any request parameter, as are the conveyor and the stage.
func (s *Services) WorkItems(ctx context.Context, me store.User, f store.ItemFilter) ([]store.WorkItem, string, error) {
	if f.Assignee == "me" {
		f.Assignee = me.Login
	}
	f.Q = strings.Join(strings.Fields(f.Q), " ")
	var bad limits.Checks
	bad.Add(limits.Parameter, "q", &f.Q)
	bad.Add(limits.Parameter, "definition", &f.Definition)
	bad.Add(limits.Parameter, "stage", &f.Stage)
	if err := invalid("the search is invalid", bad); err != nil {
		return nil, "", err
	}
	return s.Store.WorkItems(ctx, viewerOf(me), f)
}

// WorkItem is a work item me may see (its own, of someone below me, or of a
// client me sees); any other is not found.
func (s *Services) WorkItem(ctx context.Context, me store.User, id string) (store.WorkItem, error) {
	return s.Store.VisibleWorkItem(ctx, viewerOf(me), id)
}

// mayAct tells whether me may act on (complete, hand over) item: its
// assignee, a supervisor above them, or an admin.
func (s *Services) mayAct(ctx context.Context, me store.User, item store.WorkItem) (bool, error) {
	if me.Has(store.RoleAdmin) || item.Assignee == me.Login {
		return true, nil
	}
	return s.Store.IsAbove(ctx, me.Login, item.Assignee)
}

// mayReassign tells whether me may hand item over: a supervisor above its
// assignee or an admin. The assignee cannot pass their own work on.
func (s *Services) mayReassign(ctx context.Context, me store.User, item store.WorkItem) (bool, error) {
	// A manager's own item stays theirs (nobody is below them to take it);
	// a supervisor who took an item, or had it handed to them, may pass it
	// on again.
	if item.Assignee == me.Login && !me.Has(store.RoleAdmin) && !me.Has(store.RoleSupervisor) {
		return false, nil
	}
	return s.mayAct(ctx, me, item)
}

// actable is a work item me may see and act on. One me may not see is not
// found; one me sees (through its client) but may not act on is forbidden.
func (s *Services) actable(ctx context.Context, me store.User, id string) (store.WorkItem, error) {
	w, err := s.WorkItem(ctx, me, id)
	if err != nil {
		return w, err
	}
	ok, err := s.mayAct(ctx, me, w)
	if err == nil && !ok {
		err = refusal.New(refusal.ErrForbidden, "only the assignee, a supervisor above them or an admin acts on this work item")
	}
	return w, err
}

// StartWorkItem moves an item from attention to in progress: its assignee
// has opened it. Only the assignee starts it: a supervisor or an admin
// looking at someone's work must not make it look taken up.
func (s *Services) StartWorkItem(ctx context.Context, me store.User, id string) (store.WorkItem, error) {
	w, err := s.WorkItem(ctx, me, id)
	if err != nil {
		return w, err
	}
	if w.Assignee != me.Login {
		return w, refusal.New(refusal.ErrForbidden, "only its assignee starts a work item")
	}
	return s.Store.StartWorkItem(ctx, id)
}

// CompleteWorkItem sends the completion of an item me may act on to its
// process's workflow, which validates the data, closes the item and opens
// the next in one step. Whether the item is still open is the workflow's
// to say: the read model may be a step ahead after a crash, and a retry
// with the same updateID must get its first answer.
func (s *Services) CompleteWorkItem(ctx context.Context, me store.User, id string, data json.RawMessage,
	next workflows.NextOverride, updateID string) (workflows.CompleteResult, error) {
	w, err := s.actable(ctx, me, id)
	if err != nil {
		return workflows.CompleteResult{}, err
	}
	if len(data) > definitions.MaxDataBytes {
		return workflows.CompleteResult{}, refusal.Invalid(fmt.Sprintf("completion data larger than %d bytes", definitions.MaxDataBytes),
			refusal.FieldError{Path: "/data", Message: "too large"})
	}
	return s.complete(ctx, w, workflows.CompleteRequest{Data: data, By: me.Login, Next: next}, updateID)
}

// ReassignWorkItem hands an open item over to the user to, with a note:
// me is a supervisor above its assignee or an admin, and to is someone me
// may give the process's work to. It returns the item as it is then.
func (s *Services) ReassignWorkItem(ctx context.Context, me store.User, id, to, note, updateID string) (store.WorkItem, error) {
	w, err := s.WorkItem(ctx, me, id)
	if err != nil {
		return w, err
	}
	ok, err := s.mayReassign(ctx, me, w)
	if err != nil {
		return w, err
	}
	if !ok {
		return w, refusal.New(refusal.ErrForbidden, "only a supervisor above the assignee, or an admin, reassigns work")
	}
	if bad := limits.Note.Check("/note", note); bad != nil {
		return w, refusal.Invalid(bad.Error(), refusal.FieldError{Path: bad.Path, Message: bad.Message()})
	}
	if !w.Open() {
		return w, refusal.New(refusal.ErrConflict, "work item %s is %s", w.ID, w.State)
	}
	if err := s.checkTarget(ctx, me, w.ProcessID, to); err != nil {
		return w, err
	}
	if err := s.reassign(ctx, w, to, me.Login, note, updateID); err != nil {
		return w, err
	}
	return s.Store.WorkItem(ctx, w.ID)
}

// Escalations lists the escalations addressed to me (admins: all).
func (s *Services) Escalations(ctx context.Context, me store.User, state string, page store.Page) ([]store.Escalation, string, error) {
	return s.Store.Escalations(ctx, viewerOf(me), state, page)
}
