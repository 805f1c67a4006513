package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// addUser creates an active user with the given supervisor ("" for none)
// and teams, failing the test on error.
func addUser(t *testing.T, s *store.Store, login, supervisor string, teams ...string) store.User {
	t.Helper()
	u, err := s.CreateUser(store.WithActor(context.Background(), "test"), store.User{
		Login: login, Name: strings.ToUpper(login[:1]) + login[1:], Supervisor: supervisor, Teams: teams,
	}, "hash-of-"+login)
	require.NoError(t, err)
	return u
}

func ptr[T any](v T) *T { return &v }

func TestUsersRoundTripThroughCreateGetListAndUpdate(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	olga := addUser(t, s, "olga", "")
	created, err := s.CreateUser(ctx, store.User{
		Login: "ivan.petrov", Name: "Ivan Petrov", Roles: []string{store.RoleAnalyst},
		Teams: []string{"sales", "support"}, Supervisor: "olga",
	}, "hash-1")
	require.NoError(t, err)
	require.True(t, created.Active, "new users are active")
	require.WithinDuration(t, time.Now(), created.CreatedAt, time.Minute)
	require.True(t, created.Has(store.RoleAnalyst))
	require.False(t, created.Has(store.RoleAdmin))

	got, err := s.User(ctx, "ivan.petrov")
	require.NoError(t, err)
	require.Equal(t, created, got)
	require.Equal(t, []string{}, olga.Roles, "no roles is an empty list, not nil")
	require.Equal(t, "", olga.Supervisor)

	list, err := s.Users(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.User{created, olga}, list, "ordered by login")
	n, err = s.CountUsers(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	updated, err := s.UpdateUser(ctx, "ivan.petrov", store.UserPatch{
		Name:         ptr("Ivan P."),
		Roles:        &[]string{store.RoleSupervisor, store.RoleManager},
		Supervisor:   ptr(""),
		Active:       ptr(false),
		PasswordHash: ptr("hash-2"),
	})
	require.NoError(t, err)
	want := created
	want.Name, want.Roles, want.Supervisor, want.Active = "Ivan P.", []string{"supervisor", "manager"}, "", false
	require.Equal(t, want, updated, "teams were not in the patch and stay")
	got, err = s.User(ctx, "ivan.petrov")
	require.NoError(t, err)
	require.Equal(t, want, got)

	hash, active, err := s.PasswordHash(ctx, "ivan.petrov")
	require.NoError(t, err)
	require.Equal(t, "hash-2", hash)
	require.False(t, active)

	unchanged, err := s.UpdateUser(ctx, "ivan.petrov", store.UserPatch{})
	require.NoError(t, err)
	require.Equal(t, want, unchanged, "an empty patch changes nothing")

	cleared, err := s.UpdateUser(ctx, "ivan.petrov", store.UserPatch{Teams: &[]string{}, Supervisor: ptr("olga")})
	require.NoError(t, err)
	require.Equal(t, []string{}, cleared.Teams)
	require.Equal(t, "olga", cleared.Supervisor)
}

func TestUnknownUsersAreNotFound(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	_, err := s.User(ctx, "nobody")
	require.ErrorIs(t, err, refusal.ErrNotFound)
	_, err = s.UpdateUser(ctx, "nobody", store.UserPatch{Name: ptr("X")})
	require.ErrorIs(t, err, refusal.ErrNotFound)
	_, _, err = s.PasswordHash(ctx, "nobody")
	require.ErrorIs(t, err, refusal.ErrNotFound)
}

func TestRefusedUsersSayWhy(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	addUser(t, s, "olga", "")
	for _, tc := range []struct {
		name    string
		user    store.User
		want    error
		message string
	}{
		{"a taken login is a conflict", store.User{Login: "olga", Name: "Other Olga"}, refusal.ErrConflict, "login already taken"},
		{"an unknown supervisor is invalid", store.User{Login: "ivan", Name: "Ivan", Supervisor: "zed"}, refusal.ErrInvalid, "supervisor is not a user"},
		{"an unknown role is invalid", store.User{Login: "ivan", Name: "Ivan", Roles: []string{"analyst", "root"}}, refusal.ErrInvalid, "roles must be among"},
		{"an upper-case login is invalid", store.User{Login: "Ivan", Name: "Ivan"}, refusal.ErrInvalid, "login must be"},
		{"a one-letter login is invalid", store.User{Login: "i", Name: "Ivan"}, refusal.ErrInvalid, "login must be"},
		{"a login with a space is invalid", store.User{Login: "ivan p", Name: "Ivan"}, refusal.ErrInvalid, "login must be"},
		{"being one's own supervisor is invalid", store.User{Login: "ivan", Name: "Ivan", Supervisor: "ivan"}, refusal.ErrInvalid, "supervisor cycle: ivan -> ivan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, tc.user, "hash")
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.message)
		})
	}
	n, err := s.CountUsers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "nothing refused was stored")
}

func TestRefusedUpdatesSayWhyAndChangeNothing(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	ivan := addUser(t, s, "ivan", "")
	for _, tc := range []struct {
		name    string
		patch   store.UserPatch
		message string
	}{
		{"an unknown supervisor is invalid", store.UserPatch{Name: ptr("New"), Supervisor: ptr("zed")}, "supervisor is not a user"},
		{"an unknown role is invalid", store.UserPatch{Name: ptr("New"), Roles: &[]string{"root"}}, "roles must be among"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.UpdateUser(ctx, "ivan", tc.patch)
			require.ErrorIs(t, err, refusal.ErrInvalid)
			require.ErrorContains(t, err, tc.message)
			got, err := s.User(ctx, "ivan")
			require.NoError(t, err)
			require.Equal(t, ivan, got)
		})
	}
}

func TestSupervisorCyclesAreRefused(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	for _, tc := range []struct {
		name    string
		chain   []string // each one's supervisor is the next, set up first
		login   string   // then this user ...
		to      string   // ... is given this supervisor
		message string
	}{
		{"supervising oneself", []string{"ann"}, "ann", "ann", "supervisor cycle: ann -> ann"},
		{"supervising one's supervisor", []string{"ann", "bob"}, "bob", "ann", "supervisor cycle: bob -> ann -> bob"},
		{"closing a longer chain", []string{"ann", "bob", "cem", "dan"}, "dan", "ann", "supervisor cycle: dan -> ann -> bob -> cem -> dan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			for i := len(tc.chain) - 1; i >= 0; i-- {
				boss := ""
				if i+1 < len(tc.chain) {
					boss = tc.chain[i+1]
				}
				addUser(t, s, tc.chain[i], boss)
			}
			before, err := s.Users(ctx)
			require.NoError(t, err)

			_, err = s.UpdateUser(ctx, tc.login, store.UserPatch{Supervisor: ptr(tc.to)})
			require.ErrorIs(t, err, refusal.ErrInvalid)
			require.ErrorContains(t, err, tc.message)

			after, err := s.Users(ctx)
			require.NoError(t, err)
			require.Equal(t, before, after)
		})
	}
}

// Two admins each adding half of a cycle at once must not both succeed:
// each alone sees no cycle.
func TestConcurrentHalvesOfACycleAreNotBothAccepted(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	addUser(t, s, "ann", "")
	addUser(t, s, "bob", "")
	for range 20 {
		for _, login := range []string{"ann", "bob"} {
			_, err := s.UpdateUser(ctx, login, store.UserPatch{Supervisor: ptr("")})
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, edge := range [][2]string{{"ann", "bob"}, {"bob", "ann"}} {
			wg.Go(func() {
				_, results[i] = s.UpdateUser(ctx, edge[0], store.UserPatch{Supervisor: ptr(edge[1])})
			})
		}
		wg.Wait()
		failed := 0
		for _, err := range results {
			if err != nil {
				require.ErrorIs(t, err, refusal.ErrInvalid)
				failed++
			}
		}
		require.Equal(t, 1, failed, "exactly one half of the cycle is refused")
	}
}

func TestTokensFindOnlyActiveUsersUntilTheyExpire(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	ivan := addUser(t, s, "ivan", "")
	addUser(t, s, "olga", "")
	newToken := func(login string, ttl time.Duration) []byte {
		t.Helper()
		_, hash, err := auth.NewToken()
		require.NoError(t, err)
		require.NoError(t, s.CreateToken(ctx, hash, login, time.Now().Add(ttl)))
		return hash
	}

	valid := newToken("ivan", time.Hour)
	got, err := s.UserByToken(ctx, valid)
	require.NoError(t, err)
	require.Equal(t, ivan, got)

	expired := newToken("ivan", -time.Second)
	_, err = s.UserByToken(ctx, expired)
	require.ErrorIs(t, err, refusal.ErrNotFound)

	olgas := newToken("olga", time.Hour)
	_, err = s.UpdateUser(ctx, "olga", store.UserPatch{Active: ptr(false)})
	require.NoError(t, err)
	_, err = s.UserByToken(ctx, olgas)
	require.ErrorIs(t, err, refusal.ErrNotFound, "a deactivated user's token stops working")

	require.NoError(t, s.DeleteToken(ctx, valid))
	_, err = s.UserByToken(ctx, valid)
	require.ErrorIs(t, err, refusal.ErrNotFound)
	require.NoError(t, s.DeleteToken(ctx, valid), "deleting twice is harmless")

	_, err = s.UserByToken(ctx, auth.HashToken("cvy_never-issued"))
	require.ErrorIs(t, err, refusal.ErrNotFound)

	_, hash, err := auth.NewToken()
	require.NoError(t, err)
	err = s.CreateToken(ctx, hash, "nobody", time.Now().Add(time.Hour))
	require.ErrorIs(t, err, refusal.ErrInvalid)
	require.ErrorContains(t, err, "no such user")
}

func TestIsAboveFollowsTheSupervisorChain(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	addUser(t, s, "olga", "")
	addUser(t, s, "boris", "olga")
	addUser(t, s, "ivan", "boris")
	addUser(t, s, "nina", "")
	for _, tc := range []struct {
		name              string
		supervisor, login string
		want              bool
	}{
		{"a direct supervisor is above", "boris", "ivan", true},
		{"the boss's boss is above", "olga", "ivan", true},
		{"a report is not above their boss", "ivan", "olga", false},
		{"nobody is above themself", "ivan", "ivan", false},
		{"nobody is above themself at the top either", "olga", "olga", false},
		{"someone outside the chain is not above", "nina", "ivan", false},
		{"nobody is above an unknown login", "olga", "zed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			above, err := s.IsAbove(ctx, tc.supervisor, tc.login)
			require.NoError(t, err)
			require.Equal(t, tc.want, above)
		})
	}
}

func TestTeamMembersAreTheActiveUsersOfThatTeam(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	s := newStore(t)
	addUser(t, s, "zoe", "", "sales")
	addUser(t, s, "ann", "", "support", "sales")
	addUser(t, s, "bob", "", "support")
	addUser(t, s, "cem", "", "sales")
	_, err := s.UpdateUser(ctx, "cem", store.UserPatch{Active: ptr(false)})
	require.NoError(t, err)

	members, err := s.TeamMembers(ctx, "sales")
	require.NoError(t, err)
	logins := make([]string, len(members))
	for i, u := range members {
		logins[i] = u.Login
	}
	require.Equal(t, []string{"ann", "zoe"}, logins)

	none, err := s.TeamMembers(ctx, "nobody's team")
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestAUserInJSONCarriesNoPassword(t *testing.T) {
	s := newStore(t)
	addUser(t, s, "olga", "")
	u, err := s.CreateUser(store.WithActor(context.Background(), "test"), store.User{
		Login: "ivan", Name: "Ivan", Roles: []string{store.RoleAdmin}, Supervisor: "olga",
	}, "$argon2id$v=19$m=19456,t=2,p=1$secret-salt$secret-hash")
	require.NoError(t, err)
	b, err := json.Marshal(u)
	require.NoError(t, err)
	require.NotContains(t, strings.ToLower(string(b)), "password")
	require.NotContains(t, string(b), "secret")
	require.NotContains(t, string(b), "argon2")
	var fields map[string]any
	require.NoError(t, json.Unmarshal(b, &fields))
	require.ElementsMatch(t, []string{"login", "name", "roles", "teams", "supervisor", "active", "createdAt"}, keys(fields))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
