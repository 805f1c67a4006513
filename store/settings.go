package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Setting returns an installation setting and whether it is set.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = @key`, pgx.NamedArgs{"key": key}).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetSetting sets an installation setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES (@key, @value)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_at = now()`, pgx.NamedArgs{"key": key, "value": value})
	return err
}
