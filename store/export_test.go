package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SeenBothWays is the ids of list's rows viewer may see by the visibility
// rule's predicate (what the plain lists use) and by its visible set (what
// views use), for the test that holds them equal.
func (s *Store) SeenBothWays(ctx context.Context, viewer Viewer, list string) (byRule, bySet []string, err error) {
	rule := map[string]string{ListWorkItems: itemVisible, ListProcesses: processVisible, ListClients: clientVisible}[list]
	rows, _ := s.pool.Query(ctx, viewerScope+grantScope+` SELECT `+listID[list]+listFrom[list]+` WHERE `+rule+` ORDER BY 1`, viewer.args(nil))
	if byRule, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, nil, err
	}
	rows, _ = s.pool.Query(ctx, viewerScope+grantScope+visibleSets[list]+` SELECT id FROM visible ORDER BY 1`, viewer.args(nil))
	bySet, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return byRule, bySet, err
}
