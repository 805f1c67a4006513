package services

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// ClientInput is a client's fields as given: nil is not given (unchanged
// when editing), an empty list clears it.
type ClientInput struct {
	Name, INN, KPP, OGRN, Owner *string
	Segments, ProductGroups     *[]string
}

// check trims and bounds the fields, then normalises the legal identifiers
// and verifies their checksums; creating, a name is required.
func (in *ClientInput) check(creating bool) error {
	if creating && in.Name == nil {
		in.Name = new(string)
	}
	trimmed(in.Name, in.Owner)
	var bad limits.Checks
	bad.Add(limits.ClientName, "/name", in.Name)
	if in.Owner != nil && *in.Owner != "" { // none: the creator, or unchanged
		bad.Add(limits.Login, "/owner", in.Owner)
	}
	bad.AddEach(limits.Key, "/segments", in.Segments)
	bad.AddEach(limits.Key, "/productGroups", in.ProductGroups)
	if err := invalid("some fields are invalid", bad); err != nil {
		return err
	}
	var wrong []refusal.FieldError
	for _, f := range []struct {
		path  string
		value *string
		check func(string) error
	}{{"/inn", in.INN, identifiers.INN}, {"/kpp", in.KPP, identifiers.KPP}, {"/ogrn", in.OGRN, identifiers.OGRN}} {
		if f.value == nil || *f.value == "" {
			continue
		}
		*f.value = identifiers.Normalize(*f.value)
		if err := f.check(*f.value); err != nil {
			wrong = append(wrong, refusal.FieldError{Path: f.path, Message: err.Error(), Cause: err})
		}
	}
	return invalid("invalid legal identifiers", nil, wrong...)
}

// MayCreateClients: managers, supervisors and admins.
func MayCreateClients(u store.User) bool {
	return needRole(u, store.RoleManager, store.RoleSupervisor) == nil
}

// MayMoveClients tells whether u may give clients to someone else: a
// supervisor or an admin (whom to, mayOwn says).
func MayMoveClients(u store.User) bool { return needRole(u, store.RoleSupervisor) == nil }

// Clients are the clients by may see, filtered. The search (f.Name, see
// store.ClientFilter) is trimmed, its runs of white space made one space,
// and bounded as any request parameter; digits typed with spaces or dashes
// (an INN, a phone) become the digits.
func (s *Services) Clients(ctx context.Context, by store.User, f store.ClientFilter) ([]store.Client, string, error) {
	f.Name = strings.Join(strings.Fields(f.Name), " ")
	var bad limits.Checks
	bad.Add(limits.Parameter, "q", &f.Name)
	if err := invalid("the search is invalid", bad); err != nil {
		return nil, "", err
	}
	if n := identifiers.Normalize(f.Name); n != "" && isDigits(n) {
		f.Name = n
	}
	return s.Store.Clients(ctx, viewerOf(by), f)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Client is one client by may see; any other is not found.
func (s *Services) Client(ctx context.Context, by store.User, id string) (store.Client, error) {
	return s.Store.Client(ctx, viewerOf(by), id)
}

// CreateClient: managers, supervisors and admins. The creator owns the
// client unless they name another owner, who must be below them (admins:
// anyone; see clientrules.go).
func (s *Services) CreateClient(ctx context.Context, by store.User, in ClientInput) (store.Client, error) {
	if err := needRole(by, store.RoleManager, store.RoleSupervisor); err != nil {
		return store.Client{}, err
	}
	if err := in.check(true); err != nil {
		return store.Client{}, err
	}
	cl := store.Client{ID: NewID(), Name: *in.Name, Owner: by.Login, INN: deref(in.INN), KPP: deref(in.KPP), OGRN: deref(in.OGRN)}
	if in.Owner != nil && *in.Owner != "" {
		cl.Owner = *in.Owner
	}
	if in.Segments != nil {
		cl.Segments = *in.Segments
	}
	if in.ProductGroups != nil {
		cl.ProductGroups = *in.ProductGroups
	}
	created, err := s.Store.CreateClientFor(ctx, viewerOf(by), cl, mayOwn)
	return created, s.duplicate(ctx, by, cl.INN, cl.KPP, err)
}

// UpdateClient: whoever may see a client may edit its name, identifiers
// and card; its owner, segments and product groups are for the owner, those
// above the owner and admins (see clientrules.go).
func (s *Services) UpdateClient(ctx context.Context, by store.User, id string, in ClientInput) (store.Client, error) {
	if err := in.check(false); err != nil {
		return store.Client{}, err
	}
	if in.Owner != nil && *in.Owner == "" {
		in.Owner = nil // a client always has an owner
	}
	p := store.ClientPatch{Name: in.Name, INN: in.INN, KPP: in.KPP, OGRN: in.OGRN, Owner: in.Owner,
		Segments: in.Segments, ProductGroups: in.ProductGroups}
	cl, err := s.Store.UpdateClient(ctx, viewerOf(by), id, p, mayChange(p))
	if errors.Is(err, refusal.ErrConflict) {
		now, nowErr := s.Store.Client(ctx, viewerOf(by), id)
		if nowErr == nil {
			inn, kpp := now.INN, now.KPP
			if in.INN != nil {
				inn = *in.INN
			}
			if in.KPP != nil {
				kpp = *in.KPP
			}
			err = s.duplicate(ctx, by, inn, kpp, err)
		}
	}
	return cl, err
}

// Owners are whom by may make a client's owner (see mayOwn),
// and current, so that a form saved unchanged keeps it.
func (s *Services) Owners(ctx context.Context, by store.User, current string) ([]store.User, error) {
	list, err := s.Store.Assignees(ctx, viewerOf(by), "", "")
	if err != nil || current == "" {
		return list, err
	}
	for _, o := range list {
		if o.Login == current {
			return list, nil
		}
	}
	cur, err := s.Store.User(ctx, current)
	if err != nil {
		return nil, err
	}
	return append([]store.User{cur}, list...), nil
}

// ClientProcesses are a visible client's processes.
func (s *Services) ClientProcesses(ctx context.Context, by store.User, id string, page store.Page) ([]store.Process, string, error) {
	v := viewerOf(by)
	if err := s.Store.CanSeeClient(ctx, v, id); err != nil {
		return nil, "", err
	}
	return s.Store.Processes(ctx, v, store.ProcessFilter{Client: id, Page: page})
}

// ClientWorkItems are a visible client's work items, in state if given.
func (s *Services) ClientWorkItems(ctx context.Context, by store.User, id, state string, page store.Page) ([]store.WorkItem, string, error) {
	v := viewerOf(by)
	if err := s.Store.CanSeeClient(ctx, v, id); err != nil {
		return nil, "", err
	}
	return s.Store.WorkItems(ctx, v, store.ItemFilter{Client: id, State: state, Page: page})
}

// ClientAudit is a visible client's trail: every change to it, its card,
// its processes and their work items.
func (s *Services) ClientAudit(ctx context.Context, by store.User, id string, page store.Page) ([]store.AuditEntry, string, error) {
	if err := s.Store.CanSeeClient(ctx, viewerOf(by), id); err != nil {
		return nil, "", err
	}
	return s.Store.Audit(ctx, store.AuditFilter{Client: id, Page: page})
}

// Audit is the whole log, for admins.
func (s *Services) Audit(ctx context.Context, by store.User, f store.AuditFilter) ([]store.AuditEntry, string, error) {
	if err := needRole(by); err != nil {
		return nil, "", err
	}
	return s.Store.Audit(ctx, f)
}

// DuplicateClient is the client that already has the INN and KPP a new or
// edited one was given: named (ID and Name) when the user may see it, else
// only said to exist.
type DuplicateClient struct {
	INN      string
	ID, Name string
}

func (d *DuplicateClient) Error() string {
	if d.ID == "" {
		return "a client with this INN and KPP exists already, among clients you may not see: ask your supervisor"
	}
	return fmt.Sprintf("a client with this INN and KPP exists already: %s (%s)", d.Name, d.ID)
}

// duplicate words a conflict on a client's INN and KPP (the one the
// clients table refuses twice) as the client that has them, at /inn; any
// other error is returned as it is.
func (s *Services) duplicate(ctx context.Context, by store.User, inn, kpp string, err error) error {
	if !errors.Is(err, refusal.ErrConflict) || inn == "" {
		return err
	}
	other, findErr := s.Store.ClientByINN(ctx, inn, kpp)
	if findErr != nil {
		return err // not this constraint
	}
	d := &DuplicateClient{INN: inn}
	if s.Store.CanSeeClient(ctx, viewerOf(by), other.ID) == nil {
		d.ID, d.Name = other.ID, other.Name
	}
	return &refusal.Error{Kind: refusal.ErrConflict, Message: d.Error(),
		Fields: []refusal.FieldError{{Path: "/inn", Message: d.Error(), Cause: d}}}
}
