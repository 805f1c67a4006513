package services

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// Saved views: a user's way of showing a list, kept on the server. Who sees
// a view: its owner; with sharing "team", everyone below the owner; with
// "everyone", all. Who saves over it: its owner and admins, and anyone who
// sees it while it is not locked; only they change its name, sharing and
// lock, and delete it. Sharing with everyone is for admins, supervisors
// and analysts. A locked view is filtered for the moment by the others, or
// copied ("save as mine").

// View is a saved view as the API and the pages show it.
type View struct {
	ID        string    `json:"id"`
	List      string    `json:"list"`
	Name      string    `json:"name"`
	Owner     string    `json:"owner"`
	Sharing   string    `json:"sharing"`
	Locked    bool      `json:"locked"`
	Spec      ViewSpec  `json:"spec"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// CanSave tells the asker whether they may save over it, CanManage
	// whether they may rename, share, lock or delete it.
	CanSave   bool `json:"canSave"`
	CanManage bool `json:"canManage"`
}

// ViewBody is what a view is created or saved from (its JSON Schema is
// ViewSchemaJSON).
type ViewBody struct {
	List    string   `json:"list"`
	Name    string   `json:"name"`
	Sharing string   `json:"sharing,omitempty"`
	Locked  bool     `json:"locked,omitempty"`
	Spec    ViewSpec `json:"spec"`
}

// ParseViewBody reads a view body from JSON, checked by the schema first:
// every fault with its JSON path, nothing read past it.
func ParseViewBody(raw []byte) (ViewBody, error) {
	if err := checkViewBody(raw); err != nil {
		return ViewBody{}, err
	}
	var b ViewBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return ViewBody{}, refusal.Invalid("the view is not valid", viewFault("", err.Error()))
	}
	return b, nil
}

func (s *Services) location() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

// canManage: the owner and admins.
func canManage(me store.User, v store.SavedView) bool {
	return v.Owner == me.Login || me.Has(store.RoleAdmin)
}

func (s *Services) viewOut(me store.User, v store.SavedView) (View, error) {
	out := View{ID: v.ID, List: v.List, Name: v.Name, Owner: v.Owner, Sharing: v.Sharing, Locked: v.Locked,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, CanManage: canManage(me, v)}
	out.CanSave = out.CanManage || !v.Locked
	if err := json.Unmarshal(v.Spec, &out.Spec); err != nil {
		return View{}, fmt.Errorf("view %s: stored spec: %w", v.ID, err)
	}
	return out, nil
}

// Views lists the views of list that me sees: their own, then shared.
func (s *Services) Views(ctx context.Context, me store.User, list string) ([]View, error) {
	if store.ListColumns(list) == nil {
		return nil, refusal.Invalid("no such list", viewFault("/list", "must be clients, workitems or processes"))
	}
	saved, err := s.Store.Views(ctx, me.Login, list)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(saved))
	for _, v := range saved {
		x, err := s.viewOut(me, v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// View is view id if me sees it.
func (s *Services) View(ctx context.Context, me store.User, id string) (View, error) {
	v, err := s.Store.View(ctx, me.Login, id)
	if err != nil {
		return View{}, err
	}
	return s.viewOut(me, v)
}

// checkBody applies the rules every saved body meets: a spec that fits
// its list and definition, and a sharing me may choose.
func (s *Services) checkBody(ctx context.Context, me store.User, b *ViewBody) error {
	if b.Sharing == "" {
		b.Sharing = "private"
	}
	if b.Sharing == "everyone" {
		if err := needRole(me, store.RoleSupervisor, store.RoleAnalyst); err != nil {
			return refusal.Invalid("sharing with everyone is for supervisors, analysts and admins", viewFault("/sharing", "not allowed to you"))
		}
	}
	if b.Locked && b.Sharing == "private" {
		return refusal.Invalid("only a shared view is locked", viewFault("/locked", "a private view is not locked"))
	}
	_, err := s.resolve(ctx, me, b.List, b.Spec, "/spec")
	return err
}

// resolve compiles spec for list against the columns of its definition's
// current version.
func (s *Services) resolve(ctx context.Context, me store.User, list string, spec ViewSpec, base string) (compiled, error) {
	// A spec that came another way than a checked body (a link's, a
	// stored one) meets the same schema: its depth and sizes are bounded
	// before anything is built of it.
	raw, err := json.Marshal(ViewBody{List: list, Name: "view", Spec: spec})
	if err != nil {
		return compiled{}, err
	}
	if err := checkViewBody(raw); err != nil {
		return compiled{}, err
	}
	if n := countConditions(spec.Filter); n > maxViewFilters {
		return compiled{}, refusal.Invalid("the filter is too long", viewFault(base+"/filter", fmt.Sprintf("%d conditions: at most %d", n, maxViewFilters)))
	}
	var plan *definitions.Plan
	if spec.Definition != "" {
		if list == store.ListClients {
			return compiled{}, refusal.Invalid("a client list is of no conveyor", viewFault(base+"/definition", "clients have no definition"))
		}
		v, _, err := s.Definition(ctx, me, spec.Definition)
		if errors.Is(err, refusal.ErrNotFound) {
			return compiled{}, refusal.Invalid("no such conveyor", viewFault(base+"/definition", "no such definition"))
		}
		if err != nil {
			return compiled{}, err
		}
		plan = v.Plan
	}
	return compileView(list, spec, viewCatalogue(list, plan), s.location(), time.Now(), base)
}

func countConditions(f *ViewFilter) int {
	if f == nil {
		return 0
	}
	n := 0
	for _, x := range append(slices.Clone(f.All), f.Any...) {
		n += countConditions(&x)
	}
	if len(f.All) == 0 && len(f.Any) == 0 {
		n = 1
	}
	return n
}

func specJSON(spec ViewSpec) json.RawMessage {
	raw, _ := json.Marshal(spec)
	return raw
}

// CreateView keeps a new view of me's.
func (s *Services) CreateView(ctx context.Context, me store.User, b ViewBody) (View, error) {
	if err := s.checkBody(ctx, me, &b); err != nil {
		return View{}, err
	}
	v, err := s.Store.CreateView(store.WithActor(ctx, me.Login), store.SavedView{List: b.List, Name: b.Name, Owner: me.Login,
		Sharing: b.Sharing, Locked: b.Locked, Spec: specJSON(b.Spec)})
	if err != nil {
		return View{}, err
	}
	return s.viewOut(me, v)
}

// SaveView saves b over view id. The list is the view's for good; one who
// may save but not manage it changes its spec only.
func (s *Services) SaveView(ctx context.Context, me store.User, id string, b ViewBody) (View, error) {
	if _, err := s.Store.View(ctx, me.Login, id); err != nil {
		return View{}, err
	}
	if err := s.checkBody(ctx, me, &b); err != nil {
		return View{}, err
	}
	saved, err := s.Store.UpdateView(store.WithActor(ctx, me.Login), store.SavedView{ID: id, Name: b.Name, Sharing: b.Sharing, Locked: b.Locked, Spec: specJSON(b.Spec)},
		func(current store.SavedView) error {
			switch {
			case current.List != b.List:
				return refusal.Invalid("a view stays of its list", viewFault("/list", "must be "+current.List))
			case canManage(me, current):
				return nil
			case current.Locked:
				return fmt.Errorf("view %q is locked by %s: save it as yours: %w", current.Name, current.Owner, refusal.ErrForbidden)
			case b.Name != current.Name || b.Sharing != current.Sharing || b.Locked != current.Locked:
				return fmt.Errorf("only %s names, shares and locks view %q: %w", current.Owner, current.Name, refusal.ErrForbidden)
			}
			return nil
		})
	if err != nil {
		return View{}, err
	}
	return s.viewOut(me, saved)
}

// CopyView saves a view me sees as a new private one of theirs, named
// name ("" keeps the name).
func (s *Services) CopyView(ctx context.Context, me store.User, id, name string) (View, error) {
	v, err := s.View(ctx, me, id)
	if err != nil {
		return View{}, err
	}
	if name == "" {
		name = v.Name
	}
	return s.CreateView(ctx, me, ViewBody{List: v.List, Name: name, Spec: v.Spec})
}

// DeleteView removes a view its owner or an admin deletes.
func (s *Services) DeleteView(ctx context.Context, me store.User, id string) error {
	if _, err := s.Store.View(ctx, me.Login, id); err != nil {
		return err
	}
	return s.Store.DeleteView(store.WithActor(ctx, me.Login), id, func(current store.SavedView) error {
		if !canManage(me, current) {
			return fmt.Errorf("only %s deletes view %q: %w", current.Owner, current.Name, refusal.ErrForbidden)
		}
		return nil
	})
}

// SetViewDefault makes a view shared with everyone the one role opens
// list with; view "" clears it. Admins only.
func (s *Services) SetViewDefault(ctx context.Context, me store.User, list, role, view string) error {
	if err := needRole(me); err != nil {
		return err
	}
	if store.ListColumns(list) == nil {
		return refusal.Invalid("no such list", viewFault("/list", "must be clients, workitems or processes"))
	}
	if !slices.Contains([]string{store.RoleAdmin, store.RoleAnalyst, store.RoleSupervisor, store.RoleManager}, role) {
		return refusal.Invalid("no such role", viewFault("/role", "must be admin, analyst, supervisor or manager"))
	}
	if view != "" {
		v, err := s.Store.AnyView(ctx, view)
		switch {
		case errors.Is(err, refusal.ErrNotFound):
			return refusal.Invalid("no such view", viewFault("/view", "no such view"))
		case err != nil:
			return err
		case v.List != list:
			return refusal.Invalid("the view is of another list", viewFault("/view", "a view of "+v.List))
		case v.Sharing != "everyone":
			return refusal.Invalid("a default view is shared with everyone", viewFault("/view", "must be shared with everyone"))
		}
	}
	return s.Store.SetViewDefault(store.WithActor(ctx, me.Login), list, role, view)
}

// ViewDefaults is the default view of list by role.
func (s *Services) ViewDefaults(ctx context.Context, list string) (map[string]string, error) {
	if store.ListColumns(list) == nil {
		return nil, refusal.Invalid("no such list", viewFault("/list", "must be clients, workitems or processes"))
	}
	return s.Store.ViewDefaults(ctx, list)
}

// DefaultView is the view me opens list with: the default of the first of
// their roles that has one (admin, supervisor, analyst, manager), "" none.
func (s *Services) DefaultView(ctx context.Context, me store.User, list string) (string, error) {
	defaults, err := s.Store.ViewDefaults(ctx, list)
	if err != nil {
		return "", err
	}
	for _, role := range []string{store.RoleAdmin, store.RoleSupervisor, store.RoleAnalyst, store.RoleManager} {
		if me.Has(role) && defaults[role] != "" {
			return defaults[role], nil
		}
	}
	return "", nil
}
