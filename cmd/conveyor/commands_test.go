package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/store"
)

func TestMigrateThenCreateTheFirstAdmin(t *testing.T) {
	pool, dsn := pgtest.NewDBURL(t)

	out, _, err := runCLI(t, "migrate", "--database-url", dsn)
	require.NoError(t, err)
	require.Contains(t, out, "up to date")

	t.Setenv("CONVEYOR_PASSWORD", "s3cret")
	out, _, err = runCLI(t, "users", "create", "--database-url", dsn, "--login", "boss", "--name", "The Boss", "--roles", "admin, supervisor")
	require.NoError(t, err)
	require.Contains(t, out, "created user boss")

	st := store.New(pool)
	u, err := st.User(context.Background(), "boss")
	require.NoError(t, err)
	require.Equal(t, []string{"admin", "supervisor"}, u.Roles)
	hash, active, err := st.PasswordHash(context.Background(), "boss")
	require.NoError(t, err)
	require.True(t, active)
	require.True(t, auth.CheckPassword(hash, "s3cret"))

	_, _, err = runCLI(t, "users", "create", "--database-url", dsn, "--login", "boss")
	require.ErrorContains(t, err, "login already taken")
}

func TestLongRunningCommandsSayWhatIsMissing(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	for _, cmd := range []string{"server", "worker", "migrate"} {
		_, _, err := runCLI(t, cmd)
		require.ErrorContains(t, err, "DATABASE_URL (or --database-url) is required", cmd)
	}
	_, _, err := runCLI(t, "server", "--database-url", "postgres://x", "--log-level", "loud")
	require.ErrorContains(t, err, "--log-level must be")
	_, _, err = runCLI(t, "server", "--database-url", "postgres://x", "--time-zone", "Mars/Olympus")
	require.ErrorContains(t, err, "--time-zone")
	_, stderr, err := runCLI(t, "server", "--no-such-flag")
	require.Equal(t, exitCode(2), err)
	require.True(t, strings.Contains(stderr, "no-such-flag"))
}
