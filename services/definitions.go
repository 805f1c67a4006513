package services

import (
	"context"
	"errors"
	"fmt"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// MayPublish tells whether u may publish definitions: analysts and admins.
func MayPublish(u store.User) bool {
	return u.Has(store.RoleAnalyst) || u.Has(store.RoleAdmin)
}

// Intent is what a publication is meant to be, so that an editor opened
// on one definition cannot publish another under its name, nor a new one
// become a version of one that exists. The zero Intent publishes any.
type Intent struct {
	// Of, when set, is the definition the source must be a version of.
	Of string
	// New refuses a definition that exists already.
	New bool
	// DryRun only checks.
	DryRun bool
}

// IdentityError is the Cause of the problem of a definition whose id does
// not fit its Intent: it must stay Want, or ID exists already (Want "").
type IdentityError struct{ ID, Want string }

func (e *IdentityError) Error() string {
	if e.Want != "" {
		return fmt.Sprintf("the id must stay %q: to publish another definition, start a new one", e.Want)
	}
	return fmt.Sprintf("a definition %q exists already: publish a new version of it instead", e.ID)
}

// CheckDefinition compiles src for publishing by me as in says. Every
// problem comes back at once, as definitions.Problems with lines and
// columns, the id's fit to in among them.
func (s *Services) CheckDefinition(ctx context.Context, me store.User, src []byte, in Intent) (*definitions.Plan, error) {
	if !MayPublish(me) {
		return nil, refusal.New(refusal.ErrForbidden, "publishing a definition needs the role analyst or admin")
	}
	plan, err := definitions.Compile(src) // bounds src's size and shape before parsing
	if err != nil {
		return nil, err
	}
	var wrong *IdentityError
	switch {
	case in.Of != "" && plan.ID != in.Of:
		wrong = &IdentityError{ID: plan.ID, Want: in.Of}
	case in.New:
		_, err := s.Store.DefinitionVersion(ctx, plan.ID, 0)
		if err == nil {
			wrong = &IdentityError{ID: plan.ID}
		} else if !errors.Is(err, refusal.ErrNotFound) {
			return nil, err
		}
	}
	if wrong != nil {
		at := definitions.Locate(src, "/id")
		return nil, definitions.Problems{{Line: at.Line, Column: at.Column, Path: "/id", Message: wrong.Error(), Cause: wrong}}
	}
	return plan, nil
}

// Published is a definition checked and, unless it was a dry run,
// published: its version, whether that version is new (publishing what the
// latest holds changes nothing), and what compiled but is likely not meant.
type Published struct {
	Version  store.Version
	Created  bool
	Warnings definitions.Problems
}

// PublishDefinition checks src (CheckDefinition) and publishes it as the
// next version of its definition, unless in is a dry run.
func (s *Services) PublishDefinition(ctx context.Context, me store.User, src []byte, in Intent) (Published, error) {
	plan, err := s.CheckDefinition(ctx, me, src, in)
	if err != nil || in.DryRun {
		var out Published
		if plan != nil {
			out.Warnings = plan.Warnings
		}
		return out, err
	}
	v, created, err := s.Store.Publish(ctx, src, plan, me.Login)
	return Published{Version: v, Created: created, Warnings: plan.Warnings}, err
}

// Definitions lists the latest version of every definition. Every
// signed-in user may read definitions: processes are started and filtered
// by them.
func (s *Services) Definitions(ctx context.Context, _ store.User) ([]store.Version, error) {
	return s.Store.Definitions(ctx)
}

// Definition is the latest version of definition id, with its source and
// plan, and all its versions, newest first.
func (s *Services) Definition(ctx context.Context, _ store.User, id string) (store.Version, []store.Version, error) {
	latest, err := s.Store.DefinitionVersion(ctx, id, 0)
	if err != nil {
		return latest, nil, err
	}
	versions, err := s.Store.DefinitionVersions(ctx, id)
	return latest, versions, err
}

// DefinitionVersion is version n (from 1) of definition id.
func (s *Services) DefinitionVersion(ctx context.Context, _ store.User, id string, n int) (store.Version, error) {
	if n < 1 {
		return store.Version{}, refusal.New(refusal.ErrNotFound, "definition %s has no version %d", id, n)
	}
	return s.Store.DefinitionVersion(ctx, id, n)
}

// VersionPair is two versions of a definition to compare, and all its
// versions.
type VersionPair struct {
	From, To store.Version
	Versions []store.Version
}

// CompareVersions reads versions from and to of definition id; to 0 is
// the latest, from 0 the one before to.
func (s *Services) CompareVersions(ctx context.Context, me store.User, id string, from, to int) (VersionPair, error) {
	versions, err := s.Store.DefinitionVersions(ctx, id)
	if err == nil && len(versions) == 0 {
		err = refusal.New(refusal.ErrNotFound, "no definition %s", id)
	}
	if err != nil {
		return VersionPair{}, err
	}
	if to == 0 {
		to = versions[0].Version
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	pair := VersionPair{Versions: versions}
	if pair.From, err = s.DefinitionVersion(ctx, me, id, from); err == nil {
		pair.To, err = s.DefinitionVersion(ctx, me, id, to)
	}
	return pair, err
}
