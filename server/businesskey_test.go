package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// A conveyor whose work goes to maria only: ivan takes no part in it.
const mariasDeal = `id: deal
title: Maria's deal
variables:
  type: object
  properties:
    secret: {type: string}
start: talk
stages:
  talk:
    title: Talk
    assignee: {user: maria}
    transitions:
      - to: done
ends:
  done: {title: Done}
`

// Starting with a business key that exists returns that process only to
// those who may see it: to anyone else it is a 409 that shows nothing of it.
func TestABusinessKeyDoesNotOpenAProcessOneMayNotSee(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, []byte(mariasDeal))
	olga, ivan, maria := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria")
	start := map[string]any{"definition": "deal", "businessKey": "big-one", "variables": map[string]any{"secret": "the price is 42"}}
	var p processDetail
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", olga, start, &p))
	openItem(t, e, olga, p.ID)

	status, _ := e.Raw(t, "GET", "/api/v1/processes/"+p.ID, ivan, nil)
	require.Equal(t, http.StatusNotFound, status)
	status, body := e.Raw(t, "POST", "/api/v1/processes", ivan, map[string]any{"definition": "deal", "businessKey": "big-one"})
	require.Equal(t, http.StatusConflict, status, string(body))
	for _, leak := range []string{p.ID, "the price", "maria", "talk"} {
		require.NotContains(t, string(body), leak)
	}

	// Those who see it get it, as before.
	for _, token := range []string{olga, maria} {
		var again processDetail
		require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes", token, map[string]any{"definition": "deal", "businessKey": "big-one"}, &again))
		require.Equal(t, p.ID, again.ID)
	}
}
