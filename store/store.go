// Package store keeps Conveyor's records in PostgreSQL: published definition
// versions now, work items and the process read model with the runtime.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conveyorhq/conveyor/errs"
)

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Open connects to dsn and brings the schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return New(pool), nil
}

func (s *Store) Close() { s.pool.Close() }

// Pool is the connection pool, for readiness checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// notFound maps "no rows" to errs.ErrNotFound with what was looked for.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, errs.ErrNotFound)
	}
	return err
}
