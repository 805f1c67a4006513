package services

import (
	"context"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The organisation: the directories (segments, product groups) and teams
// are read by everyone signed in and changed by admins; grants are an
// admin's to give.

func (s *Services) Nodes(ctx context.Context, t store.Tree) ([]store.Node, error) {
	return s.Store.Nodes(ctx, t)
}

// CreateNode: admins add a segment or product group.
func (s *Services) CreateNode(ctx context.Context, by store.User, t store.Tree, n store.Node) (store.Node, error) {
	if err := needRole(by); err != nil {
		return store.Node{}, err
	}
	trimmed(&n.Name)
	var bad limits.Checks
	bad.Add(limits.Key, "/id", &n.ID)
	bad.Add(limits.NodeName, "/name", &n.Name)
	if n.Parent != "" {
		bad.Add(limits.Key, "/parent", &n.Parent)
	}
	if err := invalid("some fields are invalid", bad); err != nil {
		return store.Node{}, err
	}
	return s.Store.CreateNode(ctx, t, n)
}

// UpdateNode: admins rename a node or hang it elsewhere ("" parent: a
// root).
func (s *Services) UpdateNode(ctx context.Context, by store.User, t store.Tree, id string, name, parent *string) (store.Node, error) {
	if err := needRole(by); err != nil {
		return store.Node{}, err
	}
	trimmed(name)
	var bad limits.Checks
	bad.Add(limits.NodeName, "/name", name)
	if parent != nil && *parent != "" {
		bad.Add(limits.Key, "/parent", parent)
	}
	if err := invalid("some fields are invalid", bad); err != nil {
		return store.Node{}, err
	}
	return s.Store.UpdateNode(ctx, t, id, name, parent)
}

// Teams are the teams with their active members.
func (s *Services) Teams(ctx context.Context) ([]store.Team, error) { return s.Store.Teams(ctx) }

// Grants are a user's own grants, or anyone's for admins and supervisors.
func (s *Services) Grants(ctx context.Context, by store.User, login string) (store.Grants, error) {
	if by.Login != login {
		if err := needRole(by, store.RoleSupervisor); err != nil {
			return store.Grants{}, err
		}
	}
	return s.Store.Grants(ctx, login)
}

// SetGrants: admins replace a user's grants.
func (s *Services) SetGrants(ctx context.Context, by store.User, login string, g store.Grants) (store.Grants, error) {
	if err := needRole(by); err != nil {
		return store.Grants{}, err
	}
	var bad limits.Checks
	bad.AddEach(limits.Key, "/segments", &g.Segments)
	bad.AddEach(limits.Key, "/productGroups", &g.ProductGroups)
	if err := invalid("some fields are invalid", bad); err != nil {
		return store.Grants{}, err
	}
	if _, err := s.Store.User(ctx, login); err != nil {
		return store.Grants{}, err
	}
	return s.Store.SetGrants(ctx, login, g)
}

// Organisation is the whole of it, for admins: the users, the teams, both
// directories and the grants of everyone who works clients.
type Organisation struct {
	Users                   []store.User
	Teams                   []store.Team
	Segments, ProductGroups []store.Node
	Grants                  map[string]store.Grants // by login
}

// Organisation: admins see it whole; to anyone else it is not there.
func (s *Services) Organisation(ctx context.Context, by store.User) (Organisation, error) {
	var o Organisation
	if !by.Has(store.RoleAdmin) {
		return o, refusal.New(refusal.ErrNotFound, "no such page")
	}
	var err error
	if o.Users, err = s.Store.Users(ctx); err != nil {
		return o, err
	}
	if o.Teams, err = s.Store.Teams(ctx); err != nil {
		return o, err
	}
	if o.Segments, err = s.Store.Nodes(ctx, store.Segments); err != nil {
		return o, err
	}
	if o.ProductGroups, err = s.Store.Nodes(ctx, store.ProductGroups); err != nil {
		return o, err
	}
	o.Grants = map[string]store.Grants{}
	for _, u := range o.Users {
		if !u.Has(store.RoleManager) && !u.Has(store.RoleSupervisor) {
			continue
		}
		if o.Grants[u.Login], err = s.Store.Grants(ctx, u.Login); err != nil {
			return o, err
		}
	}
	return o, nil
}

// mayManage: the user themself, a supervisor above them, or an admin.
func (s *Services) mayManage(ctx context.Context, by store.User, login string) error {
	if by.Login == login || by.Has(store.RoleAdmin) {
		return nil
	}
	above, err := s.Store.IsAbove(ctx, by.Login, login)
	if err != nil || above {
		return err
	}
	return refusal.New(refusal.ErrForbidden, "only the user, a supervisor above them or an admin manages their absence")
}

// SetAbsence: while login is away, new work for them goes to the deputy;
// nil clears it. The user, a supervisor above them or an admin.
func (s *Services) SetAbsence(ctx context.Context, by store.User, login string, a *store.Absence) (store.User, error) {
	if err := s.mayManage(ctx, by, login); err != nil {
		return store.User{}, err
	}
	if a != nil {
		var bad limits.Checks
		bad.Add(limits.Login, "/deputy", &a.Deputy)
		if err := invalid("some fields are invalid", bad); err != nil {
			return store.User{}, err
		}
		if !a.Until.After(a.From) {
			return store.User{}, refusal.Invalid("the absence must end after it starts", field("/until", "must be after from"))
		}
	}
	return s.Store.SetAbsence(ctx, login, a)
}

// TransferPortfolio moves a departing manager's clients and open work to
// another user at once: an admin, or a supervisor above both (or above the
// one and giving to themself).
func (s *Services) TransferPortfolio(ctx context.Context, by store.User, from, to string) (store.Transfer, error) {
	var bad limits.Checks
	bad.Add(limits.Login, "/to", &to)
	if err := invalid("some fields are invalid", bad); err != nil {
		return store.Transfer{}, err
	}
	if !by.Has(store.RoleAdmin) {
		aboveFrom, err := s.Store.IsAbove(ctx, by.Login, from)
		if err != nil {
			return store.Transfer{}, err
		}
		aboveTo := to == by.Login
		if !aboveTo {
			if aboveTo, err = s.Store.IsAbove(ctx, by.Login, to); err != nil {
				return store.Transfer{}, err
			}
		}
		if !aboveFrom || !aboveTo {
			return store.Transfer{}, refusal.New(refusal.ErrForbidden, "only an admin, or a supervisor above both users, transfers a portfolio")
		}
	}
	if _, err := s.Store.User(ctx, from); err != nil {
		return store.Transfer{}, err
	}
	return s.Store.TransferPortfolio(ctx, from, to)
}
