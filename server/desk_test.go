package server_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// The desktop through the API: one's live counts, the team's load, pins
// in one's order with a view's live count; a pin is one's own.
func TestTheDesktopThroughTheAPI(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan := e.Login(t, "olga"), e.Login(t, "ivan")
	p := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "d-1", "variables": map[string]any{"source": "website"}})
	openItem(t, e, olga, p.ID)

	type desk struct {
		Tiles []struct {
			Key   string
			Count int
		}
		Pins []struct {
			ID    int64
			Kind  string
			Title string
			Count int
		}
		Team []struct {
			Login           string
			Open, Attention int
		}
	}
	var d desk
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/desk", ivan, nil, &d))
	require.Equal(t, "attention", d.Tiles[0].Key)
	require.Equal(t, 1, d.Tiles[0].Count, "ivan's new cold call")
	require.Empty(t, d.Team)

	var v savedView
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/views", olga, map[string]any{"list": "workitems", "name": "Open work of my team",
		"spec": map[string]any{"columns": []string{"title", "assignee"}, "filter": map[string]any{"all": []any{
			map[string]any{"column": "state", "op": "in", "value": []string{"attention", "in_progress"}},
			map[string]any{"column": "assignee", "op": "my_team"}}}}}, &v))
	var pin struct{ ID int64 }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/desk/pins", olga, map[string]any{"view": v.ID}, &pin))
	var funnel struct{ ID int64 }
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/desk/pins", olga, map[string]any{"funnel": "sales"}, &funnel))
	require.Equal(t, http.StatusNoContent, e.Do(t, "POST", "/api/v1/desk/pins/"+strconv.FormatInt(funnel.ID, 10)+"/move", olga, map[string]any{"by": -1}, nil))

	d = desk{}
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/desk", olga, nil, &d))
	require.Len(t, d.Pins, 2)
	require.Equal(t, "funnel", d.Pins[0].Kind, "moved first")
	require.Equal(t, "Open work of my team", d.Pins[1].Title)
	require.Equal(t, 1, d.Pins[1].Count)
	require.Equal(t, "ivan", d.Team[0].Login, "the most loaded first")
	require.Equal(t, 1, d.Team[0].Open)
	require.Equal(t, 1, d.Team[0].Attention)

	status, body := e.Raw(t, "POST", "/api/v1/desk/pins", olga, map[string]any{"view": v.ID, "funnel": "sales"})
	require.Equal(t, "give view or funnel, one of them", requireRefused(t, status, body, "/view"))
	require.Equal(t, http.StatusNotFound, e.Do(t, "DELETE", "/api/v1/desk/pins/"+strconv.FormatInt(pin.ID, 10), ivan, nil, nil), "olga's pin is not ivan's")
	require.Equal(t, http.StatusNoContent, e.Do(t, "DELETE", "/api/v1/desk/pins/"+strconv.FormatInt(pin.ID, 10), olga, nil, nil))
}
