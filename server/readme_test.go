package server_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// The README's curl walkthrough runs as written (bash, curl, jq) against
// the demo, and takes a client from the start to a won deal: every variable
// it uses is set from a reply, and a failing call stops it.
func TestTheREADMEWalkthroughRuns(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "## A client along the conveyor, with curl")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "```sh\n")
	require.True(t, ok)
	script, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	const api = "API=http://localhost:8080/api/v1\n"
	require.Contains(t, script, api)
	script = strings.Replace(script, api, "API=$CONVEYOR_API\n", 1)

	e := testenv.Seeded(t)
	cmd := exec.CommandContext(t.Context(), "bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "CONVEYOR_API="+e.URL+"/api/v1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	var state, end string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(),
		`SELECT state, coalesce(end_id, '') FROM processes WHERE business_key = 'acme'`).Scan(&state, &end))
	require.Equal(t, store.ProcessCompleted, state, "%s", out)
	require.Equal(t, "won", end)

	// A call that fails says so and stops the script.
	failing := strings.Replace(script, `"password\":\"$2\"`, `"password\":\"wrong\"`, 1)
	require.NotEqual(t, script, failing)
	cmd = exec.CommandContext(t.Context(), "bash", "-euo", "pipefail", "-c", failing)
	cmd.Env = append(os.Environ(), "CONVEYOR_API="+e.URL+"/api/v1")
	out, err = cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "POST /auth/token: HTTP 401")
}
