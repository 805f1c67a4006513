package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// Servers and workers refuse to start without the key that signs their
// Updates: a default would be the same well-known key everywhere.
func TestServersAndWorkersNeedTheUpdateKey(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://localhost/conveyor")
	groups := flagDB | flagTemporal | flagHTTP
	t.Setenv("CONVEYOR_UPDATE_KEY", "")
	_, _, err := parse("server", nil, io.Discard, groups, groups)
	require.ErrorContains(t, err, "CONVEYOR_UPDATE_KEY is required")
	t.Setenv("CONVEYOR_UPDATE_KEY", "too short")
	_, _, err = parse("worker", nil, io.Discard, groups, groups)
	require.ErrorContains(t, err, "at least 32 bytes")
	t.Setenv("CONVEYOR_UPDATE_KEY", "0123456789abcdef0123456789abcdef")
	_, _, err = parse("server", nil, io.Discard, groups, groups)
	require.NoError(t, err)
}

func TestTrustedProxiesMustBeAddresses(t *testing.T) {
	_, _, err := parse("server", []string{"--trusted-proxies", "10.0.0.0/8, not-an-address"}, io.Discard, flagHTTP, flagHTTP)
	require.ErrorContains(t, err, "--trusted-proxies")
	cfg, _, err := parse("server", []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, io.Discard, flagHTTP, flagHTTP)
	require.NoError(t, err)
	require.Equal(t, "10.0.0.0/8, 192.0.2.7", cfg.HTTP.TrustedProxies)
}

// The completion limit may be lowered, never raised past what expressions
// were checked for.
func TestTheCompletionLimitMayOnlyBeLowered(t *testing.T) {
	t.Setenv("CONVEYOR_MAX_COMPLETION_BYTES", "16384")
	cfg, _, err := parse("dev", nil, io.Discard, flagHTTP, flagHTTP)
	require.NoError(t, err)
	require.Equal(t, 16384, cfg.MaxCompletionBytes)
	t.Setenv("CONVEYOR_MAX_COMPLETION_BYTES", "10485760")
	_, _, err = parse("dev", nil, io.Discard, flagHTTP, flagHTTP)
	require.ErrorContains(t, err, "CONVEYOR_MAX_COMPLETION_BYTES must be between")
}
