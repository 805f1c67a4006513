package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

type actorKey struct{}

// WithActor names who acts in ctx: a login, or "system:<what>" for the
// runtime and the demo seed. Every write of the store records it in the
// audit log, in the change's own transaction.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor is who acts in ctx, or "".
func Actor(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}

// ErrNoActor is a write attempted without saying who acts.
var ErrNoActor = errors.New("store: no actor in the context: every change is audited (store.WithActor)")

// tx runs fn in a transaction that tells the audit triggers who acts. The
// triggers refuse any change to an audited table without it, so a change
// and its audit row commit together or not at all.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	actor := Actor(ctx)
	if actor == "" {
		return ErrNoActor
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('conveyor.actor', @actor, true)`, pgx.NamedArgs{"actor": actor}); err != nil {
			return err
		}
		return fn(tx)
	})
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entityId"`
	Client   string          `json:"client,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}

// RecordFailedLogin appends a refused sign-in as login, from address.
func (s *Store) RecordFailedLogin(ctx context.Context, login, address string) error {
	after, _ := json.Marshal(map[string]string{"address": address})
	_, err := s.pool.Exec(ctx, `INSERT INTO audit (actor, action, entity, entity_id, after) VALUES (@login, 'login_failed', 'session', @login, @after)`,
		pgx.NamedArgs{"login": login, "after": after})
	return err
}

// RecordUnlock appends an admin's unlocking of login's sign-ins; the
// actor is the context's (WithActor).
func (s *Store) RecordUnlock(ctx context.Context, login string) error {
	actor := Actor(ctx)
	if actor == "" {
		return ErrNoActor
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit (actor, action, entity, entity_id) VALUES (@actor, 'login_unlocked', 'session', @login)`,
		pgx.NamedArgs{"actor": actor, "login": login})
	return err
}

// AuditFilter narrows the audit log; zero fields do not filter.
type AuditFilter struct {
	Actor, Entity, EntityID, Client string
	From, To                        *time.Time
	Page
}

// Audit lists audit entries, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, string, error) {
	after, err := f.decode()
	if err != nil {
		return nil, "", err
	}
	var afterID *int64
	if after.ID != "" {
		var id int64
		if _, err := fmt.Sscan(after.ID, &id); err != nil {
			return nil, "", fmt.Errorf("cursor %q: %w", f.After, ErrBadCursor)
		}
		afterID = &id
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, at, actor, action, entity, entity_id, coalesce(client_id, ''), before, after
		FROM audit
		WHERE (@actor = '' OR actor = @actor) AND (@entity = '' OR entity = @entity) AND (@entity_id = '' OR entity_id = @entity_id)
		  AND (@client = '' OR client_id = @client)
		  AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
		  AND (@after_id::bigint IS NULL OR id < @after_id)
		ORDER BY id DESC LIMIT @limit`,
		pgx.NamedArgs{"actor": f.Actor, "entity": f.Entity, "entity_id": f.EntityID, "client": f.Client,
			"from": f.From, "to": f.To, "after_id": afterID, "limit": f.limit() + 1})
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Client, &e.Before, &e.After)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, f.limit(), func(e AuditEntry) cursor { return cursor{ID: fmt.Sprint(e.ID)} })
	return list, next, nil
}

// StartSession stores a new token of login and the login's audit row in one
// transaction: no session exists that the log does not show.
func (s *Store) StartSession(ctx context.Context, tokenHash []byte, login string, expiresAt time.Time, address string) error {
	after, _ := json.Marshal(map[string]any{"address": address, "expiresAt": expiresAt})
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO tokens (hash, login, expires_at) VALUES (@hash, @login, @expires_at)`,
			pgx.NamedArgs{"hash": tokenHash, "login": login, "expires_at": expiresAt}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit (actor, action, entity, entity_id, after) VALUES (@login, 'login', 'session', @login, @after)`,
			pgx.NamedArgs{"login": login, "after": after})
		return err
	})
}
