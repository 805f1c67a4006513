package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Tree names the two directories of the organisation: market segments
// ("client roles") and product groups. Both are trees; a grant on a node
// covers its subtree.
type Tree string

const (
	Segments      Tree = "segments"
	ProductGroups Tree = "product_groups"
)

// Node is one entry of a tree. Kind is a segment's kind (geography,
// industry, activity); product groups have none.
type Node struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Parent string `json:"parent,omitempty"`
}

func (t Tree) kindColumn() string {
	if t == Segments {
		return "kind"
	}
	return "NULL::text"
}

// CreateNode adds a node; a duplicate id is a conflict, an unknown parent,
// a bad id or kind, or a cycle is invalid.
func (s *Store) CreateNode(ctx context.Context, t Tree, n Node) (Node, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if t == Segments {
			_, err = tx.Exec(ctx, `INSERT INTO segments (id, name, kind, parent) VALUES (@id, @name, @kind, @parent)`,
				pgx.NamedArgs{"id": n.ID, "name": n.Name, "kind": n.Kind, "parent": nullable(n.Parent)})
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO product_groups (id, name, parent) VALUES (@id, @name, @parent)`,
				pgx.NamedArgs{"id": n.ID, "name": n.Name, "parent": nullable(n.Parent)})
		}
		return mapConstraint(err, string(t)+" "+n.ID)
	})
	return n, err
}

// UpdateNode renames a node or moves it under another parent ("" = root).
func (s *Store) UpdateNode(ctx context.Context, t Tree, id string, name, parent *string) (Node, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var p any
		if parent != nil {
			p = nullable(*parent)
		}
		tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET name = coalesce(@name, name),
			parent = CASE WHEN @move THEN @parent::text ELSE parent END WHERE id = @id`, t),
			pgx.NamedArgs{"id": id, "name": name, "parent": p, "move": parent != nil})
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("%s %s: %w", t, id, refusal.ErrNotFound)
		}
		return mapConstraint(err, string(t)+" "+id)
	})
	if err != nil {
		return Node{}, err
	}
	return s.Node(ctx, t, id)
}

// Node returns one node.
func (s *Store) Node(ctx context.Context, t Tree, id string) (Node, error) {
	var n Node
	err := s.pool.QueryRow(ctx, fmt.Sprintf(`SELECT id, name, coalesce(%s, ''), coalesce(parent, '') FROM %s WHERE id = @id`,
		t.kindColumn(), t), pgx.NamedArgs{"id": id}).Scan(&n.ID, &n.Name, &n.Kind, &n.Parent)
	return n, notFound(err, string(t)+" "+id)
}

// Nodes lists a whole tree, parents before children.
func (s *Store) Nodes(ctx context.Context, t Tree) ([]Node, error) {
	rows, _ := s.pool.Query(ctx, fmt.Sprintf(`WITH RECURSIVE walk(id, depth) AS (
			SELECT id, 0 FROM %[1]s WHERE parent IS NULL
			UNION ALL SELECT t.id, w.depth + 1 FROM %[1]s t JOIN walk w ON t.parent = w.id)
		SELECT t.id, t.name, coalesce(%[2]s, ''), coalesce(t.parent, '') FROM %[1]s t JOIN walk USING (id)
		ORDER BY walk.depth, t.id`, t, t.kindColumn()))
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Node, error) {
		var n Node
		err := r.Scan(&n.ID, &n.Name, &n.Kind, &n.Parent)
		return n, err
	})
}

// Grants is what a user is given: segments and product groups.
type Grants struct {
	Segments      []string `json:"segments"`
	ProductGroups []string `json:"productGroups"`
}

// SetGrants replaces a user's grants.
func (s *Store) SetGrants(ctx context.Context, login string, g Grants) (Grants, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		for _, q := range []string{`DELETE FROM segment_grants WHERE login = @login`, `DELETE FROM product_group_grants WHERE login = @login`} {
			if _, err := tx.Exec(ctx, q, pgx.NamedArgs{"login": login}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO segment_grants (login, segment_id) SELECT @login, unnest(@segments::text[])`,
			pgx.NamedArgs{"login": login, "segments": g.Segments}); err != nil {
			return mapConstraint(err, "grants of "+login)
		}
		_, err := tx.Exec(ctx, `INSERT INTO product_group_grants (login, group_id) SELECT @login, unnest(@groups::text[])`,
			pgx.NamedArgs{"login": login, "groups": g.ProductGroups})
		return mapConstraint(err, "grants of "+login)
	})
	if err != nil {
		return Grants{}, err
	}
	return s.Grants(ctx, login)
}

// Grants returns a user's grants (empty lists when none).
func (s *Store) Grants(ctx context.Context, login string) (Grants, error) {
	g := Grants{Segments: []string{}, ProductGroups: []string{}}
	err := s.pool.QueryRow(ctx, `SELECT
		coalesce((SELECT array_agg(segment_id ORDER BY segment_id) FROM segment_grants WHERE login = @login), '{}'),
		coalesce((SELECT array_agg(group_id ORDER BY group_id) FROM product_group_grants WHERE login = @login), '{}')`,
		pgx.NamedArgs{"login": login}).Scan(&g.Segments, &g.ProductGroups)
	return g, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
