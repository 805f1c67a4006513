package services_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// orgServices has an organisation to own clients in: olga supervises the
// managers ivan and petr; ivan supervises dora, who is no longer active;
// anna, a manager of no one's team, is granted the segment ru and the
// product group steel; root is an admin. ivan owns acme, in Moscow (ru-msk)
// selling pipes (steel-pipes), which anna's grants cover.
func orgServices(t *testing.T) (*services.Services, context.Context, func(string) store.User) {
	t.Helper()
	st := store.New(pgtest.NewMigratedDB(t))
	ctx := store.WithActor(context.Background(), "test")
	for _, u := range []store.User{
		{Login: "root", Roles: []string{store.RoleAdmin}},
		{Login: "olga", Roles: []string{store.RoleSupervisor}},
		{Login: "ivan", Roles: []string{store.RoleManager}, Supervisor: "olga"},
		{Login: "petr", Roles: []string{store.RoleManager}, Supervisor: "olga"},
		{Login: "anna", Roles: []string{store.RoleManager}},
		{Login: "dora", Roles: []string{store.RoleManager}, Supervisor: "ivan"},
	} {
		_, err := st.CreateUser(ctx, u, "x")
		require.NoError(t, err)
	}
	_, err := st.UpdateUser(ctx, "dora", store.UserPatch{Active: new(false)})
	require.NoError(t, err)
	for _, n := range []struct {
		tree store.Tree
		node store.Node
	}{
		{store.Segments, store.Node{ID: "ru", Name: "Russia", Kind: "geography"}},
		{store.Segments, store.Node{ID: "ru-msk", Name: "Moscow", Kind: "geography", Parent: "ru"}},
		{store.ProductGroups, store.Node{ID: "steel", Name: "Steel"}},
		{store.ProductGroups, store.Node{ID: "steel-pipes", Name: "Pipes", Parent: "steel"}},
	} {
		_, err := st.CreateNode(ctx, n.tree, n.node)
		require.NoError(t, err)
	}
	_, err = st.SetGrants(ctx, "anna", store.Grants{Segments: []string{"ru"}, ProductGroups: []string{"steel"}})
	require.NoError(t, err)
	_, err = st.CreateClient(ctx, store.Client{ID: "acme", Name: "Acme", INN: "7707083893", Owner: "ivan",
		Segments: []string{"ru-msk"}, ProductGroups: []string{"steel-pipes"}})
	require.NoError(t, err)
	user := func(login string) store.User {
		u, err := st.User(ctx, login)
		require.NoError(t, err)
		return u
	}
	return services.New(st, nil), ctx, user
}

func TestAClientIsCreatedForAnOwnerInTheCreatorsSubtreeOnly(t *testing.T) {
	for _, tc := range []struct {
		name, by, owner string
		rule            string // "" = created
		kind            error
	}{
		{"a manager creates a client of their own", "ivan", "ivan", "", nil},
		{"a supervisor creates a client for someone below", "olga", "petr", "", nil},
		{"an admin creates a client for anyone", "root", "anna", "", nil},
		{"a manager may not create a client for a peer", "ivan", "petr", services.RuleOwnerScope, refusal.ErrForbidden},
		{"a manager may not create a client for their supervisor", "ivan", "olga", services.RuleOwnerScope, refusal.ErrForbidden},
		{"nobody creates a client for an inactive user", "ivan", "dora", services.RuleOwnerInactive, refusal.ErrInvalid},
		{"nobody creates a client for an unknown user", "root", "ghost", services.RuleOwnerInactive, refusal.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, ctx, user := orgServices(t)
			c, err := svc.CreateClient(ctx, user(tc.by), services.ClientInput{Name: new("New"), Owner: &tc.owner})
			if tc.rule == "" {
				require.NoError(t, err)
				require.Equal(t, tc.owner, c.Owner)
				return
			}
			require.ErrorIs(t, err, tc.kind)
			fields := refusal.Fields(err)
			require.Len(t, fields, 1)
			require.Equal(t, "/owner", fields[0].Path)
			var rule *services.OwnerRule
			require.True(t, errors.As(fields[0].Cause, &rule), "%v", err)
			require.Equal(t, tc.rule, rule.Rule)
			require.Equal(t, rule.Reason(), fields[0].Message)
			list, _, err := svc.Clients(ctx, user("root"), store.ClientFilter{Name: "New"})
			require.NoError(t, err)
			require.Empty(t, list, "a refused client is not created")
		})
	}
}

func TestClientUpdatesFollowWhoDecidesWhat(t *testing.T) {
	name, owner := "Acme Steel", "petr"
	for _, tc := range []struct {
		name  string
		by    string
		in    services.ClientInput
		want  error  // nil: changed
		field string // of the *services.OwnerRule, if refused
	}{
		{"the owner renames the client", "ivan", services.ClientInput{Name: &name}, nil, ""},
		{"a grantee corrects the name", "anna", services.ClientInput{Name: &name}, nil, ""},
		{"a grantee may not change the owner", "anna", services.ClientInput{Owner: &owner}, refusal.ErrForbidden, "owner"},
		{"a grantee may not change the segments", "anna", services.ClientInput{Segments: &[]string{"ru"}}, refusal.ErrForbidden, "segments"},
		{"a grantee may not change the product groups", "anna", services.ClientInput{ProductGroups: &[]string{}}, refusal.ErrForbidden, "productGroups"},
		{"a grantee may set the tags to what they are", "anna", services.ClientInput{Segments: &[]string{"ru-msk", "ru-msk"}, ProductGroups: &[]string{"steel-pipes"}}, nil, ""},
		{"a grantee may name the owner there is", "anna", services.ClientInput{Owner: new("ivan")}, nil, ""},
		{"the supervisor hands the client to another manager", "olga", services.ClientInput{Owner: &owner}, nil, ""},
		{"the owner may not hand the client to a peer", "ivan", services.ClientInput{Owner: &owner}, refusal.ErrForbidden, "owner"},
		{"nobody hands the client to an inactive user", "olga", services.ClientInput{Owner: new("dora")}, refusal.ErrInvalid, "owner"},
		{"whoever may not see the client does not find it", "petr", services.ClientInput{Name: &name}, refusal.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, ctx, user := orgServices(t)
			before, err := svc.Client(ctx, user("root"), "acme")
			require.NoError(t, err)

			got, err := svc.UpdateClient(ctx, user(tc.by), "acme", tc.in)
			after, getErr := svc.Client(ctx, user("root"), "acme")
			require.NoError(t, getErr)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				if tc.field != "" {
					var rule *services.OwnerRule
					require.True(t, errors.As(refusal.Fields(err)[0].Cause, &rule), "%v", err)
					require.Equal(t, tc.field, rule.Field)
				}
				require.Equal(t, before, after, "a refused update changes nothing")
				return
			}
			require.NoError(t, err)
			require.Equal(t, after, got)
			if tc.in.Name != nil {
				require.Equal(t, *tc.in.Name, after.Name)
			}
			if tc.in.Owner != nil {
				require.Equal(t, *tc.in.Owner, after.Owner)
			}
			require.Equal(t, before.Segments, after.Segments)
			require.Equal(t, before.INN, after.INN, "fields not in the input stay")
		})
	}
}
