package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(pgtest.NewMigratedDB(t))
}

func example(t *testing.T, edit func(string) string) ([]byte, *definitions.Plan) {
	t.Helper()
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	if edit != nil {
		src = []byte(edit(string(src)))
	}
	plan, err := definitions.Compile(src)
	require.NoError(t, err)
	return src, plan
}

func TestPublishingNumbersVersionsAndKeepsTheSourceVerbatim(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	src1, plan1 := example(t, nil)
	v1, created, err := s.Publish(ctx, src1, plan1, "anna")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 1, v1.Version)
	require.Equal(t, "anna", v1.PublishedBy)

	src2, plan2 := example(t, func(s string) string { return strings.Replace(s, "due: 2d", "due: 3d", 1) })
	v2, created, err := s.Publish(ctx, src2, plan2, "admin")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 2, v2.Version)

	got, err := s.DefinitionVersion(ctx, "sales", 1)
	require.NoError(t, err)
	require.Equal(t, string(src1), got.Source)
	require.Equal(t, plan1, got.Plan)

	latest, err := s.DefinitionVersion(ctx, "sales", 0)
	require.NoError(t, err)
	require.Equal(t, 2, latest.Version)
	require.Equal(t, plan2.Hash, latest.Plan.Hash)

	versions, err := s.DefinitionVersions(ctx, "sales")
	require.NoError(t, err)
	require.Equal(t, []int{2, 1}, []int{versions[0].Version, versions[1].Version})

	list, err := s.Definitions(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, 2, list[0].Version)
}

func TestPublishingTheSameContentAgainMakesNoNewVersion(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	src, plan := example(t, nil)
	first, created, err := s.Publish(ctx, src, plan, "anna")
	require.NoError(t, err)
	require.True(t, created)

	commented, samePlan := example(t, func(s string) string { return "# only a comment changed\n" + s })
	again, created, err := s.Publish(ctx, commented, samePlan, "anna")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, first, again)
}

func TestConcurrentPublishersOfOneContentMakeOneVersion(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	src, plan := example(t, nil)
	var wg sync.WaitGroup
	results := make([]bool, 8)
	for i := range results {
		wg.Go(func() {
			_, created, err := s.Publish(ctx, src, plan, "anna")
			require.NoError(t, err)
			results[i] = created
		})
	}
	wg.Wait()
	n := 0
	for _, c := range results {
		if c {
			n++
		}
	}
	require.Equal(t, 1, n)
	versions, err := s.DefinitionVersions(ctx, "sales")
	require.NoError(t, err)
	require.Len(t, versions, 1)
}

func TestVersionsCanBeNeitherUpdatedNorDeleted(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	pool := pgtest.NewMigratedDB(t)
	s := store.New(pool)
	src, plan := example(t, nil)
	_, _, err := s.Publish(ctx, src, plan, "anna")
	require.NoError(t, err)

	for _, sql := range []string{
		`UPDATE definition_versions SET source = 'changed'`,
		`DELETE FROM definition_versions`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.ErrorContains(t, err, "definition_versions rows are immutable", sql)
	}
	// TRUNCATE is refused by the trigger, or before it by the processes
	// that reference versions.
	_, err = pool.Exec(ctx, `TRUNCATE definition_versions`)
	require.Error(t, err)
	got, err := s.DefinitionVersion(ctx, "sales", 1)
	require.NoError(t, err)
	require.Equal(t, string(src), got.Source)
}

func TestAnUnknownVersionIsNotFound(t *testing.T) {
	s := newStore(t)
	_, err := s.DefinitionVersion(store.WithActor(context.Background(), "test"), "nope", 3)
	require.ErrorIs(t, err, refusal.ErrNotFound)
}

// Every other test gets a copy of a template migrated once (pgtest): this one
// migrates an empty database, as a new installation does.
func TestMigratingTwiceIsHarmless(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	pool := pgtest.NewDB(t)
	require.NoError(t, store.Migrate(ctx, pool))
	require.NoError(t, store.Migrate(ctx, pool))
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n))
	require.Positive(t, n)
}
