package pgtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func currentDB(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) string {
	t.Helper()
	var name string
	require.NoError(t, q.QueryRow(t.Context(), "SELECT current_database()").Scan(&name))
	return name
}

func TestNewDBIsEmptyAndWorks(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := t.Context()
	require.True(t, strings.HasPrefix(currentDB(t, pool), "t_testnewdbisemptyandworks_"), currentDB(t, pool))

	var tables int
	require.NoError(t, pool.QueryRow(ctx,
		"SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").Scan(&tables))
	require.Zero(t, tables, "a new database has no user tables")

	_, err := pool.Exec(ctx, "CREATE TABLE items (id int PRIMARY KEY)")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "INSERT INTO items VALUES (1), (2)")
	require.NoError(t, err)
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM items").Scan(&n))
	require.Equal(t, 2, n)
}

func TestNewDBsAreDistinctAndDropped(t *testing.T) {
	var name1, name2 string
	t.Run("create", func(t *testing.T) {
		p1, p2 := pgtest.NewDB(t), pgtest.NewDB(t)
		name1, name2 = currentDB(t, p1), currentDB(t, p2)
		require.NotEqual(t, name1, name2)

		_, err := p1.Exec(t.Context(), "CREATE TABLE only_in_first (x int)")
		require.NoError(t, err)
		var exists bool
		require.NoError(t, p2.QueryRow(t.Context(), "SELECT to_regclass('only_in_first') IS NOT NULL").Scan(&exists))
		require.False(t, exists, "databases must be isolated")

		// A connection the test forgets to close must not block the drop.
		leaked, err := pgx.ConnectConfig(t.Context(), p1.Config().ConnConfig)
		require.NoError(t, err)
		require.NoError(t, leaked.Ping(t.Context()))
	})

	// The subtest's cleanups have run: both databases are gone.
	pool := pgtest.NewDB(t)
	var left int
	require.NoError(t, pool.QueryRow(t.Context(),
		"SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)", name1, name2).Scan(&left))
	require.Zero(t, left)
}

func TestTxIsRolledBack(t *testing.T) {
	pool := pgtest.NewDB(t)
	ctx := t.Context()
	_, err := pool.Exec(ctx, "CREATE TABLE notes (body text)")
	require.NoError(t, err)

	t.Run("write", func(t *testing.T) {
		tx := pgtest.Tx(t, pool)
		_, err := tx.Exec(t.Context(), "INSERT INTO notes VALUES ('draft')")
		require.NoError(t, err)
		var n int
		require.NoError(t, tx.QueryRow(t.Context(), "SELECT count(*) FROM notes").Scan(&n))
		require.Equal(t, 1, n, "the transaction sees its own write")
	})

	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n))
	require.Zero(t, n, "Tx changes must vanish after the test")
}

func TestTxAlreadyCommittedIsFine(t *testing.T) {
	pool := pgtest.NewDB(t)
	t.Run("commit", func(t *testing.T) {
		tx := pgtest.Tx(t, pool)
		_, err := tx.Exec(t.Context(), "CREATE TABLE kept (x int)")
		require.NoError(t, err)
		require.NoError(t, tx.Commit(t.Context()))
	})
	var exists bool
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT to_regclass('kept') IS NOT NULL").Scan(&exists))
	require.True(t, exists, "an explicitly committed Tx is left alone by the cleanup")
}

func TestMigratedDBsHaveEveryMigrationAndAreIndependentCopies(t *testing.T) {
	ctx := t.Context()
	scratch := pgtest.NewDB(t)
	require.NoError(t, store.Migrate(ctx, scratch))
	want := migrations(t, scratch)
	require.NotEmpty(t, want)

	a, b := pgtest.NewMigratedDB(t), pgtest.NewMigratedDB(t)
	require.NotEqual(t, currentDB(t, a), currentDB(t, b))
	require.True(t, strings.HasPrefix(currentDB(t, a), "t_testmigrateddbshaveeverymigration"), currentDB(t, a))
	require.Equal(t, want, migrations(t, a), "a copy has what migrating from scratch gives")
	require.NoError(t, store.Migrate(ctx, a), "and migrating it again is a no-op")
	require.Equal(t, want, migrations(t, a))

	_, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)")
	require.NoError(t, err)
	var exists bool
	require.NoError(t, b.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&exists))
	require.False(t, exists, "copies of the template are isolated")
	c := pgtest.NewMigratedDB(t)
	require.NoError(t, c.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&exists))
	require.False(t, exists, "a test's changes never reach the template")
}

func TestTheTemplateTakesNoConnections(t *testing.T) {
	pool := pgtest.NewMigratedDB(t)
	rows, err := pool.Query(t.Context(), "SELECT datname FROM pg_database WHERE datistemplate AND NOT datallowconn AND datname LIKE 't\\_template\\_%'")
	require.NoError(t, err)
	templates, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, templates, "the template is marked so, and closed to connections")
}

func migrations(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), "SELECT name FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}
