package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"text/tabwriter"
	"time"

	"github.com/conveyorhq/conveyor/store"
)

// clientFigures is "My clients", first page, for managers who see their
// clients through grants.
type clientFigures struct {
	clients, managers, queries int
	p50, p99                   time.Duration
	meanVisible                float64
	fill                       time.Duration
}

// fillClients makes a sales department of managers (under 20 supervisors,
// each granted one city and one product family) and clients spread over 10
// regions x 10 cities, 20 industries and 10 x 5 product groups. It writes
// through SQL in bulk, audited like any change.
func fillClients(ctx context.Context, st *store.Store, clients, managers int) error {
	tx, err := st.Pool().Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	for _, q := range []string{
		`SELECT set_config('conveyor.actor', 'system:bench', true)`,
		`INSERT INTO segments (id, name, kind) SELECT 'r' || r, 'Region ' || r, 'geography' FROM generate_series(1, 10) r`,
		`INSERT INTO segments (id, name, kind, parent) SELECT 'r' || r || 'c' || c, 'City ' || c, 'geography', 'r' || r
			FROM generate_series(1, 10) r, generate_series(1, 10) c`,
		`INSERT INTO segments (id, name, kind) SELECT 'i' || i, 'Industry ' || i, 'industry' FROM generate_series(1, 20) i`,
		`INSERT INTO product_groups (id, name) SELECT 'p' || p, 'Family ' || p FROM generate_series(1, 10) p`,
		`INSERT INTO product_groups (id, name, parent) SELECT 'p' || p || 'g' || g, 'Group ' || g, 'p' || p
			FROM generate_series(1, 10) p, generate_series(1, 5) g`,
		`INSERT INTO users (login, name, password_hash, roles) SELECT 'sup' || s, 'Supervisor ' || s, 'x', '{supervisor}'
			FROM generate_series(1, 20) s`,
		fmt.Sprintf(`INSERT INTO users (login, name, password_hash, roles, supervisor)
			SELECT 'm' || m, 'Manager ' || m, 'x', '{manager}', 'sup' || (m %% 20 + 1) FROM generate_series(1, %d) m`, managers),
		fmt.Sprintf(`INSERT INTO segment_grants (login, segment_id)
			SELECT 'm' || m, 'r' || (m %% 10 + 1) || 'c' || (m / 10 %% 10 + 1) FROM generate_series(1, %d) m`, managers),
		fmt.Sprintf(`INSERT INTO product_group_grants (login, group_id)
			SELECT 'm' || m, 'p' || (m / 100 %% 10 + 1) FROM generate_series(1, %d) m`, managers),
		fmt.Sprintf(`INSERT INTO clients (id, name, owner)
			SELECT 'c' || n, 'Client ' || lpad(n::text, 6, '0'), 'm' || (1 + (hashint4(n) & 2147483647) %% %d)
			FROM generate_series(1, %d) n`, managers, clients),
		`INSERT INTO client_segments (client_id, segment_id)
			SELECT id, 'r' || (1 + (hashint4(n) & 2147483647) % 10) || 'c' || (1 + (hashint4(n + 7) & 2147483647) % 10)
			FROM (SELECT id, substr(id, 2)::int AS n FROM clients) c
			UNION ALL SELECT id, 'i' || (1 + (hashint4(n + 13) & 2147483647) % 20) FROM (SELECT id, substr(id, 2)::int AS n FROM clients) c`,
		`INSERT INTO client_product_groups (client_id, group_id)
			SELECT id, 'p' || (1 + (hashint4(n + 17) & 2147483647) % 10) || 'g' || (1 + (hashint4(n + 19) & 2147483647) % 5)
			FROM (SELECT id, substr(id, 2)::int AS n FROM clients) c`,
		`ANALYZE`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q[:min(60, len(q))], err)
		}
	}
	return tx.Commit(ctx)
}

func measureClients(ctx context.Context, st *store.Store, clients, managers, queries int) (clientFigures, error) {
	f := clientFigures{clients: clients, managers: managers, queries: queries}
	start := time.Now()
	if err := fillClients(ctx, st, clients, managers); err != nil {
		return f, err
	}
	f.fill = time.Since(start)

	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, queries)
	visible := 0
	for range queries {
		v := store.Viewer{Login: fmt.Sprintf("m%d", 1+rng.IntN(managers))}
		t0 := time.Now()
		page, _, err := st.Clients(ctx, v, store.ClientFilter{Page: store.Page{Limit: 50}})
		if err != nil {
			return f, err
		}
		lat = append(lat, time.Since(t0))
		visible += len(page)
	}
	f.p50, f.p99 = percentile(lat, 50), percentile(lat, 99)
	f.meanVisible = float64(visible) / float64(queries)
	return f, nil
}

func (f clientFigures) print(out io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(out, "\n\"My clients\", first page of 50, %d clients, %d managers (filled in %s):\n", f.clients, f.managers, f.fill.Round(time.Second))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "queries\tp50\tp99\trows per page\t")
	fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t\n", f.queries, ms(f.p50), ms(f.p99), f.meanVisible)
	tw.Flush()
}
