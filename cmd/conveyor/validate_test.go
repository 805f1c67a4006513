package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestValidateAcceptsTheExampleSilently(t *testing.T) {
	out, _, err := runCLI(t, "validate", "../../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	require.Empty(t, out)
}

func TestValidatePrintsEveryMistakeWithItsPositionAndFails(t *testing.T) {
	const file = "../../definitions/testdata/rules/many-mistakes.yaml"
	out, _, err := runCLI(t, "validate", file)
	require.Equal(t, exitCode(1), err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.GreaterOrEqual(t, len(lines), 6, "six different mistakes, all reported at once")
	for _, want := range []string{
		file + `:2:5: invalid id "Sales"`,
		file + `:5:1: unknown key "colour"`,
		file + `:6:8: start names an unknown stage "cold_cal"`,
		file + `:11:10: invalid duration "2x"`,
		file + `:12:15: progress must be between 0 and 100`,
		file + `:18:27: expression: invalid operation: ==`,
		file + `:37:3: duplicate key "won"`,
	} {
		require.Contains(t, out, want)
	}
	require.True(t, strings.HasPrefix(lines[0], file+":2:5:"), "sorted by position")
}

func TestValidateJSONIsForTools(t *testing.T) {
	out, _, err := runCLI(t, "validate", "--json", "../../definitions/testdata/rules/unknown-start.yaml", "../../examples/sales-conveyor.yaml")
	require.Equal(t, exitCode(1), err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got, 1)
	require.Equal(t, "../../definitions/testdata/rules/unknown-start.yaml", got[0]["file"])
	require.EqualValues(t, 3, got[0]["line"])
	require.EqualValues(t, 8, got[0]["column"])
	require.Equal(t, "/start", got[0]["path"])
}

func TestValidateReportsAnUnreadableFile(t *testing.T) {
	out, _, err := runCLI(t, "validate", "no-such-file.yaml")
	require.Equal(t, exitCode(1), err)
	require.Equal(t, "no-such-file.yaml:1:1: cannot read: no such file or directory\n", out)
}

func TestUsageErrorsExitWithTwo(t *testing.T) {
	_, stderr, err := runCLI(t, "validate")
	require.Equal(t, exitCode(2), err)
	require.Contains(t, stderr, "usage: conveyor validate")
	_, stderr, err = runCLI(t, "frobnicate")
	require.Equal(t, exitCode(2), err)
	require.Contains(t, stderr, `unknown command "frobnicate"`)
}

// A condition reading a field the form may leave out is printed as a
// warning at its place, and does not fail the check.
func TestValidateWarnsWithoutFailing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`id: w
title: W
start: deal
stages:
  deal:
    title: Deal
    assignee: {user: ivan}
    form:
      type: object
      properties:
        amount: {type: number}
    transitions:
      - when: data.amount > 0
        to: done
      - to: done
ends:
  done: {title: Done}
`), 0o644))
	stdout, _, err := runCLI(t, "validate", file)
	require.NoError(t, err, "warnings alone pass")
	require.Equal(t, file+":13:20: warning: expression: data.amount is optional in the form: when it is left out, this reads it as empty (0, \"\" or false); require it (required, or if/then for the results that need it)\n", stdout)
}
