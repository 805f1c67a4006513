package web

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// itemCard is the client at hand on a work item's page.
type itemCard struct {
	services.ItemClient
	Contacts []cardContact
}

// cardContact is a contact with its phone as a tel: link dials it.
type cardContact struct {
	services.Contact
	Tel string
}

// itemCard reads the client of the item's process for the user; without a
// client, or for a user who may not see it, there is no card (nil), not an
// error: the item is theirs to work all the same.
func (u *UI) itemCard(c *gin.Context, clientID string) (*itemCard, error) {
	if clientID == "" {
		return nil, nil
	}
	cl, err := u.Services.ClientAtHand(c.Request.Context(), me(c), clientID)
	if errors.Is(err, refusal.ErrNotFound) || errors.Is(err, refusal.ErrForbidden) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	card := &itemCard{ItemClient: cl}
	for _, ct := range cl.Contacts {
		card.Contacts = append(card.Contacts, cardContact{Contact: ct, Tel: telAddress(ct.Phone)})
	}
	return card, nil
}

// telAddress is a phone as a tel: link dials it (after "tel:"): its
// digits, with the leading + of an international number; "" when it has
// no digits.
func telAddress(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if digits == "" {
		return ""
	}
	if strings.HasPrefix(strings.TrimSpace(phone), "+") {
		digits = "+" + digits
	}
	return digits
}
