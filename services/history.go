package services

import (
	"context"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

// ProcessPlan is the plan of the version p runs (its stages' titles and
// forms, its ends' titles), for pages that show p's history in words; nil
// when the version has none. It is read-only: the caller has p from a
// method that checked who may see it.
func (s *Services) ProcessPlan(ctx context.Context, p store.Process) (*definitions.Plan, error) {
	v, err := s.Store.DefinitionVersion(ctx, p.Definition, p.Version)
	if err != nil {
		return nil, err
	}
	return v.Plan, nil
}
