package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// SavedView is a view as kept: its spec is the services' JSON, stored as
// given after their checks.
type SavedView struct {
	ID        string          `json:"id"`
	List      string          `json:"list"`
	Name      string          `json:"name"`
	Owner     string          `json:"owner"`
	Sharing   string          `json:"sharing"`
	Locked    bool            `json:"locked"`
	Spec      json.RawMessage `json:"spec"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

const viewColumns = `v.id, v.list, v.name, v.owner, v.sharing, v.locked, v.spec, v.created_at, v.updated_at`

// viewSeen is who sees a view: its owner, everyone when shared with
// everyone, and those below the owner when shared with the team.
const viewSeen = `(v.owner = @login OR v.sharing = 'everyone'
	OR (v.sharing = 'team' AND v.owner IN (SELECT login FROM above)))`

// viewAbove is the logins above @login in the hierarchy.
const viewAbove = `WITH RECURSIVE above(login) AS (
		SELECT supervisor FROM users WHERE login = @login AND supervisor IS NOT NULL
		UNION SELECT u.supervisor FROM users u JOIN above a ON u.login = a.login WHERE u.supervisor IS NOT NULL) `

func scanView(row pgx.Row) (SavedView, error) {
	var v SavedView
	err := row.Scan(&v.ID, &v.List, &v.Name, &v.Owner, &v.Sharing, &v.Locked, &v.Spec, &v.CreatedAt, &v.UpdatedAt)
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return v, err
}

// Views lists the views of list that login sees: their own first, then
// the shared ones, each by name.
func (s *Store) Views(ctx context.Context, login, list string) ([]SavedView, error) {
	rows, _ := s.pool.Query(ctx, viewAbove+`SELECT `+viewColumns+` FROM views v
		WHERE v.list = @list AND `+viewSeen+` ORDER BY v.owner <> @login, v.name, v.id`,
		pgx.NamedArgs{"login": login, "list": list})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SavedView, error) { return scanView(r) })
}

// View is view id if login sees it; any other is not found.
func (s *Store) View(ctx context.Context, login, id string) (SavedView, error) {
	v, err := scanView(s.pool.QueryRow(ctx, viewAbove+`SELECT `+viewColumns+` FROM views v WHERE v.id = @id AND `+viewSeen,
		pgx.NamedArgs{"login": login, "id": id}))
	return v, notFound(err, "view "+id)
}

// AnyView is view id whoever owns it: for an admin's decisions.
func (s *Store) AnyView(ctx context.Context, id string) (SavedView, error) {
	v, err := scanView(s.pool.QueryRow(ctx, `SELECT `+viewColumns+` FROM views v WHERE v.id = @id`, pgx.NamedArgs{"id": id}))
	return v, notFound(err, "view "+id)
}

// CreateView keeps a new view with a new id.
func (s *Store) CreateView(ctx context.Context, v SavedView) (SavedView, error) {
	var b [9]byte
	_, _ = rand.Read(b[:])
	v.ID = "v-" + hex.EncodeToString(b[:])
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		v, err = scanView(tx.QueryRow(ctx, `INSERT INTO views AS v (id, list, name, owner, sharing, locked, spec)
			VALUES (@id, @list, @name, @owner, @sharing, @locked, @spec) RETURNING `+viewColumns,
			pgx.NamedArgs{"id": v.ID, "list": v.List, "name": v.Name, "owner": v.Owner, "sharing": v.Sharing, "locked": v.Locked, "spec": v.Spec}))
		return err
	})
	return v, err
}

// ViewCheck decides, in the change's transaction with the view's row
// locked, whether the change may be made to the view as it is now.
type ViewCheck func(current SavedView) error

// UpdateView replaces the name, sharing, lock and spec of view id, if
// check allows it.
func (s *Store) UpdateView(ctx context.Context, v SavedView, check ViewCheck) (SavedView, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		current, err := scanView(tx.QueryRow(ctx, `SELECT `+viewColumns+` FROM views v WHERE v.id = @id FOR UPDATE`, pgx.NamedArgs{"id": v.ID}))
		if err != nil {
			return notFound(err, "view "+v.ID)
		}
		if err := check(current); err != nil {
			return err
		}
		v, err = scanView(tx.QueryRow(ctx, `UPDATE views AS v SET name = @name, sharing = @sharing, locked = @locked, spec = @spec,
				updated_at = now() WHERE v.id = @id RETURNING `+viewColumns,
			pgx.NamedArgs{"id": v.ID, "name": v.Name, "sharing": v.Sharing, "locked": v.Locked, "spec": v.Spec}))
		return err
	})
	return v, err
}

// DeleteView removes view id, if check allows it; pins and defaults of it
// go with it.
func (s *Store) DeleteView(ctx context.Context, id string, check ViewCheck) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		current, err := scanView(tx.QueryRow(ctx, `SELECT `+viewColumns+` FROM views v WHERE v.id = @id FOR UPDATE`, pgx.NamedArgs{"id": id}))
		if err != nil {
			return notFound(err, "view "+id)
		}
		if err := check(current); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM views WHERE id = @id`, pgx.NamedArgs{"id": id})
		return err
	})
}

// SetViewDefault makes view the one role opens list with ("" clears it).
func (s *Store) SetViewDefault(ctx context.Context, list, role, view string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if view == "" {
			_, err := tx.Exec(ctx, `DELETE FROM view_defaults WHERE list = @list AND role = @role`, pgx.NamedArgs{"list": list, "role": role})
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO view_defaults (list, role, view_id) VALUES (@list, @role, @view)
			ON CONFLICT (list, role) DO UPDATE SET view_id = excluded.view_id`, pgx.NamedArgs{"list": list, "role": role, "view": view})
		return mapConstraint(err, "view "+view)
	})
}

// ViewDefaults is the default view of list by role.
func (s *Store) ViewDefaults(ctx context.Context, list string) (map[string]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT role, view_id FROM view_defaults WHERE list = @list`, pgx.NamedArgs{"list": list})
	out := map[string]string{}
	var role, view string
	_, err := pgx.ForEachRow(rows, []any{&role, &view}, func() error {
		out[role] = view
		return nil
	})
	return out, err
}
