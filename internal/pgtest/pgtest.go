// Package pgtest gives tests a fresh PostgreSQL database each.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// With DATABASE_URL set, databases are created on that server (this is how
// `make test` shares one server across all test binaries, see ./withpg).
// Otherwise Main starts a private throwaway server for the test binary.
// Tests never skip for lack of a database: a missing server is a failure.
//
// NewMigratedDB gives a database with Conveyor's schema already in place:
// the test binary migrates one template database, once, on first use, and
// each test's database is a copy of it (CREATE DATABASE ... TEMPLATE), which
// costs about what the empty database of NewDB does. Migrating from scratch
// stays tested where NewDB is followed by store.Migrate (store's tests).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/conveyorhq/conveyor/pglocal"
	"github.com/conveyorhq/conveyor/store"
)

// serverDSN is set by Main before any test runs and only read afterwards.
var serverDSN string

// Main runs the tests of a package against a PostgreSQL server and exits.
func Main(m *testing.M) {
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		serverDSN = dsn
		code := m.Run()
		dropTemplate()
		os.Exit(code)
	}
	c, dir, err := StartTemp(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		os.Exit(1)
	}
	serverDSN = c.DSN("postgres")
	code := m.Run()
	dropTemplate()
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// StartTemp starts a non-durable cluster in a new temporary directory. The
// caller stops the cluster and removes dir.
//
// os.MkdirTemp rather than t.TempDir: when we run as root the server runs as
// the postgres user, which cannot enter t.TempDir's 0700 parent.
func StartTemp(ctx context.Context) (c *pglocal.Cluster, dir string, err error) {
	dir, err = os.MkdirTemp("", "conveyor-pg-")
	if err != nil {
		return nil, "", err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err = pglocal.Start(ctx, pglocal.Options{Dir: dir, Logger: log})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", err
	}
	return c, dir, nil
}

// NewDB creates an empty database for t, dropped when t finishes, and
// returns a pool connected to it.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewDBURL(t)
	return pool
}

// NewDBURL is NewDB that also returns the new database's URL, for code under
// test that connects by itself.
func NewDBURL(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	return newDB(t, server(t), "")
}

// NewMigratedDB creates a database for t with every migration of
// store.Migrate applied, dropped when t finishes, and returns a pool
// connected to it.
func NewMigratedDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewMigratedDBURL(t)
	return pool
}

// NewMigratedDBURL is NewMigratedDB that also returns the new database's
// URL, for code under test that connects by itself.
func NewMigratedDBURL(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	base := server(t)
	name, err := migratedTemplate(base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return newDB(t, base, name)
}

// server is the DSN of the server's maintenance database.
func server(t testing.TB) string {
	t.Helper()
	base := serverDSN
	if base == "" {
		base = os.Getenv("DATABASE_URL")
	}
	if base == "" {
		t.Fatal("pgtest: no PostgreSQL server: add `func TestMain(m *testing.M) { pgtest.Main(m) }` to this package's tests, or set DATABASE_URL")
	}
	return base
}

// newDB creates a database for t: empty, or a copy of the database tmpl.
func newDB(t testing.TB, base, tmpl string) (*pgxpool.Pool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	name := dbName(t.Name())
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if tmpl != "" {
		create += " TEMPLATE " + pgx.Identifier{tmpl}.Sanitize()
	}
	if err := adminExec(ctx, base, create); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	var pool *pgxpool.Pool
	t.Cleanup(func() {
		if pool != nil {
			closePool(t, pool)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a test that leaked a connection must not leak the database.
		if err := adminExec(ctx, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})

	// ParseConfig rather than URL surgery: DATABASE_URL may also be in
	// "host=... dbname=..." form.
	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		t.Fatalf("pgtest: parsing DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.Database = name
	if pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", name, err)
	}
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", name, err)
	}
	return pool, withDatabase(t, base, name)
}

// template is this test binary's migrated database, made by the first
// NewMigratedDB and dropped by Main after the tests.
//
// One per test binary, not one per server: the binaries of one `go test
// ./...` share withpg's server, but a template name they could all trust
// would have to come from the migrations compiled into each binary, which
// store does not expose; a name from the files on disk may be stale when
// they are edited while binaries build. One migration per package is cheap;
// one per test was not. A binary killed before Main's end leaves its
// template (t_template_...) on a long-lived DATABASE_URL server; drop it
// with ALTER DATABASE ... IS_TEMPLATE false, then DROP DATABASE.
var template struct {
	mu   sync.Mutex
	base string // the server it is on; empty until made
	name string
	err  error // a failed migration fails every test that asks, not just the first
}

// migratedTemplate returns the name of the template on the server base,
// creating and migrating it on first use. A template database takes no
// connections once made: CREATE DATABASE refuses to copy one in use.
func migratedTemplate(base string) (string, error) {
	template.mu.Lock()
	defer template.mu.Unlock()
	if template.base != "" || template.err != nil {
		if template.err == nil && template.base != base {
			return "", fmt.Errorf("template database is on %s, not on %s", template.base, base)
		}
		return template.name, template.err
	}
	name := dbName("template")
	template.name, template.err = name, makeTemplate(base, name)
	if template.err != nil {
		template.err = fmt.Errorf("migrating the template database %s: %w", name, template.err)
		// Leave nothing behind: the drop is best effort, the error is the news.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = adminExec(ctx, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	} else {
		template.base = base
	}
	return template.name, template.err
}

func makeTemplate(base, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := pgx.Identifier{name}.Sanitize()
	if err := adminExec(ctx, base, "CREATE DATABASE "+id); err != nil {
		return err
	}
	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		return err
	}
	cfg.ConnConfig.Database = name
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	err = store.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return err
	}
	return adminExec(ctx, base, "ALTER DATABASE "+id+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
}

// dropTemplate drops the template database, if NewMigratedDB made one.
func dropTemplate() {
	template.mu.Lock()
	defer template.mu.Unlock()
	if template.base == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id := pgx.Identifier{template.name}.Sanitize()
	for _, sql := range []string{
		"ALTER DATABASE " + id + " WITH IS_TEMPLATE false", // a template cannot be dropped
		"DROP DATABASE " + id + " WITH (FORCE)",
	} {
		if err := adminExec(ctx, template.base, sql); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: dropping the template database %s: %v\n", template.name, err)
			return
		}
	}
	template.base = ""
}

// withDatabase is the URL or key=value DSN base with its database replaced.
func withDatabase(t testing.TB, base, name string) string {
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return base + " dbname=" + name
}

// closePool closes pool, but does not hang forever when the test leaked an
// acquired connection (pgxpool.Close waits for every one to be released).
func closePool(t testing.TB, pool *pgxpool.Pool) {
	closed := make(chan struct{})
	go func() {
		pool.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Errorf("pgtest: pool still has acquired connections after the test: missing Release or rows.Close?")
	}
}

// adminExec runs one statement on the server's DATABASE_URL/postgres database.
func adminExec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// dbName builds a unique, recognisable database name: when a run is killed
// and databases leak, the name says which test left them.
func dbName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 40 { // identifiers are cut at 63 bytes
		s = s[:40]
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	return "t_" + s + "_" + hex.EncodeToString(rnd[:])
}

// Tx begins a transaction on pool that is rolled back when t finishes, so
// its changes never outlive the test.
func Tx(t testing.TB, pool *pgxpool.Pool) pgx.Tx {
	t.Helper()
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatalf("pgtest: begin: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			t.Errorf("pgtest: rollback: %v", err)
		}
	})
	return tx
}
