package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Absence is a period during which a deputy takes a user's new work.
type Absence struct {
	Deputy      string    `json:"deputy"`
	From, Until time.Time `json:"-"`
}

// SetAbsence records that login is away from from until until and that
// deputy takes their new work meanwhile; nil clears it.
func (s *Store) SetAbsence(ctx context.Context, login string, a *Absence) (User, error) {
	var deputy any
	var from, until *time.Time
	if a != nil {
		if a.Deputy == login {
			return User{}, fmt.Errorf("deputy: a user cannot be their own deputy: %w", refusal.ErrInvalid)
		}
		if !a.Until.After(a.From) {
			return User{}, fmt.Errorf("until must be after from: %w", refusal.ErrInvalid)
		}
		deputy, from, until = a.Deputy, &a.From, &a.Until
	}
	var u User
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `UPDATE users AS u SET deputy = @deputy, absent_from = @from, absent_until = @until
			WHERE login = @login RETURNING `+userCols, pgx.NamedArgs{"login": login, "deputy": deputy, "from": from, "until": until}))
		return err
	})
	if err != nil {
		what := "absence of " + login
		return User{}, notFound(mapConstraint(err, what), what)
	}
	return u, nil
}

// standIn returns whom new work for login goes to now: their deputy while
// they are absent (and the deputy is active), else login itself.
func standIn(ctx context.Context, tx pgx.Tx, login string) (string, error) {
	var deputy *string
	err := tx.QueryRow(ctx, `SELECT d.login FROM users u JOIN users d ON d.login = u.deputy AND d.active
		WHERE u.login = @login AND now() >= u.absent_from AND now() < u.absent_until`, pgx.NamedArgs{"login": login}).Scan(&deputy)
	if err == pgx.ErrNoRows || deputy == nil {
		return login, nil
	}
	return *deputy, err
}

// Transfer is what a portfolio transfer moved.
type Transfer struct {
	Clients   int `json:"clients"`
	WorkItems int `json:"workItems"`
}

// TransferPortfolio gives everything of from to to in one transaction: the
// clients they own and their open work items (and the processes waiting on
// those). Each moved row is audited.
func (s *Store) TransferPortfolio(ctx context.Context, from, to string) (Transfer, error) {
	var t Transfer
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM users WHERE login = @login`, pgx.NamedArgs{"login": to}).Scan(&active)
		if err == pgx.ErrNoRows || (err == nil && !active) {
			return fmt.Errorf("to: %q is not an active user: %w", to, refusal.ErrInvalid)
		}
		if err != nil {
			return err
		}
		if from == to {
			return fmt.Errorf("to: the portfolio would stay with %s: %w", to, refusal.ErrInvalid)
		}
		tag, err := tx.Exec(ctx, `UPDATE clients SET owner = @to, updated_at = now() WHERE owner = @from`, pgx.NamedArgs{"from": from, "to": to})
		if err != nil {
			return err
		}
		t.Clients = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `UPDATE work_items SET assignee = @to
			WHERE assignee = @from AND state IN ('attention', 'in_progress')`, pgx.NamedArgs{"from": from, "to": to})
		if err != nil {
			return err
		}
		t.WorkItems = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `UPDATE processes SET assignee = @to WHERE assignee = @from AND state = 'running'`, pgx.NamedArgs{"from": from, "to": to})
		return err
	})
	return t, err
}
