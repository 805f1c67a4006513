package processes

import (
	"context"
	"errors"
	"fmt"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Who may receive reassigned work. MayAct says who may move an item; these
// say to whom. The API and the web UI both ask here before the Update is
// sent, so a refused reassignment leaves no trace in the process's history.
//
// The new assignee must be the one reassigning or someone below them in the
// hierarchy (an admin may choose anyone): a supervisor hands out work to
// their own people, and cannot push it into another team's queue, nor past
// the visibility rule to a user who then reads the process. And they must
// be allowed to see the process's client, as a team pick or a completer's
// choice must, since the item shows the client and its variables.

// CheckReassign refuses, as a *refusal.Error naming /assignee, handing item over
// from me to the user to.
func CheckReassign(ctx context.Context, st *store.Store, me store.User, item store.WorkItem, to string) error {
	return CheckTarget(ctx, st, me, item.ProcessID, to)
}

// CheckTarget refuses giving work of the process to the user to on me's
// word: a reassignment, or a supervisor moving the process on.
func CheckTarget(ctx context.Context, st *store.Store, me store.User, processID, to string) error {
	if v := limits.Login.Check("/assignee", to); v != nil {
		return assigneeRefusal(v.Message())
	}
	target, err := st.User(ctx, to)
	if errors.Is(err, refusal.ErrNotFound) || (err == nil && !target.Active) {
		return assigneeRefusal(fmt.Sprintf("%q is not an active user", to))
	}
	if err != nil {
		return err
	}
	p, err := st.Process(ctx, processID)
	if err != nil {
		return err
	}
	ok, err := st.Assignees(ctx, viewerOf(me), p.Client, to)
	if err != nil {
		return err
	}
	if len(ok) == 0 {
		return assigneeRefusal(fmt.Sprintf("%s cannot take this work: it goes to you or someone below you who may see the process's client", to))
	}
	return nil
}

// ReassignTargets lists the users me may hand item over to, for a form's
// choices.
func ReassignTargets(ctx context.Context, st *store.Store, me store.User, item store.WorkItem) ([]store.User, error) {
	return Targets(ctx, st, me, item.ProcessID)
}

// Targets lists the users me may give the process's work to.
func Targets(ctx context.Context, st *store.Store, me store.User, processID string) ([]store.User, error) {
	p, err := st.Process(ctx, processID)
	if err != nil {
		return nil, err
	}
	return st.Assignees(ctx, viewerOf(me), p.Client, "")
}

func assigneeRefusal(why string) *refusal.Error {
	return &refusal.Error{Kind: refusal.ErrInvalid, Message: "assignee: " + why,
		Fields: []definitions.FieldError{{Path: "/assignee", Message: why}}}
}

func viewerOf(u store.User) store.Viewer {
	return store.Viewer{Login: u.Login, Admin: u.Has(store.RoleAdmin)}
}
