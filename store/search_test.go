package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/store"
)

// searchClients are ivan's elka and zavod and petr's apple, with contacts.
func searchClients(t *testing.T, s *store.Store, ctx context.Context) {
	t.Helper()
	for _, c := range []store.Client{
		{ID: "elka", Name: "ООО «Ёлка»", INN: "7702000001", Owner: "ivan"},
		{ID: "zavod", Name: "Машиностроительный ЗАВОД", INN: "7702000002", Owner: "ivan"},
		{ID: "apple", Name: "Яблоко", INN: "5001000003", Owner: "petr"},
	} {
		_, err := s.CreateClient(ctx, c)
		require.NoError(t, err)
	}
	for _, c := range []store.Contact{
		{ClientID: "zavod", Name: "Пётр Сидоров", Phone: "+7 495 123-45-67"},
		{ClientID: "apple", Name: "Анна Ежикова", Phone: "8 (812) 765-43-21"},
	} {
		_, err := s.CreateContact(ctx, adminV, c)
		require.NoError(t, err)
	}
}

func clientIDs(list []store.Client) []string {
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids
}

func TestClientSearchMatchesNamesINNsAndContacts(t *testing.T) {
	s, ctx := orgStore(t)
	searchClients(t, s, ctx)
	ivanV := store.Viewer{Login: "ivan"}
	ivans := []string{"elka", "zavod"}

	for _, tc := range []struct {
		name, q string
		want    []string // what an admin finds; ivan, the same among his own
	}{
		{"a part of a word", "елк", []string{"elka"}},
		{"ё typed as е, upper case stored", "ЁЛКА", []string{"elka"}},
		{"ё typed, е stored in a contact", "ёжиков", []string{"apple"}},
		{"upper case typed", "ЗАВОД", []string{"zavod"}},
		{"lower case typed, upper stored", "завод", []string{"zavod"}},
		{"inside a word", "строит", []string{"zavod"}},
		{"across words", "льный зав", []string{"zavod"}},
		{"quotes dropped", "ооо ёлка", []string{"elka"}},
		{"spaces collapsed", "  ооо   елка ", []string{"elka"}},
		{"a short term", "лк", []string{"elka"}},
		{"an INN", "7702000001", []string{"elka"}},
		{"an INN's prefix", "7702", []string{"elka", "zavod"}},
		{"digits inside an INN are no prefix", "0000", nil},
		{"a contact's name", "сидоров", []string{"zavod"}},
		{"a contact's name, ё typed", "ПЁТР", []string{"zavod"}},
		{"a phone as stored", "+7 495 123-45-67", []string{"zavod"}},
		{"a phone with brackets", "+7 (495) 123-45-67", []string{"zavod"}},
		{"a phone with 8 for +7", "84951234567", []string{"zavod"}},
		{"a phone, +7 for 8", "+7 812 765 43 21", []string{"apple"}},
		{"a phone's last ten digits", "4951234567", []string{"zavod"}},
		{"a part of a phone", "123-45-67", []string{"zavod"}},
		{"Latin", "acme", nil},
		{"nothing", "банан", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []store.Viewer{adminV, ivanV} {
				want := tc.want
				if !v.Admin {
					want = nilIfEmpty(slices.DeleteFunc(slices.Clone(want), func(id string) bool { return !slices.Contains(ivans, id) }))
				}
				list, _, err := s.Clients(ctx, v, store.ClientFilter{Name: tc.q})
				require.NoError(t, err)
				require.Equal(t, want, nilIfEmpty(clientIDs(list)), "%s searching %q", v.Login, tc.q)
			}
		})
	}

	// The search stays within the other filters.
	list, _, err := s.Clients(ctx, adminV, store.ClientFilter{Name: "7702", Owner: "petr"})
	require.NoError(t, err)
	require.Empty(t, list)
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestClientsComeInRussianOrderAndPageInIt(t *testing.T) {
	s, ctx := orgStore(t)
	for _, c := range []store.Client{
		{ID: "c1", Name: "Ёлка"}, {ID: "c2", Name: "Ель"}, {ID: "c3", Name: "Яблоко"}, {ID: "c4", Name: "Арбуз"},
		{ID: "c5", Name: "арбуз 2"}, {ID: "c6", Name: "Zeta"}, {ID: "c7", Name: "Ель"}, {ID: "c8", Name: "ель"},
	} {
		c.Owner = "ivan"
		_, err := s.CreateClient(ctx, c)
		require.NoError(t, err)
	}
	// ICU's ru: Cyrillic before Latin, ё as е (so Ёлка before Ель: к before
	// ь), lower case before upper among equal letters, ties by id.
	want := []string{"Арбуз c4", "арбуз 2 c5", "Ёлка c1", "ель c8", "Ель c2", "Ель c7", "Яблоко c3", "Zeta c6"}
	names := func(list []store.Client) []string {
		out := make([]string, len(list))
		for i, c := range list {
			out[i] = c.Name + " " + c.ID
		}
		return out
	}

	list, _, err := s.Clients(ctx, adminV, store.ClientFilter{})
	require.NoError(t, err)
	require.Equal(t, want, names(list))

	desc := slices.Clone(want)
	slices.Reverse(desc)
	for _, tc := range []struct {
		sort   string
		viewer store.Viewer
		want   []string
	}{
		{"", adminV, want}, {"name", store.Viewer{Login: "ivan"}, want},
		{"-name", adminV, desc}, {"-name", store.Viewer{Login: "olga"}, desc},
	} {
		var got []string
		after := ""
		for range len(want) + 1 {
			page, next, err := s.Clients(ctx, tc.viewer, store.ClientFilter{Sort: tc.sort, Page: store.Page{After: after, Limit: 3}})
			require.NoError(t, err)
			got = append(got, names(page)...)
			if next == "" {
				break
			}
			after = next
		}
		require.Equal(t, tc.want, got, "sort %q for %s", tc.sort, tc.viewer.Login)
	}

	// A search pages in the same order.
	page, next, err := s.Clients(ctx, adminV, store.ClientFilter{Name: "ель", Page: store.Page{Limit: 2}})
	require.NoError(t, err)
	require.Equal(t, []string{"ель c8", "Ель c2"}, names(page))
	page, next, err = s.Clients(ctx, adminV, store.ClientFilter{Name: "ель", Page: store.Page{After: next, Limit: 2}})
	require.NoError(t, err)
	require.Equal(t, []string{"Ель c7"}, names(page))
	require.Empty(t, next)
}

// queryTracer keeps the last query a pool ran, to EXPLAIN it.
type queryTracer struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (q *queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sql, q.args = d.SQL, d.Args
	return ctx
}

func (q *queryTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// planNodes are the nodes of an EXPLAIN (FORMAT JSON) plan, depth first.
func planNodes(node map[string]any, visit func(map[string]any)) {
	visit(node)
	for _, k := range []string{"Plans"} {
		children, _ := node[k].([]any)
		for _, c := range children {
			planNodes(c.(map[string]any), visit)
		}
	}
}

func TestClientSearchAt100000ClientsUsesTheIndexes(t *testing.T) {
	pool := pgtest.NewMigratedDB(t)
	ctx := store.WithActor(context.Background(), "test")
	_, err := store.New(pool).CreateUser(ctx, store.User{Login: "ivan", Roles: []string{store.RoleManager}}, "x")
	require.NoError(t, err)
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			// The load is no change anybody made: not audited.
			`ALTER TABLE clients DISABLE TRIGGER audit_clients`,
			`ALTER TABLE client_contacts DISABLE TRIGGER audit_client_contacts`,
			`INSERT INTO clients (id, name, inn, owner)
				SELECT 'c' || i, 'ООО «Компания ' || i || '»', '77' || lpad(i::text, 8, '0'), 'ivan' FROM generate_series(1, 100000) i`,
			`UPDATE clients SET name = 'Ёлочные игрушки' WHERE id = 'c77777'`,
			`INSERT INTO client_contacts (id, client_id, name, phone)
				SELECT 'p' || i, 'c' || i, 'Контакт ' || i, '+7 495 ' || lpad(i::text, 7, '0') FROM generate_series(1, 100000, 5) i`,
			`ALTER TABLE clients ENABLE TRIGGER audit_clients`,
			`ALTER TABLE client_contacts ENABLE TRIGGER audit_client_contacts`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `ANALYZE clients, client_contacts`)
	require.NoError(t, err)

	tracer := &queryTracer{}
	cfg := pool.Config()
	cfg.ConnConfig.Tracer = tracer
	traced, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(traced.Close)
	s := store.New(traced)

	for _, tc := range []struct {
		q       string
		want    []string
		indexes []string // the plan reads at least one of these
	}{
		{"ЛОЧНЫЕ", []string{"c77777"}, []string{"clients_search"}},
		{"пания 4242", []string{"c4242", "c42420", "c42421", "c42422", "c42423", "c42424", "c42425", "c42426", "c42427", "c42428", "c42429"}, []string{"clients_search"}},
		{"8 (495) 004-24-21", []string{"c42421"}, []string{"client_contacts_phone", "client_contacts_search"}},
		{"7700042423", []string{"c42423"}, []string{"clients_inn_prefix"}},
	} {
		list, _, err := s.Clients(ctx, adminV, store.ClientFilter{Name: tc.q})
		require.NoError(t, err)
		require.Equal(t, tc.want, clientIDs(list), tc.q)

		tracer.mu.Lock()
		sql, args := tracer.sql, tracer.args
		tracer.mu.Unlock()
		var plan []map[string]any
		require.NoError(t, pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+sql, args...).Scan(&plan))
		var used []string
		planNodes(plan[0]["Plan"].(map[string]any), func(n map[string]any) {
			if n["Node Type"] == "Seq Scan" {
				require.NotContains(t, []string{"clients", "client_contacts"}, n["Relation Name"], "%q: a sequential scan in\n%s", tc.q, mustJSON(plan))
			}
			if name, ok := n["Index Name"].(string); ok {
				used = append(used, name)
			}
		})
		require.True(t, slices.ContainsFunc(tc.indexes, func(i string) bool { return slices.Contains(used, i) }),
			"%q: the plan reads %v, none of %v:\n%s", tc.q, used, tc.indexes, mustJSON(plan))
	}
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}
