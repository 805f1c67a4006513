package services

import (
	"context"
	"errors"
	"fmt"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Who may receive work handed over, or a process moved on: the rule for
// reassigning an item and for the executor named when moving a process.
//
// The new assignee must be the one handing over or someone below them in
// the hierarchy (an admin may choose anyone): a supervisor hands out work
// to their own people, and cannot push it into another team's queue, nor
// past the visibility rule to a user who then reads the process. And they
// must be allowed to see the process's client, as a team pick or a
// completer's choice must, since the item shows the client and its
// variables.

// checkTarget refuses, as a *refusal.Error naming /assignee, giving work
// of the process to the user to on me's word.
func (s *Services) checkTarget(ctx context.Context, me store.User, processID, to string) error {
	if v := limits.Login.Check("/assignee", to); v != nil {
		return assigneeRefusal(v.Message())
	}
	target, err := s.Store.User(ctx, to)
	if errors.Is(err, refusal.ErrNotFound) || (err == nil && !target.Active) {
		return assigneeRefusal(fmt.Sprintf("%q is not an active user", to))
	}
	if err != nil {
		return err
	}
	p, err := s.Store.Process(ctx, processID)
	if err != nil {
		return err
	}
	ok, err := s.Store.Assignees(ctx, viewerOf(me), p.Client, to)
	if err != nil {
		return err
	}
	if len(ok) == 0 {
		return assigneeRefusal(fmt.Sprintf("%s cannot take this work: it goes to you or someone below you who may see the process's client", to))
	}
	return nil
}

// targets lists the users me may give the process's work to, for a form's
// choices.
func (s *Services) targets(ctx context.Context, me store.User, p store.Process) ([]store.User, error) {
	return s.Store.Assignees(ctx, viewerOf(me), p.Client, "")
}

func assigneeRefusal(why string) *refusal.Error {
	return refusal.Invalid("assignee: "+why, refusal.FieldError{Path: "/assignee", Message: why})
}

func viewerOf(u store.User) store.Viewer {
	return store.Viewer{Login: u.Login, Admin: u.Has(store.RoleAdmin)}
}
