package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

var (
	annaV  = store.Viewer{Login: "anna"}
	adminV = store.Viewer{Login: "root", Admin: true}
)

// orgStore has an organisation to see clients through: olga supervises the
// managers ivan and petr; anna, a manager of no one's team, is granted the
// segment ru and the product group steel, each with its subtree; dora is no
// longer active. The example conveyor is published.
func orgStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	s := runtimeStore(t)
	ctx := store.WithActor(context.Background(), "test")
	for _, u := range []store.User{
		{Login: "anna", Roles: []string{store.RoleManager}},
		{Login: "dora", Roles: []string{store.RoleManager}, Supervisor: "ivan"},
	} {
		_, err := s.CreateUser(ctx, u, "x")
		require.NoError(t, err)
	}
	_, err := s.UpdateUser(ctx, "dora", store.UserPatch{Active: new(false)})
	require.NoError(t, err)
	for _, n := range []struct {
		tree store.Tree
		node store.Node
	}{
		{store.Segments, store.Node{ID: "ru", Name: "Russia", Kind: "geography"}},
		{store.Segments, store.Node{ID: "ru-msk", Name: "Moscow", Kind: "geography", Parent: "ru"}},
		{store.Segments, store.Node{ID: "kz", Name: "Kazakhstan", Kind: "geography"}},
		{store.ProductGroups, store.Node{ID: "steel", Name: "Steel"}},
		{store.ProductGroups, store.Node{ID: "steel-pipes", Name: "Pipes", Parent: "steel"}},
		{store.ProductGroups, store.Node{ID: "wood", Name: "Wood"}},
	} {
		_, err := s.CreateNode(ctx, n.tree, n.node)
		require.NoError(t, err)
	}
	_, err = s.SetGrants(ctx, "anna", store.Grants{Segments: []string{"ru"}, ProductGroups: []string{"steel"}})
	require.NoError(t, err)
	return s, ctx
}

// orgClients are ivan's acme in Moscow selling pipes (anna's grants cover
// both), petr's birch in Moscow selling wood (they cover one of two) and
// petr's kazsteel in Kazakhstan selling steel (one of two again).
func orgClients(t *testing.T, s *store.Store, ctx context.Context) {
	t.Helper()
	for _, c := range []store.Client{
		{ID: "acme", Name: "Acme", INN: "7701000001", Owner: "ivan", Segments: []string{"ru-msk"}, ProductGroups: []string{"steel-pipes"}},
		{ID: "birch", Name: "Birch", INN: "7701000002", Owner: "petr", Segments: []string{"ru-msk"}, ProductGroups: []string{"wood"}},
		{ID: "kazsteel", Name: "KazSteel", INN: "7701000003", Owner: "petr", Segments: []string{"kz"}, ProductGroups: []string{"steel"}},
	} {
		_, err := s.CreateClient(ctx, c)
		require.NoError(t, err)
	}
}

func TestACreatedClientComesBackWithItsTagsSorted(t *testing.T) {
	s, ctx := orgStore(t)
	c, err := s.CreateClient(ctx, store.Client{ID: "acme", Name: "Acme", INN: "7701000001", KPP: "770101001",
		Owner: "ivan", Segments: []string{"ru-msk", "kz"}, ProductGroups: []string{"wood", "steel"}})
	require.NoError(t, err)
	require.Equal(t, "Acme", c.Name)
	require.Equal(t, "7701000001", c.INN)
	require.Equal(t, "770101001", c.KPP)
	require.Empty(t, c.OGRN)
	require.Equal(t, []string{"kz", "ru-msk"}, c.Segments)
	require.Equal(t, []string{"steel", "wood"}, c.ProductGroups)
	require.False(t, c.CreatedAt.IsZero())
	require.Equal(t, c.CreatedAt, c.UpdatedAt)

	got, err := s.Client(ctx, adminV, "acme")
	require.NoError(t, err)
	require.Equal(t, c, got)

	bare, err := s.CreateClient(ctx, store.Client{ID: "bare", Name: "Bare", Owner: "ivan"})
	require.NoError(t, err)
	require.Equal(t, []string{}, bare.Segments, "no tags are empty lists, not null")
	require.Equal(t, []string{}, bare.ProductGroups)
}

func TestClientsThatCannotBeCreatedSayWhy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client store.Client
		want   error
	}{
		{"a second client with the same id is a conflict", store.Client{ID: "acme", Name: "Other", Owner: "ivan"}, refusal.ErrConflict},
		{"an unknown owner is invalid", store.Client{ID: "new", Name: "New", Owner: "ghost"}, refusal.ErrInvalid},
		{"an unknown segment is invalid", store.Client{ID: "new", Name: "New", Owner: "ivan", Segments: []string{"mars"}}, refusal.ErrInvalid},
		{"an unknown product group is invalid", store.Client{ID: "new", Name: "New", Owner: "ivan", ProductGroups: []string{"cheese"}}, refusal.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ctx := orgStore(t)
			orgClients(t, s, ctx)
			_, err := s.CreateClient(ctx, tc.client)
			require.ErrorIs(t, err, tc.want)
			if tc.client.ID == "new" {
				_, err := s.Client(ctx, adminV, "new")
				require.ErrorIs(t, err, refusal.ErrNotFound, "a refused client leaves nothing behind")
			}
		})
	}
}

func TestAClientIsSeenByItsOwnerTheOnesAboveAndGrantsMeetingBothTags(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		sees   []string
	}{
		{"an admin sees every client", adminV, []string{"acme", "birch", "kazsteel"}},
		{"a manager sees the clients they own", ivanV, []string{"acme"}},
		{"another manager sees theirs, not their peer's", petrV, []string{"birch", "kazsteel"}},
		{"a supervisor sees the clients of everyone below", olgaV, []string{"acme", "birch", "kazsteel"}},
		{"grants show a client when both its segment and its product group fall under them", annaV, []string{"acme"}},
		{"someone with neither ownership nor grants sees nothing", store.Viewer{Login: "dora"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, _, err := s.Clients(ctx, tc.viewer, store.ClientFilter{})
			require.NoError(t, err)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			require.Equal(t, tc.sees, ids, "the list")
			for _, id := range []string{"acme", "birch", "kazsteel"} {
				_, getErr := s.Client(ctx, tc.viewer, id)
				canErr := s.CanSeeClient(ctx, tc.viewer, id)
				if slices.Contains(tc.sees, id) {
					require.NoError(t, getErr, id)
					require.NoError(t, canErr, id)
				} else {
					require.ErrorIs(t, getErr, refusal.ErrNotFound, "a client one may not see is not found: %s", id)
					require.ErrorIs(t, canErr, refusal.ErrNotFound, id)
				}
			}
			require.ErrorIs(t, s.CanSeeClient(ctx, tc.viewer, "nobody"), refusal.ErrNotFound, "an unknown client")
		})
	}
}

func TestEmptyingALegalIdentifierClearsIt(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	c, err := s.UpdateClient(ctx, ivanV, "acme", store.ClientPatch{INN: new(""), KPP: new("770101001")}, anyChange)
	require.NoError(t, err)
	require.Empty(t, c.INN)
	require.Equal(t, "770101001", c.KPP)
	same, err := s.UpdateClient(ctx, ivanV, "acme", store.ClientPatch{}, anyChange)
	require.NoError(t, err)
	require.Equal(t, c, same, "an empty patch changes nothing, not even the time of change")
}

func TestClientListsFilterAndPageWithinWhatTheViewerSees(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	_, err := s.CreateClient(ctx, store.Client{ID: "acme2", Name: "Acme Two", Owner: "petr", Segments: []string{"ru-msk"}, ProductGroups: []string{"steel"}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		viewer store.Viewer
		filter store.ClientFilter
		want   []string
	}{
		{"a name matches as a prefix, in any case", adminV, store.ClientFilter{Name: "acm"}, []string{"acme", "acme2"}},
		{"an INN matches exactly", adminV, store.ClientFilter{Name: "7701000002"}, []string{"birch"}},
		{"a prefix of an INN matches", adminV, store.ClientFilter{Name: "770100000"}, []string{"acme", "birch", "kazsteel"}},
		{"digits inside an INN match nothing", adminV, store.ClientFilter{Name: "01000002"}, nil},
		{"by owner", adminV, store.ClientFilter{Owner: "petr"}, []string{"acme2", "birch", "kazsteel"}},
		{"by segment, exactly rather than with its subtree", adminV, store.ClientFilter{Segment: "ru-msk"}, []string{"acme", "acme2", "birch"}},
		{"by product group", adminV, store.ClientFilter{ProductGroup: "steel"}, []string{"acme2", "kazsteel"}},
		{"filters combine", adminV, store.ClientFilter{Segment: "ru-msk", Owner: "petr"}, []string{"acme2", "birch"}},
		{"filters never widen what one sees", annaV, store.ClientFilter{Name: "a"}, []string{"acme", "acme2"}},
		{"a manager's filter stays within their clients", ivanV, store.ClientFilter{Owner: "petr"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 1
			got := allPages(t, func(after string) ([]store.Client, string, error) {
				f.After = after
				return s.Clients(ctx, tc.viewer, f)
			}, func(c store.Client) string { return c.ID })
			require.Equal(t, tc.want, got)
		})
	}
}

func TestClientListsSortByTheTimeOfTheLastChange(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	_, err := s.UpdateClient(ctx, adminV, "acme", store.ClientPatch{Name: new("Acme Renamed")}, anyChange)
	require.NoError(t, err)
	collect := func(sort string) []string {
		return allPages(t, func(after string) ([]store.Client, string, error) {
			return s.Clients(ctx, adminV, store.ClientFilter{Sort: sort, Page: store.Page{After: after, Limit: 2}})
		}, func(c store.Client) string { return c.ID })
	}
	require.Equal(t, []string{"birch", "kazsteel", "acme"}, collect("updatedAt"))
	require.Equal(t, []string{"acme", "kazsteel", "birch"}, collect("-updatedAt"))

	_, next, err := s.Clients(ctx, adminV, store.ClientFilter{Sort: "name", Page: store.Page{Limit: 1}})
	require.NoError(t, err)
	require.NotEmpty(t, next)
	_, _, err = s.Clients(ctx, adminV, store.ClientFilter{Page: store.Page{After: "not a cursor"}})
	require.ErrorIs(t, err, store.ErrBadCursor)
}

// anyChange lets every change through: the rules are the services'.
func anyChange(store.Stewardship) error { return nil }

// A change's check decides on the facts read with the client locked, and
// its refusal changes nothing.
func TestAClientChangeIsCheckedOnItsStewardship(t *testing.T) {
	s, ctx := orgStore(t)
	orgClients(t, s, ctx)
	before, err := s.Client(ctx, adminV, "acme")
	require.NoError(t, err)
	var seen []store.Stewardship
	refuse := errors.New("refused")
	check := func(st store.Stewardship) error {
		seen = append(seen, st)
		return refuse
	}
	_, err = s.UpdateClient(ctx, annaV, "acme", store.ClientPatch{Name: new("X"), Owner: new("petr")}, check)
	require.ErrorIs(t, err, refuse)
	_, err = s.UpdateClient(ctx, olgaV, "acme", store.ClientPatch{Owner: new("dora")}, check)
	require.ErrorIs(t, err, refuse)
	_, err = s.CreateClientFor(ctx, ivanV, store.Client{ID: "new", Name: "New", Owner: "ivan"}, check)
	require.ErrorIs(t, err, refuse)
	after, err := s.Client(ctx, adminV, "acme")
	require.NoError(t, err)
	require.Equal(t, before, after, "a refused change changes nothing")
	_, err = s.Client(ctx, adminV, "new")
	require.ErrorIs(t, err, refusal.ErrNotFound)
	acme := func(st store.Stewardship) store.Stewardship {
		st.Owner, st.Segments, st.ProductGroups = "ivan", []string{"ru-msk"}, []string{"steel-pipes"}
		return st
	}
	require.Equal(t, []store.Stewardship{
		acme(store.Stewardship{Decides: false, NewOwner: "petr", NewOwnerActive: true, NewOwnerBelow: false}),
		acme(store.Stewardship{Decides: true, NewOwner: "dora", NewOwnerActive: false, NewOwnerBelow: true}),
		{Decides: true, NewOwner: "ivan", NewOwnerActive: true, NewOwnerBelow: true},
	}, seen)
}
