package services

import (
	"context"
	"errors"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// UserInput is a user's fields as given; nil is not given (unchanged).
type UserInput struct {
	Name, Password *string
	// CurrentPassword proves, when users change their own password, that
	// they are who their session says: a stolen token or an unlocked screen
	// must not be enough to take the account over.
	CurrentPassword *string
	Roles, Teams    *[]string
	Supervisor      *string // "" clears it
	Active          *bool
}

// checks lists the fields out of their bounds, the new password's rules
// (for login) included.
func (in *UserInput) checks(login string) limits.Checks {
	var c limits.Checks
	c.Add(limits.UserName, "/name", in.Name)
	if in.Password != nil {
		if v := auth.CheckNewPassword("/password", login, *in.Password); v != nil {
			c = append(c, v)
		}
	}
	c.Add(limits.Password, "/currentPassword", in.CurrentPassword)
	c.AddEach(limits.Key, "/roles", in.Roles)
	c.AddEach(limits.Key, "/teams", in.Teams)
	if in.Supervisor != nil && *in.Supervisor != "" {
		c.Add(limits.Login, "/supervisor", in.Supervisor)
	}
	return c
}

// Users shows the organisation to everyone signed in: completers choose
// next executors from it. Password hashes never leave the store.
func (s *Services) Users(ctx context.Context, page store.Page) ([]store.User, string, error) {
	return s.Store.UsersPage(ctx, page)
}

// Everyone is every user, for the pages that show names and hierarchies.
func (s *Services) Everyone(ctx context.Context) ([]store.User, error) { return s.Store.Users(ctx) }

func (s *Services) User(ctx context.Context, login string) (store.User, error) {
	return s.Store.User(ctx, login)
}

// CreateUser: admins.
func (s *Services) CreateUser(ctx context.Context, by store.User, login string, in UserInput) (store.User, error) {
	if err := needRole(by); err != nil {
		return store.User{}, err
	}
	if in.Password == nil {
		in.Password = new(string) // required
	}
	var bad limits.Checks
	bad.Add(limits.Login, "/login", &login)
	if err := invalid("some fields are invalid", append(bad, in.checks(login)...)); err != nil {
		return store.User{}, err
	}
	hash, err := auth.HashPassword(*in.Password)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{Login: login, Name: deref(in.Name), Supervisor: deref(in.Supervisor)}
	if in.Roles != nil {
		u.Roles = *in.Roles
	}
	if in.Teams != nil {
		u.Teams = *in.Teams
	}
	return s.Store.CreateUser(ctx, u, hash)
}

// Caller is where a request comes from: the session it is made in and the
// client's address, for the checks of one's own password.
type Caller struct {
	Token, Address string
}

// UpdateUser: admins change anything; a user may change their own name and
// password. Changing one's own password (admins too) takes the current one,
// checked under the sign-in limits (a stolen session must not become a way
// to guess it); an admin resetting someone else's does not. A new password
// signs its user out everywhere but in the session that set it.
func (s *Services) UpdateUser(ctx context.Context, by store.User, from Caller, login string, in UserInput) (store.User, error) {
	own := by.Login == login
	self := own && in.Roles == nil && in.Teams == nil && in.Supervisor == nil && in.Active == nil
	if !self {
		if err := needRole(by); err != nil {
			return store.User{}, err
		}
	}
	if err := invalid("some fields are invalid", in.checks(login)); err != nil {
		return store.User{}, err
	}
	patch := store.UserPatch{Name: in.Name, Roles: in.Roles, Teams: in.Teams, Supervisor: in.Supervisor, Active: in.Active}
	if in.Password != nil {
		if own {
			if err := s.provePassword(ctx, login, deref(in.CurrentPassword), from.Address); err != nil {
				return store.User{}, err
			}
			patch.KeepToken = auth.HashToken(from.Token)
		}
		hash, err := auth.HashPassword(*in.Password)
		if err != nil {
			return store.User{}, err
		}
		patch.PasswordHash = &hash
	}
	return s.Store.UpdateUser(ctx, login, patch)
}

// provePassword checks that password is login's current one.
func (s *Services) provePassword(ctx context.Context, login, password, address string) error {
	if password == "" {
		missing := &limits.Violation{Path: "/currentPassword", Reason: limits.Missing}
		return refusal.Invalid("changing your password takes your current one",
			refusal.FieldError{Path: missing.Path, Message: missing.Message(), Cause: missing})
	}
	err := s.checkPassword(ctx, login, password, address)
	if errors.Is(err, auth.ErrBadCredentials) {
		return &refusal.Error{Kind: refusal.ErrForbidden, Message: "the current password is wrong",
			Fields: []refusal.FieldError{{Path: "/currentPassword", Message: "wrong password", Cause: err}}}
	}
	return err
}
