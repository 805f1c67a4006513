package server_test

import (
	"bytes"
	"net/http"
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
