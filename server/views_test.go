package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

type viewResult struct {
	Columns []struct{ Key, Type string }
	Rows    []struct {
		ID     string
		Values []any
	}
	Count  int
	Groups []struct {
		Keys  []any
		Count int
		Sums  []float64
	}
}

type savedView struct {
	ID, Owner, Sharing string
	Locked, CanSave    bool
	Spec               map[string]any
}

// overdueDeal starts a process whose deal maria planned ten days back, so
// it is overdue, with the amount she expects.
func overdueDeal(t *testing.T, e *testenv.Env, key string, amount float64) string {
	t.Helper()
	olga, ivan, maria := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria")
	p := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": key, "variables": map[string]any{"source": "website"}})
	c := complete(t, e, ivan, openItem(t, e, olga, p.ID).ID, map[string]any{"data": map[string]any{"result": "interested"}})
	back := time.Now().Add(-10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	complete(t, e, maria, c.Next[0].ID, map[string]any{"data": map[string]any{"result": "next_step", "amount": amount, "nextStepAt": back}})
	return p.ID
}

// The supervisor's view through the API: overdue deals of her team,
// grouped by manager with the amount, shared locked with the team. A
// manager of the team sees it, cannot save over it, filters it for the
// moment and copies it; every row is one they may see; an export streams
// the same rows; a view that does not fit is refused with the path.
func TestASupervisorsViewIsSharedLockedAndShowsEachViewerTheirOwnRows(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, maria, sergey := e.Login(t, "olga"), e.Login(t, "maria"), e.Login(t, "sergey")
	late := []string{overdueDeal(t, e, "v-1", 1200), overdueDeal(t, e, "v-2", 800)}
	onTime := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "v-3", "variables": map[string]any{"source": "website"}})
	openItem(t, e, olga, onTime.ID)

	body := map[string]any{"list": "processes", "name": "Overdue deals of my team", "sharing": "team", "locked": true,
		"spec": map[string]any{"definition": "sales", "columns": []string{"client", "businessKey", "assignee", "due", "form.amount"},
			"filter": map[string]any{"all": []any{
				map[string]any{"column": "stage", "op": "eq", "value": "deal"},
				map[string]any{"column": "overdue", "op": "eq", "value": true},
				map[string]any{"column": "assignee", "op": "my_team"},
			}},
			"sort": []any{map[string]any{"column": "form.amount", "desc": true}}, "group": []string{"assignee"}, "sums": []string{"form.amount"}}}
	var v savedView
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/views", olga, body, &v))
	require.Equal(t, "olga", v.Owner)

	var res viewResult
	require.Eventually(t, func() bool {
		return e.Do(t, "GET", "/api/v1/views/"+v.ID+"/rows", olga, nil, &res) == http.StatusOK && res.Count == 2
	}, 20*time.Second, 50*time.Millisecond, "the two late deals are marked overdue")
	require.Equal(t, late[0], res.Rows[0].ID, "the larger amount first")
	require.Equal(t, []any{nil, "v-1", "maria", res.Rows[0].Values[3], 1200.0}, res.Rows[0].Values)
	require.Len(t, res.Groups, 1)
	require.Equal(t, []any{"maria"}, res.Groups[0].Keys)
	require.Equal(t, 2, res.Groups[0].Count)
	require.Equal(t, []float64{2000}, res.Groups[0].Sums)

	// maria is in olga's team: she sees the view, may not save over it,
	// and sees her rows (they are hers).
	var list struct{ Items []savedView }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/views?list=processes", maria, nil, &list))
	require.Len(t, list.Items, 1)
	require.False(t, list.Items[0].CanSave)
	status, raw := e.Raw(t, "PUT", "/api/v1/views/"+v.ID, maria, body)
	require.Equal(t, http.StatusForbidden, status, string(raw))
	require.Contains(t, string(raw), "save it as yours")

	// Filtered for the moment: the same spec with one more condition, not
	// saved.
	spec := body["spec"].(map[string]any)
	moment := map[string]any{"list": "processes", "name": "x", "spec": map[string]any{"definition": "sales", "columns": spec["columns"],
		"filter": map[string]any{"all": []any{spec["filter"], map[string]any{"column": "form.amount", "op": "between", "value": []any{1000, nil}}}}}}
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/views/run", maria, moment, &res))
	require.Equal(t, 1, res.Count)

	var mine savedView
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/views/"+v.ID+"/copy", maria, map[string]any{"name": "My late deals"}, &mine))
	require.Equal(t, "maria", mine.Owner)
	require.Equal(t, "private", mine.Sharing)

	// sergey is in the team too: the view shows him none of maria's
	// processes, which he may not see.
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/views/"+v.ID+"/rows", sergey, nil, &res))
	require.Zero(t, res.Count)
	require.Empty(t, res.Rows)
	// anna is in no one's team: no such view for her.
	status, _ = e.Raw(t, "GET", "/api/v1/views/"+v.ID, e.Login(t, "anna"), nil)
	require.Equal(t, http.StatusNotFound, status)

	// The export streams the rows the asker sees: a BOM, a header, the
	// rows.
	status, raw = e.Raw(t, "GET", "/api/v1/views/"+v.ID+"/export?format=csv", olga, nil)
	require.Equal(t, http.StatusOK, status, string(raw))
	require.True(t, bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")), "a BOM for Excel")
	records, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3)
	require.Equal(t, "v-1", records[1][1])
	require.Equal(t, "1200", records[1][4])
	status, raw = e.Raw(t, "GET", "/api/v1/views/"+v.ID+"/export?format=xlsx", olga, nil)
	require.Equal(t, http.StatusOK, status)
	require.True(t, bytes.HasPrefix(raw, []byte("PK")), "a zip package")

	// A view that does not fit says where.
	bad := map[string]any{"list": "processes", "name": "bad", "spec": map[string]any{"definition": "sales",
		"columns": []string{"client", "form.nothing"}, "filter": map[string]any{"column": "due", "op": "contains", "value": "x"}}}
	status, raw = e.Raw(t, "POST", "/api/v1/views", olga, bad)
	require.Equal(t, "no such field in the conveyor's current version", requireRefused(t, status, raw, "/spec/columns/1"))
	require.True(t, strings.HasPrefix(errorAt(t, raw, "/spec/filter/op"), "a date column takes within"))
	status, raw = e.Raw(t, "POST", "/api/v1/views", olga, map[string]any{"list": "processes", "name": "bad", "spec": map[string]any{"columns": []string{}}, "extra": 1})
	require.Equal(t, http.StatusUnprocessableEntity, status, string(raw))
	require.NotEmpty(t, errorAt(t, raw, "/spec/columns"))
	status, raw = e.Raw(t, "POST", "/api/v1/views", maria, map[string]any{"list": "clients", "name": "all", "sharing": "everyone", "spec": map[string]any{"columns": []string{"name"}}})
	require.Equal(t, "not allowed to you", requireRefused(t, status, raw, "/sharing"))

	// A default view of a list is an admin's to set, and shared with all.
	admin := e.Login(t, "admin")
	status, raw = e.Raw(t, "PUT", "/api/v1/view-defaults/processes/manager", admin, map[string]any{"view": v.ID})
	require.Equal(t, "must be shared with everyone", requireRefused(t, status, raw, "/view"))
	status, _ = e.Raw(t, "PUT", "/api/v1/view-defaults/processes/manager", olga, map[string]any{"view": v.ID})
	require.Equal(t, http.StatusForbidden, status)
	body["sharing"] = "everyone"
	require.Equal(t, http.StatusOK, e.Do(t, "PUT", "/api/v1/views/"+v.ID, olga, body, &v))
	require.Equal(t, http.StatusNoContent, e.Do(t, "PUT", "/api/v1/view-defaults/processes/manager", admin, map[string]any{"view": v.ID}, nil))
	var defaults map[string]string
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/view-defaults/processes", maria, nil, &defaults))
	require.Equal(t, map[string]string{"manager": v.ID}, defaults)

	require.Equal(t, http.StatusForbidden, e.Do(t, "DELETE", "/api/v1/views/"+v.ID, maria, nil, nil))
	require.Equal(t, http.StatusNoContent, e.Do(t, "DELETE", "/api/v1/views/"+v.ID, olga, nil, nil))
	var after map[string]string
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/view-defaults/processes", maria, nil, &after))
	require.Empty(t, after, "the default goes with its view")
}

// A view of a field the conveyor's new version no longer has is refused
// with the column's path when it runs, not failed.
func TestAViewOfAFieldANewVersionDroppedSaysWhichColumn(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga := e.Login(t, "olga")
	var v savedView
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/views", olga, map[string]any{"list": "processes", "name": "Amounts",
		"spec": map[string]any{"definition": "sales", "columns": []string{"client", "form.amount"}}}, &v))
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/views/"+v.ID+"/rows", olga, nil, nil))
	publish(t, e, []byte(strings.ReplaceAll(string(exampleYAML(t)), "amount", "total")))
	status, raw := e.Raw(t, "GET", "/api/v1/views/"+v.ID+"/rows", olga, nil)
	require.Equal(t, "no such field in the conveyor's current version", requireRefused(t, status, raw, "/spec/columns/1"))
	status, _ = e.Raw(t, "GET", "/api/v1/views/"+v.ID+"/export", olga, nil)
	require.Equal(t, http.StatusUnprocessableEntity, status, "the export says so too")
}
