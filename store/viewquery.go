package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The query builder: a view, already checked by the services and its
// columns resolved from the whitelist, becomes one parameterised SQL query
// over the list's tables with the list's visibility rule always ANDed in.
// Every value is a named argument; the only SQL text is the whitelist's.

// ViewQuery is a view as the store runs it.
type ViewQuery struct {
	List    string
	Columns []ViewColumn // shown, in order
	Filter  *ViewFilter
	Sort    []ViewSort // then the row id, for a stable keyset
	Page
}

// ViewFilter is a condition, or a group of filters all or any of which
// hold.
type ViewFilter struct {
	All, Any []ViewFilter
	Cond     *ViewCond
}

// ViewCond compares a column. Ops: eq, ne, contains (text), in (Values),
// between (Values[0] <= v < Values[1], either nil for open), set, unset,
// me, my_team (users), has, lacks (sets). Values are typed as the column:
// string, float64, bool or time.Time.
type ViewCond struct {
	Column ViewColumn
	Op     string
	Values []any
}

// ViewSort is one sort key.
type ViewSort struct {
	Column ViewColumn
	Desc   bool
}

// ViewRow is one row: its id and the shown columns' values (string,
// float64, bool, time.Time or nil).
type ViewRow struct {
	ID     string `json:"id"`
	Values []any  `json:"values"`
}

// ViewGroup is one group's keys, row count and sums.
type ViewGroup struct {
	Keys  []any     `json:"keys"`
	Count int       `json:"count"`
	Sums  []float64 `json:"sums"`
}

// ErrBadView is a view the builder cannot run (the services check views
// before; this guards the store's own contract).
var ErrBadView = errors.New("not a view of this list")

// MaxGroups bounds the groups a grouped view returns.
const MaxGroups = 1000

type builder struct {
	args  pgx.NamedArgs
	n     int
	admin bool
}

func (b *builder) arg(v any) string {
	b.n++
	k := "v" + strconv.Itoa(b.n)
	b.args[k] = v
	return "@" + k
}

// value is the column's expression, typed.
func (b *builder) value(c ViewColumn) string {
	if !c.Field() {
		if c.Type == TypeNumber {
			return "(" + c.sql + ")::float8"
		}
		return c.sql
	}
	name := b.arg(c.field)
	j := strings.ReplaceAll(c.json, "%s", name)
	switch c.Type {
	case TypeNumber:
		return "(CASE WHEN jsonb_typeof(" + j + ") = 'number' THEN (" + j + " #>> '{}')::float8 END)"
	case TypeBool:
		return "(CASE WHEN jsonb_typeof(" + j + ") = 'boolean' THEN (" + j + " #>> '{}')::boolean END)"
	case TypeDate:
		return "try_timestamptz(" + j + " #>> '{}')"
	}
	return "(" + j + " #>> '{}')"
}

// sqlType is the type a column's arguments are cast to.
func sqlType(t ColumnType) string {
	switch t {
	case TypeNumber:
		return "float8"
	case TypeDate:
		return "timestamptz"
	case TypeBool:
		return "boolean"
	}
	return "text"
}

func (b *builder) filter(f *ViewFilter) (string, error) {
	if f == nil {
		return "true", nil
	}
	if f.Cond != nil {
		return b.cond(*f.Cond)
	}
	parts, join := f.All, " AND "
	if len(f.Any) > 0 {
		parts, join = f.Any, " OR "
	}
	if len(parts) == 0 {
		return "true", nil
	}
	out := make([]string, len(parts))
	for i := range parts {
		s, err := b.filter(&parts[i])
		if err != nil {
			return "", err
		}
		out[i] = s
	}
	return "(" + strings.Join(out, join) + ")", nil
}

func (b *builder) cond(c ViewCond) (string, error) {
	t := sqlType(c.Column.Type)
	one := func() (string, error) {
		if len(c.Values) != 1 || c.Values[0] == nil {
			return "", fmt.Errorf("%s %s takes one value: %w", c.Column.Key, c.Op, ErrBadView)
		}
		return b.arg(c.Values[0]) + "::" + t, nil
	}
	if c.Column.Type == TypeSet {
		v, err := one()
		if err != nil {
			return "", err
		}
		has := fmt.Sprintf(c.Column.has, v)
		switch c.Op {
		case "has":
			return has, nil
		case "lacks":
			return "NOT " + has, nil
		}
		return "", fmt.Errorf("%s %s: %w", c.Column.Key, c.Op, ErrBadView)
	}
	x := b.value(c.Column)
	switch c.Op {
	case "eq", "ne":
		v, err := one()
		if c.Op == "ne" {
			return "(" + x + " IS DISTINCT FROM " + v + ")", err
		}
		return "(" + x + " = " + v + ")", err
	case "contains":
		v, err := one()
		return "(strpos(search_fold(" + x + "::text), search_fold(" + v + ")) > 0)", err
	case "in":
		return "(" + x + " = ANY (" + b.arg(c.Values) + "::" + t + "[]))", nil
	case "between":
		if len(c.Values) != 2 {
			return "", fmt.Errorf("%s between takes two values: %w", c.Column.Key, ErrBadView)
		}
		s := "(" + x + " IS NOT NULL"
		if c.Values[0] != nil {
			s += " AND " + x + " >= " + b.arg(c.Values[0]) + "::" + t
		}
		if c.Values[1] != nil {
			s += " AND " + x + " < " + b.arg(c.Values[1]) + "::" + t
		}
		return s + ")", nil
	case "set":
		return "(" + x + " IS NOT NULL)", nil
	case "unset":
		return "(" + x + " IS NULL)", nil
	case "me":
		return "(" + x + " = @login)", nil
	case "my_team":
		return "(" + x + " IN (SELECT login FROM scope))", nil
	}
	return "", fmt.Errorf("%s %s: %w", c.Column.Key, c.Op, ErrBadView)
}

// base is the query's FROM and WHERE with the visibility rule and filter.
func (b *builder) base(q ViewQuery) (string, error) {
	from, ok := listFrom[q.List]
	if !ok {
		return "", fmt.Errorf("list %q: %w", q.List, ErrBadView)
	}
	where, err := b.filter(q.Filter)
	if err != nil {
		return "", err
	}
	visible := "@admin"
	if !b.admin {
		visible = listID[q.List] + " = ANY ((SELECT array_agg(id) FROM visible)::text[])"
	}
	return from + " WHERE " + visible + " AND " + where, nil
}

func newBuilder(viewer Viewer) *builder { return &builder{args: viewer.args(nil), admin: viewer.Admin} }

// with is the query's common table expressions: the viewer's scope and
// grants and, for one who is no admin, the ids of the list's rows they may
// see (visibleSets).
func (b *builder) with(list string) string {
	if b.admin {
		return viewerScope + grantScope
	}
	return viewerScope + grantScope + visibleSets[list]
}

// selectList is the id and the shown columns.
func (b *builder) selectList(q ViewQuery) string {
	out := []string{listID[q.List]}
	for _, c := range q.Columns {
		if c.Type == TypeSet {
			out = append(out, c.sql)
			continue
		}
		out = append(out, b.value(c))
	}
	return strings.Join(out, ", ")
}

// order is the ORDER BY of the sort keys and the id, nulls last.
func (b *builder) order(q ViewQuery, keys []string) string {
	out := make([]string, 0, len(keys)+1)
	for i, k := range keys {
		dir := " ASC"
		if q.Sort[i].Desc {
			dir = " DESC"
		}
		out = append(out, k+dir+" NULLS LAST")
	}
	return strings.Join(append(out, listID[q.List]+" ASC"), ", ")
}

// viewCursor is the sort keys' values of a page's last row, as text, and
// its id.
type viewCursor struct {
	Keys []*string `json:"k"`
	ID   string    `json:"i"`
}

// after is the keyset condition: rows after the cursor in the order, with
// NULLs last in either direction.
func (b *builder) after(q ViewQuery, keys []string, cur viewCursor) (string, error) {
	if len(cur.Keys) != len(keys) {
		return "", fmt.Errorf("cursor: %w", ErrBadCursor)
	}
	vals := make([]string, len(keys))
	for i, k := range cur.Keys {
		if k == nil {
			continue
		}
		v, err := cursorValue(q.Sort[i].Column.Type, *k)
		if err != nil {
			return "", err
		}
		vals[i] = b.arg(v) + "::" + sqlType(q.Sort[i].Column.Type)
	}
	id := listID[q.List]
	var ors []string
	for i := 0; i <= len(keys); i++ {
		var ands []string
		for j := 0; j < i; j++ { // the keys before i are equal
			if vals[j] == "" {
				ands = append(ands, keys[j]+" IS NULL")
			} else {
				ands = append(ands, keys[j]+" = "+vals[j])
			}
		}
		switch {
		case i == len(keys):
			ands = append(ands, id+" > "+b.arg(cur.ID))
		case vals[i] == "": // nothing comes after a NULL but other NULLs
			continue
		default:
			op := " > "
			if q.Sort[i].Desc {
				op = " < "
			}
			ands = append(ands, "("+keys[i]+op+vals[i]+" OR "+keys[i]+" IS NULL)")
		}
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	return "(" + strings.Join(ors, " OR ") + ")", nil
}

// cursorValue reads a cursor's key back as its column's type, so a cursor
// that is not ours is refused here rather than by a failing cast.
func cursorValue(t ColumnType, s string) (any, error) {
	var err error
	var v any = s
	switch t {
	case TypeNumber:
		v, err = strconv.ParseFloat(s, 64)
	case TypeDate:
		v, err = time.Parse(time.RFC3339Nano, s)
	case TypeBool:
		v, err = strconv.ParseBool(s)
	}
	if err != nil {
		return nil, fmt.Errorf("cursor: %w", ErrBadCursor)
	}
	return v, nil
}

// cursorText is a sort key's value as a cursor keeps it.
func cursorText(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		s = x.UTC().Format(time.RFC3339Nano)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// ViewRows is one page of the view's rows that viewer may see.
func (s *Store) ViewRows(ctx context.Context, viewer Viewer, q ViewQuery) ([]ViewRow, string, error) {
	var cur viewCursor
	if q.After != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.After)
		if err == nil {
			err = json.Unmarshal(raw, &cur)
		}
		if err != nil {
			return nil, "", fmt.Errorf("cursor %q: %w", q.After, ErrBadCursor)
		}
	}
	b := newBuilder(viewer)
	base, err := b.base(q)
	if err != nil {
		return nil, "", err
	}
	keys := make([]string, len(q.Sort))
	for i, k := range q.Sort {
		if k.Column.Type == TypeSet {
			return nil, "", fmt.Errorf("sort by %s: %w", k.Column.Key, ErrBadView)
		}
		keys[i] = b.value(k.Column)
	}
	if q.After != "" {
		cond, err := b.after(q, keys, cur)
		if err != nil {
			return nil, "", err
		}
		base += " AND " + cond
	}
	sortSel := ""
	for _, k := range keys {
		sortSel += ", " + k
	}
	limit := q.limit()
	sql := b.with(q.List) + " SELECT " + b.selectList(q) + sortSel + base +
		" ORDER BY " + b.order(q, keys) + " LIMIT " + b.arg(limit+1)
	var out []ViewRow
	var lastKeys []any
	more := false
	err = s.eachRow(ctx, sql, b.args, func(vals []any) error {
		if len(out) == limit {
			more = true
			return nil
		}
		out = append(out, ViewRow{ID: vals[0].(string), Values: plainValues(vals[1 : 1+len(q.Columns)])})
		lastKeys = vals[1+len(q.Columns):]
		return nil
	})
	if err != nil || !more {
		return out, "", err
	}
	c := viewCursor{ID: out[len(out)-1].ID}
	for _, v := range plainValues(lastKeys) {
		c.Keys = append(c.Keys, cursorText(v))
	}
	raw, _ := json.Marshal(c)
	return out, base64.RawURLEncoding.EncodeToString(raw), nil
}

// eachRow runs sql and calls fn with each row's values, streamed.
func (s *Store) eachRow(ctx context.Context, sql string, args pgx.NamedArgs, fn func([]any) error) error {
	rows, err := s.pool.Query(ctx, sql, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// plainValues turns the driver's values into the few types views show.
func plainValues(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case time.Time:
			out[i] = x.UTC()
		case int32:
			out[i] = float64(x)
		case int64:
			out[i] = float64(x)
		default:
			out[i] = v
		}
	}
	return out
}

// ViewEach streams the view's rows that viewer may see, all pages in the
// view's order, at most limit of them: for export.
func (s *Store) ViewEach(ctx context.Context, viewer Viewer, q ViewQuery, limit int, fn func(ViewRow) error) error {
	b := newBuilder(viewer)
	base, err := b.base(q)
	if err != nil {
		return err
	}
	keys := make([]string, len(q.Sort))
	for i, k := range q.Sort {
		keys[i] = b.value(k.Column)
	}
	sql := b.with(q.List) + " SELECT " + b.selectList(q) + base + " ORDER BY " + b.order(q, keys) + " LIMIT " + b.arg(limit)
	return s.eachRow(ctx, sql, b.args, func(vals []any) error {
		return fn(ViewRow{ID: vals[0].(string), Values: plainValues(vals[1:])})
	})
}

// ViewCount counts the view's rows that viewer may see, up to limit: past
// it, capped is true (shown "10,000+").
func (s *Store) ViewCount(ctx context.Context, viewer Viewer, q ViewQuery, limit int) (n int, capped bool, err error) {
	b := newBuilder(viewer)
	base, err := b.base(q)
	if err != nil {
		return 0, false, err
	}
	err = s.pool.QueryRow(ctx, b.with(q.List)+" SELECT count(*) FROM (SELECT 1"+base+" LIMIT "+b.arg(limit+1)+") x", b.args).Scan(&n)
	if n > limit {
		return limit, true, err
	}
	return n, false, err
}

// ViewGroups counts the view's rows that viewer may see by the values of
// the group columns (one or two), summing the number columns sums, in the
// groups' order, at most MaxGroups.
func (s *Store) ViewGroups(ctx context.Context, viewer Viewer, q ViewQuery, by, sums []ViewColumn) ([]ViewGroup, error) {
	b := newBuilder(viewer)
	base, err := b.base(q)
	if err != nil {
		return nil, err
	}
	if len(by) == 0 || len(by) > 2 {
		return nil, fmt.Errorf("group by one or two columns: %w", ErrBadView)
	}
	var sel, order []string
	for i, c := range by {
		if c.Type == TypeSet {
			return nil, fmt.Errorf("group by %s: %w", c.Key, ErrBadView)
		}
		sel = append(sel, b.value(c))
		order = append(order, strconv.Itoa(i+1)+" NULLS LAST")
	}
	sel = append(sel, "count(*)")
	for _, c := range sums {
		if c.Type != TypeNumber {
			return nil, fmt.Errorf("sum of %s: %w", c.Key, ErrBadView)
		}
		sel = append(sel, "coalesce(sum("+b.value(c)+"), 0)::float8")
	}
	groupBy := "1"
	if len(by) == 2 {
		groupBy = "1, 2"
	}
	sql := b.with(q.List) + " SELECT " + strings.Join(sel, ", ") + base + " GROUP BY " + groupBy +
		" ORDER BY " + strings.Join(order, ", ") + " LIMIT " + strconv.Itoa(MaxGroups)
	var out []ViewGroup
	err = s.eachRow(ctx, sql, b.args, func(vals []any) error {
		g := ViewGroup{Keys: plainValues(vals[:len(by)]), Count: int(vals[len(by)].(int64)), Sums: []float64{}}
		for _, v := range vals[len(by)+1:] {
			g.Sums = append(g.Sums, v.(float64))
		}
		out = append(out, g)
		return nil
	})
	return out, err
}
