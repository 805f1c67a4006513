package services_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// An admin sees who is locked out of signing in and unlocks them, from
// every address at once; the unlock is audited.
func TestAnAdminUnlocksALockedOutLogin(t *testing.T) {
	svc, ctx, user := orgServices(t)
	svc.LimitSignIns(time.Now, func(_, password string) bool { return password == "right" })
	root, ivan := user("root"), user("ivan")
	for _, address := range []string{"192.0.2.1", "192.0.2.2"} {
		for range 5 {
			_, _, err := svc.SignIn(ctx, "ivan", "wrong", address)
			require.ErrorIs(t, err, auth.ErrBadCredentials)
		}
		_, _, err := svc.SignIn(ctx, "ivan", "right", address)
		var limited *auth.LimitedError
		require.True(t, errors.As(err, &limited), "locked out from %s: %v", address, err)
	}
	wait, err := svc.SignInWait(root, "ivan")
	require.NoError(t, err)
	require.Positive(t, wait)
	_, err = svc.SignInWait(ivan, "ivan")
	require.ErrorIs(t, err, refusal.ErrForbidden, "only admins see the limits")
	require.ErrorIs(t, svc.UnlockSignIns(ctx, ivan, "ivan"), refusal.ErrForbidden)
	require.ErrorIs(t, svc.UnlockSignIns(ctx, root, "ghost"), refusal.ErrNotFound)

	require.NoError(t, svc.UnlockSignIns(store.WithActor(ctx, "root"), root, "ivan"))
	wait, err = svc.SignInWait(root, "ivan")
	require.NoError(t, err)
	require.Zero(t, wait)
	for _, address := range []string{"192.0.2.1", "192.0.2.2"} {
		_, _, err := svc.SignIn(ctx, "ivan", "right", address)
		require.NoError(t, err, "from %s", address)
	}
	entries, _, err := svc.Store.Audit(ctx, store.AuditFilter{Actor: "root", Entity: "session", EntityID: "ivan"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "login_unlocked", entries[0].Action)
}
