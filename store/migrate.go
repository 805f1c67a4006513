package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that serialises concurrent
// migrators (several `conveyor server` replicas starting at once).
const migrationLock = 7_243_001

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction together with its bookkeeping row, so a crash leaves either the
// whole migration or none of it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(@lock)`, pgx.NamedArgs{"lock": migrationLock}); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(@lock)`, pgx.NamedArgs{"lock": migrationLock}) //nolint:errcheck // released with the session anyway

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	rows, _ := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, file := range files {
		name := strings.TrimPrefix(file, "migrations/")
		version, err := strconv.Atoi(name[:strings.IndexByte(name, '_')])
		if err != nil {
			return fmt.Errorf("migrate: %s: file name must start with a number", name)
		}
		if slices.Contains(applied, version) {
			continue
		}
		sql, err := migrationFiles.ReadFile(file)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (@version, @name)`, pgx.NamedArgs{"version": version, "name": name})
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", name, err)
		}
	}
	// The visibility rule is Go's (visibility.go): the SQL function follows
	// it on every start, so a change to the rule needs no migration.
	if _, err := conn.Exec(ctx, visibilityFunction()); err != nil {
		return fmt.Errorf("migrate: can_see_client: %w", err)
	}
	return nil
}
