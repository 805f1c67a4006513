package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Pin is one thing on a user's desktop: a saved view (its live count) or
// a conveyor's funnel.
type Pin struct {
	ID         int64  `json:"id"`
	Position   int    `json:"position"`
	Kind       string `json:"kind"` // view or funnel
	View       string `json:"view,omitempty"`
	Definition string `json:"definition,omitempty"`
}

// Pins is login's desktop in its order.
func (s *Store) Pins(ctx context.Context, login string) ([]Pin, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, position, kind, coalesce(view_id, ''), coalesce(definition, '')
		FROM desk_pins WHERE login = @login ORDER BY position, id`, pgx.NamedArgs{"login": login})
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Pin])
}

// AddPin puts p last on login's desktop, unless the same is pinned there
// already; at most max pins.
func (s *Store) AddPin(ctx context.Context, login string, p Pin, most int) (Pin, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// One desktop changes at a time: its positions stay a sequence.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE login = @login FOR UPDATE`, pgx.NamedArgs{"login": login}); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, `SELECT id, position FROM desk_pins WHERE login = @login AND kind = @kind
			AND view_id IS NOT DISTINCT FROM @view AND definition IS NOT DISTINCT FROM @definition`,
			pgx.NamedArgs{"login": login, "kind": p.Kind, "view": nullable(p.View), "definition": nullable(p.Definition)}).Scan(&p.ID, &p.Position)
		if err == nil {
			return nil // pinned already
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM desk_pins WHERE login = @login`, pgx.NamedArgs{"login": login}).Scan(&n); err != nil {
			return err
		}
		if n >= most {
			return fmt.Errorf("a desktop holds at most %d pins: %w", most, refusal.ErrConflict)
		}
		return tx.QueryRow(ctx, `INSERT INTO desk_pins (login, position, kind, view_id, definition)
			VALUES (@login, (SELECT coalesce(max(position), 0) + 1 FROM desk_pins WHERE login = @login), @kind, @view, @definition)
			RETURNING id, position`,
			pgx.NamedArgs{"login": login, "kind": p.Kind, "view": nullable(p.View), "definition": nullable(p.Definition)}).Scan(&p.ID, &p.Position)
	})
	return p, err
}

// RemovePin takes pin id off login's desktop.
func (s *Store) RemovePin(ctx context.Context, login string, id int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM desk_pins WHERE login = @login AND id = @id`, pgx.NamedArgs{"login": login, "id": id})
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("pin %d: %w", id, refusal.ErrNotFound)
		}
		return err
	})
}

// MovePin swaps pin id with its neighbour before it (by -1) or after it
// (by 1); at an end it stays.
func (s *Store) MovePin(ctx context.Context, login string, id int64, by int) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE login = @login FOR UPDATE`, pgx.NamedArgs{"login": login}); err != nil {
			return err
		}
		var pos int
		if err := tx.QueryRow(ctx, `SELECT position FROM desk_pins WHERE login = @login AND id = @id`,
			pgx.NamedArgs{"login": login, "id": id}).Scan(&pos); err != nil {
			return notFound(err, fmt.Sprintf("pin %d", id))
		}
		order := "position DESC"
		cmp := "<"
		if by > 0 {
			order, cmp = "position ASC", ">"
		}
		var other int64
		var otherPos int
		err := tx.QueryRow(ctx, `SELECT id, position FROM desk_pins WHERE login = @login AND position `+cmp+` @pos ORDER BY `+order+` LIMIT 1`,
			pgx.NamedArgs{"login": login, "pos": pos}).Scan(&other, &otherPos)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE desk_pins SET position = CASE id WHEN @a::bigint THEN @bpos::int ELSE @apos::int END
			WHERE id IN (@a::bigint, @b::bigint)`,
			pgx.NamedArgs{"a": id, "b": other, "apos": pos, "bpos": otherPos})
		return err
	})
}
