package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/conveyorhq/conveyor/refusal"
)

// mapConstraint turns a refused write into the sentinel that says why: a
// duplicate is a conflict, a broken reference or check is invalid input.
func mapConstraint(err error, what string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%s already exists (%s): %w", what, pgErr.ConstraintName, refusal.ErrConflict)
	case "23503": // foreign_key_violation
		return fmt.Errorf("%s: %s: %w", what, pgErr.Detail, refusal.ErrInvalid)
	case "23514", "23502": // check_violation, not_null_violation
		return fmt.Errorf("%s: %s: %w", what, pgErr.Message, refusal.ErrInvalid)
	}
	return err
}

// Unstorable tells whether PostgreSQL refused a value itself: too long for
// an index, a NUL or a byte sequence it cannot store. The field bounds
// (limits/) refuse these first; this is the backstop for a field they miss,
// so such input is the caller's mistake (422), not a server error.
func Unstorable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "22021", // character_not_in_repertoire (a NUL in text)
		"22P05", // untranslatable_character
		"22001", // string_data_right_truncation
		"54000": // program_limit_exceeded (index row size)
		return true
	}
	return false
}
