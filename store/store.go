// Package store keeps Conveyor's records in PostgreSQL: published definition
// versions now, work items and the process read model with the runtime.
package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conveyorhq/conveyor/refusal"
)

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Options bound what one process asks of PostgreSQL. A zero field takes its
// default; a run-time parameter the URL sets (?statement_timeout=...) wins
// over the default but not over a field set here.
type Options struct {
	// MaxConns is the size of the pool (default max(8, 4*GOMAXPROCS)).
	MaxConns int32
	// AcquireTimeout is how long a query waits for a free connection before
	// it fails with context.DeadlineExceeded (default 5s): with the pool
	// exhausted, requests fail fast (503) instead of queueing unbounded.
	AcquireTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout (default 30s).
	StatementTimeout time.Duration
	// IdleInTransactionTimeout is PostgreSQL's
	// idle_in_transaction_session_timeout (default 30s): a transaction left
	// waiting on its client is ended by the server and its locks released.
	IdleInTransactionTimeout time.Duration
}

// DefaultOptions are the bounds Open uses.
func DefaultOptions() Options {
	return Options{
		MaxConns:                 int32(max(8, 4*runtime.GOMAXPROCS(0))),
		AcquireTimeout:           5 * time.Second,
		StatementTimeout:         30 * time.Second,
		IdleInTransactionTimeout: 30 * time.Second,
	}
}

// Configure applies o to a pool configuration.
func (o Options) Configure(cfg *pgxpool.Config) {
	def := DefaultOptions()
	cfg.MaxConns = or(o.MaxConns, def.MaxConns)
	cfg.ConnConfig.Tracer = acquireTimeout(or(o.AcquireTimeout, def.AcquireTimeout))
	params := cfg.ConnConfig.RuntimeParams
	setTimeout(params, "statement_timeout", o.StatementTimeout, def.StatementTimeout)
	setTimeout(params, "idle_in_transaction_session_timeout", o.IdleInTransactionTimeout, def.IdleInTransactionTimeout)
	// The visibility rule's recursive scopes make the planner guess large
	// costs, and past jit_above_cost it compiles the query: a second spent
	// on a view that runs in milliseconds. Nothing here is an analytic scan
	// that JIT would repay.
	if _, inURL := params["jit"]; !inURL {
		params["jit"] = "off"
	}
}

// setTimeout sets a run-time parameter sent when a connection starts: d if
// given, else what the URL said, else def.
func setTimeout(params map[string]string, name string, d, def time.Duration) {
	if _, inURL := params[name]; d > 0 || !inURL {
		params[name] = fmt.Sprintf("%dms", or(d, def).Milliseconds())
	}
}

// or is v, or def when v is not positive.
func or[T int32 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Open connects to dsn with DefaultOptions and brings the schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) { return OpenWith(ctx, dsn, Options{}) }

// OpenWith connects to dsn with the bounds of o and brings the schema up to
// date. Migrations run on a connection of their own, without the statement
// timeout: building an index on a large table may take longer than any
// request should.
func OpenWith(ctx context.Context, dsn string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	migrateCfg := cfg.Copy()
	migrateCfg.MaxConns = 1
	if err := migrateWith(ctx, migrateCfg); err != nil {
		return nil, err
	}
	o.Configure(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return New(pool), nil
}

func migrateWith(ctx context.Context, cfg *pgxpool.Config) error {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer pool.Close()
	return Migrate(ctx, pool)
}

func (s *Store) Close() { s.pool.Close() }

// Pool is the connection pool, for readiness checks.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// notFound maps "no rows" to refusal.ErrNotFound with what was looked for.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, refusal.ErrNotFound)
	}
	return err
}
