package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// acquireTimeout bounds the wait for a pool connection (pgxpool has no
// setting of its own for it): Acquire runs under the context its tracer
// returns, and the timer is stopped once a connection is had.
type acquireTimeout time.Duration

type acquireCancelKey struct{}

func (d acquireTimeout) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(d))
	return context.WithValue(ctx, acquireCancelKey{}, cancel)
}

func (acquireTimeout) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	if cancel, ok := ctx.Value(acquireCancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

// A pool's tracer must also be a query tracer; queries are not traced.
func (acquireTimeout) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (acquireTimeout) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TimedOut reports whether err means the database did not answer in time,
// rather than that the request was wrong: no free connection within the
// acquire timeout, a deadline, a statement or lock timeout, or a transaction
// ended for idling. Such a request may succeed when tried again.
func TimedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014", // query_canceled: statement_timeout
			"55P03", // lock_not_available: lock_timeout
			"25P03": // idle_in_transaction_session_timeout
			return true
		}
	}
	return false
}
