package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// The funnel through the API counts what the conveyor did: two processes
// started, one past the cold call to a won deal, one refused; stages in the
// plan's order, ends by count; a bad period says where.
func TestTheFunnelCountsTheConveyorsWork(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan, maria, sergey := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey")
	won := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "f-won", "variables": map[string]any{"source": "website"}})
	refused := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "f-refused", "variables": map[string]any{"source": "website"}})
	c := complete(t, e, ivan, openItem(t, e, olga, won.ID).ID, map[string]any{"data": map[string]any{"result": "interested"}})
	d := complete(t, e, maria, c.Next[0].ID, map[string]any{"data": map[string]any{"result": "won", "amount": 900}, "next": map[string]any{"assignee": "sergey"}})
	complete(t, e, sergey, d.Next[0].ID, map[string]any{"data": map[string]any{"result": "done"}})
	complete(t, e, ivan, openItem(t, e, olga, refused.ID).ID, map[string]any{"data": map[string]any{"result": "refused"}})

	var f struct {
		Processes int
		Stages    []struct {
			Stage         string
			Reached, Left int
			Conversion    float64
		}
		Ends []struct {
			End   string
			Count int
		}
	}
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/analytics/funnel?definition=sales", olga, nil, &f))
	require.Equal(t, 2, f.Processes)
	require.Len(t, f.Stages, 3)
	require.Equal(t, "cold_call", f.Stages[0].Stage)
	require.Equal(t, 2, f.Stages[0].Reached)
	require.Equal(t, 2, f.Stages[0].Left)
	require.Equal(t, "deal", f.Stages[1].Stage)
	require.Equal(t, 1, f.Stages[1].Reached)
	require.Equal(t, "service", f.Stages[2].Stage)
	require.InDelta(t, 1.0, f.Stages[2].Conversion, 1e-9)
	require.Len(t, f.Ends, 2)
	require.Equal(t, 1, f.Ends[0].Count)

	status, body := e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&from=yesterday", olga, nil)
	require.Equal(t, "must be a date YYYY-MM-DD", requireRefused(t, status, body, "from"))
	status, body = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&from=2026-12-10&to=2026-12-01", olga, nil)
	require.Equal(t, "must be after from", requireRefused(t, status, body, "/to"))
	var money struct {
		SumOf  string
		Stages []struct{ Sum float64 }
	}
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/analytics/funnel?definition=sales&sum=amount", olga, nil, &money))
	require.Equal(t, "amount", money.SumOf)
	require.InDelta(t, 900, money.Stages[1].Sum, 1e-9, "the won deal's amount, next to the deal's counts")
	status, body = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&sum=result", olga, nil)
	require.Equal(t, "not a number field of any stage's form", requireRefused(t, status, body, "/sum"))
	status, _ = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=nothing", olga, nil)
	require.Equal(t, http.StatusNotFound, status)
}
