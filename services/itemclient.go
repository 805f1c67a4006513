package services

import (
	"context"
	"slices"

	"github.com/conveyorhq/conveyor/store"
)

// ItemClient is the client a work item is about, as the item's page shows
// it beside the work: whom to call and where they are.
type ItemClient struct {
	ID, Name string
	Contacts []store.Contact
	// Primary are the client's primary addresses, one at most of each kind,
	// in the order of AddressKinds.
	Primary []store.Address
}

// ClientAtHand is the client of a work item's page for me: the card's
// name, contacts and primary addresses. A client me may not see is not
// found, as on the card itself.
func (s *Services) ClientAtHand(ctx context.Context, me store.User, clientID string) (ItemClient, error) {
	c, err := s.Client(ctx, me, clientID)
	if err != nil {
		return ItemClient{}, err
	}
	out := ItemClient{ID: c.ID, Name: c.Name}
	if out.Contacts, err = s.Contacts(ctx, me, clientID); err != nil {
		return ItemClient{}, err
	}
	addresses, err := s.Addresses(ctx, me, clientID)
	if err != nil {
		return ItemClient{}, err
	}
	for _, a := range addresses {
		if a.IsPrimary {
			out.Primary = append(out.Primary, a)
		}
	}
	slices.SortStableFunc(out.Primary, func(a, b store.Address) int {
		return slices.Index(AddressKinds, a.Kind) - slices.Index(AddressKinds, b.Kind)
	})
	return out, nil
}
