package store_test

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// open opens a store on a fresh database with o, closed after the test.
func open(t *testing.T, query string, o store.Options) *store.Store {
	t.Helper()
	_, dsn := pgtest.NewMigratedDBURL(t)
	if query != "" {
		u, err := url.Parse(dsn)
		require.NoError(t, err, "the test server's DATABASE_URL is a URL")
		u.RawQuery = query
		dsn = u.String()
	}
	s, err := store.OpenWith(context.Background(), dsn, o)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func show(t *testing.T, s *store.Store, name string) string {
	t.Helper()
	var v string
	require.NoError(t, s.Pool().QueryRow(context.Background(), "SHOW "+name).Scan(&v))
	return v
}

func TestEveryConnectionHasItsTimeoutsAndThePoolItsSize(t *testing.T) {
	s := open(t, "", store.Options{})
	require.Equal(t, "30s", show(t, s, "statement_timeout"))
	require.Equal(t, "30s", show(t, s, "idle_in_transaction_session_timeout"))
	require.Equal(t, int32(max(8, 4*runtime.GOMAXPROCS(0))), s.Pool().Config().MaxConns)

	s = open(t, "statement_timeout=5000", store.Options{MaxConns: 4, IdleInTransactionTimeout: 7 * time.Second})
	require.Equal(t, "5s", show(t, s, "statement_timeout"), "the URL's setting wins over the default")
	require.Equal(t, "7s", show(t, s, "idle_in_transaction_session_timeout"))
	require.Equal(t, int32(4), s.Pool().Config().MaxConns)
}

func TestTimeoutsAreToldFromOtherFailures(t *testing.T) {
	s := open(t, "", store.Options{MaxConns: 1, AcquireTimeout: 100 * time.Millisecond})
	ctx := context.Background()

	// The only connection is taken: a query cannot get one and gives up.
	// (Connecting counts against the acquire timeout too, and goes on when
	// an acquire gives up: on a busy machine the first tries may fail.)
	held, err := s.Pool().Acquire(ctx)
	for try := 0; err != nil && try < 100; try++ {
		held, err = s.Pool().Acquire(ctx)
	}
	require.NoError(t, err)
	_, err = s.Pool().Exec(ctx, `SELECT 1`)
	require.Error(t, err)
	require.True(t, store.TimedOut(err), "no free connection: %v", err)

	// statement_timeout: query_canceled.
	_, err = held.Exec(ctx, `SET statement_timeout = 1`)
	require.NoError(t, err)
	_, err = held.Exec(ctx, `SELECT pg_sleep(10)`)
	require.True(t, store.TimedOut(err), "statement timeout: %v", err)
	_, err = held.Exec(ctx, `RESET statement_timeout`)
	require.NoError(t, err)

	held.Release()

	// lock_timeout: lock_not_available, waiting for a lock another
	// transaction holds.
	other := open(t, "", store.Options{})
	locker, err := other.Pool().Begin(ctx)
	require.NoError(t, err)
	defer locker.Rollback(ctx) //nolint:errcheck // only held for the test
	_, err = locker.Exec(ctx, `LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE`)
	require.NoError(t, err)
	waiter, err := other.Pool().Begin(ctx)
	require.NoError(t, err)
	defer waiter.Rollback(ctx) //nolint:errcheck // failed anyway
	_, err = waiter.Exec(ctx, `SET LOCAL lock_timeout = 1`)
	require.NoError(t, err)
	_, err = waiter.Exec(ctx, `SELECT count(*) FROM schema_migrations`)
	require.True(t, store.TimedOut(err), "lock timeout: %v", err)

	for _, err := range []error{
		refusal.ErrNotFound, context.Canceled, errors.New("boom"),
		func() error { _, err := s.Pool().Exec(ctx, `SELEC 1`); return err }(),
	} {
		require.False(t, store.TimedOut(err), "%v", err)
	}
	_, err = s.Pool().Exec(ctx, `SELECT 1`)
	require.NoError(t, err, "the connection is free again")
}
