package store_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/store"
)

// viewItem is what the view tests know of each work item they made.
type viewItem struct {
	id, assignee string
	due          *time.Time
	amount       float64
	done         bool
}

// viewData makes 30 processes, each a done cold call with an amount and
// an open deal, for ivan or petr by turns, a third of the deals with no
// deadline and several sharing one, so sorts meet ties and NULLs.
func viewData(t *testing.T) (*store.Store, []viewItem) {
	t.Helper()
	s := runtimeStore(t)
	ctx := store.WithActor(context.Background(), "test")
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var open []viewItem
	for i := range 30 {
		id := fmt.Sprintf("vp%02d", i)
		newProcess(t, s, id)
		who := []string{"ivan", "petr"}[i%2]
		rule := definitions.Assignee{Kind: definitions.AssignUser, User: who}
		res, err := s.ApplyStep(ctx, openStep(id, 1, rule))
		require.NoError(t, err)
		deal := openStep(id, 2, rule)
		deal.Open.Stage, deal.Open.Title = "deal", "Deal"
		deal.Open.Due = nil
		if i%3 != 0 {
			due := base.Add(time.Duration(i%7) * 24 * time.Hour)
			deal.Open.Due = &due
		}
		amount := float64(100 * (i + 1))
		deal.Close = &store.CloseItem{ItemID: res.Next.ID, By: who, Data: json.RawMessage(fmt.Sprintf(`{"result":"interested","amount":%v}`, amount))}
		_, err = s.ApplyStep(ctx, deal)
		require.NoError(t, err)
		open = append(open, viewItem{id: id + ".2", assignee: who, due: deal.Open.Due, amount: amount})
	}
	return s, open
}

func column(t *testing.T, list, key string) store.ViewColumn {
	t.Helper()
	c, ok := store.ListColumn(list, key)
	require.True(t, ok, key)
	return c
}

func amountColumn(t *testing.T) store.ViewColumn {
	t.Helper()
	c, ok := store.FieldColumn(store.ListWorkItems, "form", "amount", store.TypeNumber)
	require.True(t, ok)
	return c
}

func eq(c store.ViewColumn, v any) store.ViewFilter {
	return store.ViewFilter{Cond: &store.ViewCond{Column: c, Op: "eq", Values: []any{v}}}
}

// viewPages reads a view page by page.
func viewPages(t *testing.T, s *store.Store, viewer store.Viewer, q store.ViewQuery) []store.ViewRow {
	t.Helper()
	var out []store.ViewRow
	for range 100 {
		rows, next, err := s.ViewRows(context.Background(), viewer, q)
		require.NoError(t, err)
		out = append(out, rows...)
		if next == "" {
			return out
		}
		q.After = next
	}
	t.Fatal("the pages never end")
	return nil
}

// Paged by its cursor over two sort keys, one with NULLs and ties, a view
// gives every row once in exactly the order of the keys, NULLs last.
func TestAViewPagesThroughItsSortKeysWithTiesAndNulls(t *testing.T) {
	s, items := viewData(t)
	state := column(t, store.ListWorkItems, "state")
	due := column(t, store.ListWorkItems, "due")
	assignee := column(t, store.ListWorkItems, "assignee")
	q := store.ViewQuery{List: store.ListWorkItems, Columns: []store.ViewColumn{due, assignee, amountColumn(t)},
		Filter: &store.ViewFilter{All: []store.ViewFilter{eq(state, "attention")}},
		Sort:   []store.ViewSort{{Column: due, Desc: true}, {Column: assignee}}, Page: store.Page{Limit: 7}}
	got := viewPages(t, s, store.Viewer{Login: "olga", Admin: true}, q)

	want := slices.Clone(items)
	slices.SortFunc(want, func(a, b viewItem) int {
		switch {
		case a.due == nil && b.due != nil:
			return 1
		case a.due != nil && b.due == nil:
			return -1
		case a.due != nil && !a.due.Equal(*b.due):
			return b.due.Compare(*a.due)
		}
		return cmp.Or(cmp.Compare(a.assignee, b.assignee), cmp.Compare(a.id, b.id))
	})
	require.Len(t, got, len(want))
	for i, w := range want {
		require.Equal(t, w.id, got[i].ID, "row %d", i)
		require.Equal(t, w.assignee, got[i].Values[1])
		require.Equal(t, w.amount, got[i].Values[2], "the amount from the cold call's form")
	}

	// Ascending, the NULLs still come last.
	q.Sort[0].Desc = false
	asc := viewPages(t, s, store.Viewer{Login: "olga", Admin: true}, q)
	require.Len(t, asc, len(want))
	require.Nil(t, asc[len(asc)-1].Values[0])
	require.NotNil(t, asc[0].Values[0])

	_, _, err := s.ViewRows(context.Background(), store.Viewer{Login: "olga"}, store.ViewQuery{List: store.ListWorkItems, Sort: q.Sort, Page: store.Page{After: "eyJrIjpbIm5vdCBhIHRpbWUiLG51bGxdLCJpIjoieCJ9"}})
	require.ErrorIs(t, err, store.ErrBadCursor, "a cursor whose key is no time")
}

// A view shows a manager their own rows only, whatever it filters; "me"
// and "my team" are the viewer's; groups count and sum what is seen.
func TestAViewShowsOnlyWhatItsViewerMaySeeAndGroupsIt(t *testing.T) {
	s, items := viewData(t)
	ctx := context.Background()
	assignee := column(t, store.ListWorkItems, "assignee")
	stage := column(t, store.ListWorkItems, "stage")
	q := store.ViewQuery{List: store.ListWorkItems, Columns: []store.ViewColumn{assignee}, Filter: &store.ViewFilter{All: []store.ViewFilter{eq(stage, "deal")}}, Page: store.Page{Limit: 200}}

	ivan := viewPages(t, s, store.Viewer{Login: "ivan"}, q)
	require.Len(t, ivan, 15)
	for _, r := range ivan {
		require.Equal(t, "ivan", r.Values[0])
	}
	petrs := q
	petrs.Filter = &store.ViewFilter{All: []store.ViewFilter{eq(stage, "deal"), eq(assignee, "petr")}}
	none, _, err := s.ViewRows(ctx, store.Viewer{Login: "ivan"}, petrs)
	require.NoError(t, err)
	require.Empty(t, none, "a filter for another's rows shows none of them")

	team := q
	team.Filter = &store.ViewFilter{All: []store.ViewFilter{eq(stage, "deal"), {Cond: &store.ViewCond{Column: assignee, Op: "my_team"}}}}
	require.Len(t, viewPages(t, s, store.Viewer{Login: "olga"}, team), 30, "olga's team is ivan and petr")
	mine := q
	mine.Filter = &store.ViewFilter{All: []store.ViewFilter{eq(stage, "deal"), {Cond: &store.ViewCond{Column: assignee, Op: "me"}}}}
	require.Empty(t, viewPages(t, s, store.Viewer{Login: "olga"}, mine))

	groups, err := s.ViewGroups(ctx, store.Viewer{Login: "olga"}, q, []store.ViewColumn{assignee}, []store.ViewColumn{amountColumn(t)})
	require.NoError(t, err)
	sums := map[string]float64{}
	for _, it := range items {
		sums[it.assignee] += it.amount
	}
	require.Equal(t, []store.ViewGroup{
		{Keys: []any{"ivan"}, Count: 15, Sums: []float64{sums["ivan"]}},
		{Keys: []any{"petr"}, Count: 15, Sums: []float64{sums["petr"]}},
	}, groups)
	ivanGroups, err := s.ViewGroups(ctx, store.Viewer{Login: "ivan"}, q, []store.ViewColumn{assignee}, nil)
	require.NoError(t, err)
	require.Equal(t, []store.ViewGroup{{Keys: []any{"ivan"}, Count: 15, Sums: []float64{}}}, ivanGroups)

	n, capped, err := s.ViewCount(ctx, store.Viewer{Login: "olga"}, q, 10)
	require.NoError(t, err)
	require.Equal(t, 10, n)
	require.True(t, capped, "past the cap the count says so")
	n, capped, err = s.ViewCount(ctx, store.Viewer{Login: "ivan"}, q, 100)
	require.NoError(t, err)
	require.Equal(t, 15, n)
	require.False(t, capped)
}

// Filters combine: any of, ranges open at one end, text contained, a
// process's stages reached and passed; a field named like SQL is only a
// name.
func TestViewFiltersCombineAndNothingBecomesSQL(t *testing.T) {
	s, items := viewData(t)
	ctx := context.Background()
	admin := store.Viewer{Login: "olga", Admin: true}
	amount := amountColumn(t)
	assignee := column(t, store.ListWorkItems, "assignee")
	stage := column(t, store.ListWorkItems, "stage")
	q := store.ViewQuery{List: store.ListWorkItems, Columns: []store.ViewColumn{amount}, Page: store.Page{Limit: 200},
		Filter: &store.ViewFilter{All: []store.ViewFilter{eq(stage, "deal"), {Any: []store.ViewFilter{
			{Cond: &store.ViewCond{Column: amount, Op: "between", Values: []any{nil, 500.0}}},
			{All: []store.ViewFilter{eq(assignee, "petr"), {Cond: &store.ViewCond{Column: amount, Op: "between", Values: []any{2900.0, nil}}}}},
		}}}}}
	var want []string
	for _, it := range items {
		if it.amount < 500 || (it.assignee == "petr" && it.amount >= 2900) {
			want = append(want, it.id)
		}
	}
	var got []string
	for _, r := range viewPages(t, s, admin, q) {
		got = append(got, r.ID)
	}
	require.ElementsMatch(t, want, got)
	require.Len(t, got, 5, "100..400, and petr's 3000")

	title := column(t, store.ListWorkItems, "title")
	q.Filter = &store.ViewFilter{Cond: &store.ViewCond{Column: title, Op: "contains", Values: []any{"DEA"}}}
	require.Len(t, viewPages(t, s, admin, q), 30, "contains ignores case")

	hostile, ok := store.FieldColumn(store.ListWorkItems, "form", `amount'); DROP TABLE work_items; --`, store.TypeNumber)
	require.True(t, ok)
	q.Columns, q.Filter = []store.ViewColumn{hostile}, &store.ViewFilter{Cond: &store.ViewCond{Column: hostile, Op: "unset"}}
	require.Len(t, viewPages(t, s, admin, q), 60, "no item has that field")

	reached := column(t, store.ListProcesses, "reached")
	passed := column(t, store.ListProcesses, "passed")
	pq := store.ViewQuery{List: store.ListProcesses, Columns: []store.ViewColumn{reached, passed}, Page: store.Page{Limit: 200},
		Filter: &store.ViewFilter{All: []store.ViewFilter{
			{Cond: &store.ViewCond{Column: reached, Op: "has", Values: []any{"deal"}}},
			{Cond: &store.ViewCond{Column: passed, Op: "lacks", Values: []any{"deal"}}},
		}}}
	rows := viewPages(t, s, admin, pq)
	require.Len(t, rows, 30, "every process is in the deal and none has left it")
	require.Equal(t, []any{"cold_call, deal", "cold_call"}, rows[0].Values)
	n, _, err := s.ViewCount(ctx, admin, store.ViewQuery{List: store.ListProcesses, Filter: &store.ViewFilter{Cond: &store.ViewCond{Column: passed, Op: "has", Values: []any{"deal"}}}}, 100)
	require.NoError(t, err)
	require.Zero(t, n)
}
