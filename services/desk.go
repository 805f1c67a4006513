package services

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// A desktop of one's own: the start page after sign-in. It holds the
// user's live counts (attention, overdue, today), the views and funnels
// they pinned, in their order, and for a supervisor the load of everyone
// below them. Every count is a view's, over what the user may see.

// MaxPins bounds a desktop.
const MaxPins = 20

// Pin is a thing on a desktop as shown: a view with its live count, or a
// conveyor's funnel (of the last 30 days).
type Pin struct {
	store.Pin
	Title  string  `json:"title"`
	List   string  `json:"list,omitempty"`
	Count  int     `json:"count"`
	Capped bool    `json:"countCapped,omitempty"`
	Error  string  `json:"error,omitempty"`
	Funnel *Funnel `json:"funnel,omitempty"`
}

// Tile is one of the user's own live counts, with the view behind it.
type Tile struct {
	Key   string   `json:"key"` // attention, overdue, today, open
	Count int      `json:"count"`
	Spec  ViewSpec `json:"spec"` // over work items
}

// Load is one person's open work: how many items, new, overdue.
type Load struct {
	Login     string `json:"login"`
	Name      string `json:"name"`
	Open      int    `json:"open"`
	Attention int    `json:"attention"`
	Overdue   int    `json:"overdue"`
}

// Desk is a user's desktop.
type Desk struct {
	Tiles []Tile `json:"tiles"`
	Pins  []Pin  `json:"pins"`
	// Team is the load of those below the user, the most loaded first;
	// empty for one who supervises no one.
	Team []Load `json:"team"`
}

var itemColumnsShown = []string{"title", "client", "stage", "plannedStart", "due"}

// myTiles are the live counts of one's own open work.
func myTiles() []Tile {
	mine := ViewFilter{Column: "assignee", Op: "me"}
	open := ViewFilter{Column: "state", Op: "in", Value: []any{store.ItemAttention, store.ItemInProgress}}
	spec := func(extra ...ViewFilter) ViewSpec {
		return ViewSpec{Columns: itemColumnsShown, Filter: &ViewFilter{All: append([]ViewFilter{mine, open}, extra...)},
			Sort: []ViewSortKey{{Column: "plannedStart"}}}
	}
	return []Tile{
		{Key: "attention", Spec: ViewSpec{Columns: itemColumnsShown, Filter: &ViewFilter{All: []ViewFilter{mine, {Column: "state", Op: "eq", Value: store.ItemAttention}}},
			Sort: []ViewSortKey{{Column: "plannedStart"}}}},
		{Key: "overdue", Spec: spec(ViewFilter{Column: "overdue", Op: "eq", Value: true})},
		{Key: "today", Spec: spec(ViewFilter{Column: "plannedStart", Op: "within", Value: "today"})},
		{Key: "open", Spec: spec()},
	}
}

// Desk is me's desktop, every count live.
func (s *Services) Desk(ctx context.Context, me store.User) (Desk, error) {
	d := Desk{Tiles: myTiles(), Pins: []Pin{}, Team: []Load{}}
	for i, t := range d.Tiles {
		n, _, err := s.CountView(ctx, me, store.ListWorkItems, t.Spec)
		if err != nil {
			return Desk{}, err
		}
		d.Tiles[i].Count = n
	}
	pins, err := s.Store.Pins(ctx, me.Login)
	if err != nil {
		return Desk{}, err
	}
	for _, p := range pins {
		pin, err := s.pinOut(ctx, me, p)
		if err != nil {
			return Desk{}, err
		}
		d.Pins = append(d.Pins, pin)
	}
	if d.Team, err = s.teamLoad(ctx, me); err != nil {
		return Desk{}, err
	}
	return d, nil
}

// pinOut is a pin with its title and live figures; a view that no longer
// fits says why instead of failing the desktop.
func (s *Services) pinOut(ctx context.Context, me store.User, p store.Pin) (Pin, error) {
	out := Pin{Pin: p}
	if p.Kind == "funnel" {
		v, _, err := s.Definition(ctx, me, p.Definition)
		if errors.Is(err, refusal.ErrNotFound) {
			out.Title, out.Error = p.Definition, "no such conveyor"
			return out, nil
		}
		if err != nil {
			return Pin{}, err
		}
		out.Title = v.Plan.Title
		to := time.Now().In(s.location())
		to = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, to.Location())
		f, err := s.Funnel(ctx, me, p.Definition, to.AddDate(0, 0, -30), to, "")
		if err != nil {
			return Pin{}, err
		}
		out.Funnel = &f
		return out, nil
	}
	v, err := s.View(ctx, me, p.View)
	if errors.Is(err, refusal.ErrNotFound) {
		out.Error = "the view is no longer shared with you"
		return out, nil
	}
	if err != nil {
		return Pin{}, err
	}
	out.Title, out.List = v.Name, v.List
	out.Count, out.Capped, err = s.CountView(ctx, me, v.List, v.Spec)
	if errors.Is(err, refusal.ErrInvalid) {
		out.Error = err.Error()
		return out, nil
	}
	return out, err
}

// teamLoad is the open work of everyone below me, by person.
func (s *Services) teamLoad(ctx context.Context, me store.User) ([]Load, error) {
	below, err := s.Store.Assignees(ctx, viewerOf(store.User{Login: me.Login}), "", "")
	if err != nil {
		return nil, err
	}
	loads := map[string]*Load{}
	var order []string
	for _, u := range below {
		if u.Login == me.Login {
			continue
		}
		loads[u.Login] = &Load{Login: u.Login, Name: u.Name}
		order = append(order, u.Login)
	}
	if len(order) == 0 {
		return []Load{}, nil
	}
	spec := ViewSpec{Columns: []string{"assignee"}, Filter: &ViewFilter{All: []ViewFilter{
		{Column: "assignee", Op: "my_team"},
		{Column: "state", Op: "in", Value: []any{store.ItemAttention, store.ItemInProgress}},
	}}}
	c, err := s.resolve(ctx, me, store.ListWorkItems, spec, "")
	if err != nil {
		return nil, err
	}
	assignee, _ := store.ListColumn(store.ListWorkItems, "assignee")
	state, _ := store.ListColumn(store.ListWorkItems, "state")
	overdue, _ := store.ListColumn(store.ListWorkItems, "overdue")
	for _, by := range [][]store.ViewColumn{{assignee, state}, {assignee, overdue}} {
		groups, err := s.Store.ViewGroups(ctx, viewerOf(me), c.query, by, nil)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			l := loads[fmt.Sprint(g.Keys[0])]
			if l == nil {
				continue
			}
			switch g.Keys[1] {
			case store.ItemAttention:
				l.Attention += g.Count
				l.Open += g.Count
			case store.ItemInProgress:
				l.Open += g.Count
			case true:
				l.Overdue += g.Count
			}
		}
	}
	out := make([]Load, 0, len(order))
	for _, login := range order {
		out = append(out, *loads[login])
	}
	slices.SortStableFunc(out, func(a, b Load) int { return b.Open - a.Open })
	return out, nil
}

// PinView puts a view me sees on their desktop.
func (s *Services) PinView(ctx context.Context, me store.User, view string) (store.Pin, error) {
	if _, err := s.View(ctx, me, view); err != nil {
		return store.Pin{}, err
	}
	return s.Store.AddPin(store.WithActor(ctx, me.Login), me.Login, store.Pin{Kind: "view", View: view}, MaxPins)
}

// PinFunnel puts a conveyor's funnel on me's desktop.
func (s *Services) PinFunnel(ctx context.Context, me store.User, definition string) (store.Pin, error) {
	if _, _, err := s.Definition(ctx, me, definition); err != nil {
		return store.Pin{}, err
	}
	return s.Store.AddPin(store.WithActor(ctx, me.Login), me.Login, store.Pin{Kind: "funnel", Definition: definition}, MaxPins)
}

// Unpin takes a pin off me's desktop.
func (s *Services) Unpin(ctx context.Context, me store.User, id int64) error {
	return s.Store.RemovePin(store.WithActor(ctx, me.Login), me.Login, id)
}

// MovePin moves a pin of me's one place earlier (by < 0) or later.
func (s *Services) MovePin(ctx context.Context, me store.User, id int64, by int) error {
	if by == 0 {
		return refusal.Invalid("a pin moves one way", viewFault("/by", "must be -1 or 1"))
	}
	return s.Store.MovePin(store.WithActor(ctx, me.Login), me.Login, id, by)
}
