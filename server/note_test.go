package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

func TestAHandOverNoteIsBoundedBeforeItReachesTheHistory(t *testing.T) {
	e := testenv.New(t)
	_, cold := startSales(t, e)
	olga := e.Login(t, "olga")
	var refused problem
	status := e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/reassign", olga,
		map[string]any{"assignee": "ivan", "note": strings.Repeat("n", 2001)}, &refused)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, "/note", refused.Errors[0].Path)
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/reassign", olga,
		map[string]any{"assignee": "ivan", "note": "call after lunch"}, nil))
}
