package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/store"
)

func TestAChangeWithoutAnActorCannotHappen(t *testing.T) {
	s := newStore(t)
	_, err := s.CreateUser(context.Background(), store.User{Login: "ivan"}, "x")
	require.ErrorIs(t, err, store.ErrNoActor)

	// Not even by going around the store: the audit triggers refuse it.
	_, err = s.Pool().Exec(context.Background(), `INSERT INTO users (login, name, password_hash) VALUES ('ivan', 'Ivan', 'x')`)
	require.ErrorContains(t, err, "without an actor: every change is audited")
	n, err := s.CountUsers(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestAChangeAndItsAuditRowCommitTogetherOrNotAtAll(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	audits := func(q pgx.Tx) int {
		var n int
		var err error
		if q != nil {
			err = q.QueryRow(ctx, `SELECT count(*) FROM audit WHERE entity = 'users' AND entity_id = 'ivan'`).Scan(&n)
		} else {
			err = s.Pool().QueryRow(ctx, `SELECT count(*) FROM audit WHERE entity = 'users' AND entity_id = 'ivan'`).Scan(&n)
		}
		require.NoError(t, err)
		return n
	}

	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT set_config('conveyor.actor', 'admin', true)`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO users (login, name, password_hash) VALUES ('ivan', 'Ivan', 'secret-hash')`)
	require.NoError(t, err)
	require.Equal(t, 1, audits(tx), "the audit row is written inside the change's transaction")
	require.Equal(t, 0, audits(nil), "and is invisible outside it until commit")
	require.NoError(t, tx.Rollback(ctx))
	require.Equal(t, 0, audits(nil), "rolled back with the change")

	actx := store.WithActor(ctx, "admin")
	_, err = s.CreateUser(actx, store.User{Login: "ivan", Name: "Ivan"}, "secret-hash")
	require.NoError(t, err)
	_, err = s.CreateUser(actx, store.User{Login: "ivan", Name: "Again"}, "x")
	require.Error(t, err)
	require.Equal(t, 1, audits(nil), "a refused change leaves no audit row")

	name := "Ivan Sidorov"
	_, err = s.UpdateUser(actx, "ivan", store.UserPatch{Name: &name})
	require.NoError(t, err)
	entries, _, err := s.Audit(ctx, store.AuditFilter{Entity: "users", EntityID: "ivan"})
	require.NoError(t, err)
	require.Len(t, entries, 2)
	require.Equal(t, "update", entries[0].Action, "newest first")
	require.Equal(t, "admin", entries[0].Actor)
	var before, after map[string]any
	require.NoError(t, json.Unmarshal(entries[0].Before, &before))
	require.NoError(t, json.Unmarshal(entries[0].After, &after))
	require.Equal(t, "Ivan", before["name"])
	require.Equal(t, "Ivan Sidorov", after["name"])
	for _, e := range entries {
		require.False(t, strings.Contains(string(e.Before)+string(e.After), "secret-hash"), "no password hash in the log")
	}
}

func TestAuditRowsCannotBeChanged(t *testing.T) {
	ctx := store.WithActor(context.Background(), "admin")
	s := newStore(t)
	_, err := s.CreateUser(ctx, store.User{Login: "ivan"}, "x")
	require.NoError(t, err)
	require.NoError(t, s.RecordFailedLogin(ctx, "ivan", "127.0.0.1"))
	for _, sql := range []string{`UPDATE audit SET actor = 'nobody'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		_, err := s.Pool().Exec(ctx, sql)
		require.ErrorContains(t, err, "audit rows are immutable", sql)
	}
	entries, _, err := s.Audit(ctx, store.AuditFilter{Actor: "ivan"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "login_failed", entries[0].Action)
}
