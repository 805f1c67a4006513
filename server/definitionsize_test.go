package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/internal/testenv"
)

func TestADefinitionOverTheLanguagesBoundIsRefusedUnread(t *testing.T) {
	e := testenv.New(t)
	huge := append([]byte("id: huge\n# "), bytes.Repeat([]byte("x"), definitions.MaxDefinitionBytes)...)
	status, body := e.Raw(t, "POST", "/api/v1/definitions?dryRun=true", e.Login(t, "anna"), huge)
	require.Equal(t, http.StatusRequestEntityTooLarge, status, string(body))
	require.Contains(t, string(body), "at most")
}

// A check through the API answers with the warnings of what compiles but
// is likely not meant, each at its line and column.
func TestADryRunAnswersWithTheDefinitionsWarnings(t *testing.T) {
	e := testenv.New(t)
	src := "id: w\ntitle: W\nstart: a\nstages:\n  a:\n    title: A\n    assignee: {user: ivan}\n    form:\n      type: object\n" +
		"      properties:\n        amount: {type: number}\n    transitions:\n      - when: data.amount > 0\n        to: done\n      - to: done\nends:\n  done: {title: Done}\n"
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.URL+"/api/v1/definitions?dryRun=true", strings.NewReader(src))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.Login(t, "anna"))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Valid    bool
		Warnings []struct {
			Path         string
			Line, Column int
			Message      string
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.True(t, out.Valid)
	require.Len(t, out.Warnings, 1)
	require.Equal(t, "/stages/a/transitions/0/when", out.Warnings[0].Path)
	require.Equal(t, 13, out.Warnings[0].Line)
	require.Contains(t, out.Warnings[0].Message, "data.amount is optional")
}
