package services

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The client card: whoever may see the client reads it and changes it;
// anyone else finds no client (the store checks, in the change's
// transaction).

// AddressKinds are the kinds of address a card has.
var AddressKinds = []string{store.AddressLegal, store.AddressPostal, store.AddressDelivery}

// AddressInput is an address as given; nil is not given.
type AddressInput struct {
	Kind, Text *string
	IsPrimary  *bool
}

func (in *AddressInput) check(creating bool) error {
	var wrong []refusal.FieldError
	if in.Kind == nil && creating {
		wrong = append(wrong, field("/kind", "required: one of "+strings.Join(AddressKinds, ", ")))
	} else if in.Kind != nil && !slices.Contains(AddressKinds, *in.Kind) {
		wrong = append(wrong, field("/kind", "must be one of "+strings.Join(AddressKinds, ", ")))
	}
	if creating && in.Text == nil {
		in.Text = new(string)
	}
	trimmed(in.Text)
	var bad limits.Checks
	bad.Add(limits.AddressText, "/text", in.Text)
	return invalid("invalid address", bad, wrong...)
}

func (s *Services) Addresses(ctx context.Context, by store.User, clientID string) ([]store.Address, error) {
	return s.Store.Addresses(ctx, viewerOf(by), clientID)
}

func (s *Services) CreateAddress(ctx context.Context, by store.User, clientID string, in AddressInput) (store.Address, error) {
	if err := in.check(true); err != nil {
		return store.Address{}, err
	}
	return s.Store.CreateAddress(ctx, viewerOf(by), store.Address{
		ClientID: clientID, Kind: *in.Kind, Text: *in.Text, IsPrimary: in.IsPrimary != nil && *in.IsPrimary})
}

func (s *Services) UpdateAddress(ctx context.Context, by store.User, clientID, id string, in AddressInput) (store.Address, error) {
	if err := in.check(false); err != nil {
		return store.Address{}, err
	}
	return s.Store.UpdateAddress(ctx, viewerOf(by), clientID, id, store.AddressPatch{Kind: in.Kind, Text: in.Text, IsPrimary: in.IsPrimary})
}

func (s *Services) DeleteAddress(ctx context.Context, by store.User, clientID, id string) error {
	return s.Store.DeleteAddress(ctx, viewerOf(by), clientID, id)
}

// BankAccountInput is a bank account as given.
type BankAccountInput struct {
	BIK, Account, BankName string
	IsPrimary              bool
}

func (s *Services) BankAccounts(ctx context.Context, by store.User, clientID string) ([]store.BankAccount, error) {
	return s.Store.BankAccounts(ctx, viewerOf(by), clientID)
}

// CreateBankAccount normalises the BIK and the account and verifies them,
// the account with its control key against the BIK.
func (s *Services) CreateBankAccount(ctx context.Context, by store.User, clientID string, in BankAccountInput) (store.BankAccount, error) {
	in.BIK, in.Account = identifiers.Normalize(in.BIK), identifiers.Normalize(in.Account)
	var wrong []refusal.FieldError
	if err := identifiers.BIK(in.BIK); err != nil {
		wrong = append(wrong, refusal.FieldError{Path: "/bik", Message: err.Error(), Cause: err})
	} else if err := identifiers.Account(in.BIK, in.Account); err != nil {
		wrong = append(wrong, refusal.FieldError{Path: "/account", Message: err.Error(), Cause: err})
	}
	trimmed(&in.BankName)
	var bad limits.Checks
	bad.Add(limits.BankName, "/bankName", &in.BankName)
	if err := invalid("invalid bank account", bad, wrong...); err != nil {
		return store.BankAccount{}, err
	}
	return s.Store.CreateBankAccount(ctx, viewerOf(by), store.BankAccount{
		ClientID: clientID, BIK: in.BIK, Account: in.Account, BankName: in.BankName, IsPrimary: in.IsPrimary})
}

func (s *Services) DeleteBankAccount(ctx context.Context, by store.User, clientID, id string) error {
	return s.Store.DeleteBankAccount(ctx, viewerOf(by), clientID, id)
}

// ContactInput is a contact as given; nil is not given.
type ContactInput struct {
	Name, Position, Phone, Email, Note *string
}

func (in *ContactInput) check(creating bool) error {
	if creating && in.Name == nil {
		in.Name = new(string)
	}
	trimmed(in.Name, in.Position, in.Phone, in.Email, in.Note)
	var bad limits.Checks
	bad.Add(limits.ContactName, "/name", in.Name)
	bad.Add(limits.Position, "/position", in.Position)
	bad.Add(limits.Phone, "/phone", in.Phone)
	bad.Add(limits.ContactNote, "/note", in.Note)
	var wrong []refusal.FieldError
	if p := deref(in.Phone); p != "" && limits.Phone.Check("/phone", p) == nil && !validPhone(p) {
		wrong = append(wrong, refusal.FieldError{Path: "/phone", Message: ErrNotAPhone.Error(), Cause: ErrNotAPhone})
	}
	if e := deref(in.Email); e != "" {
		if v := limits.Email.Check("/email", e); v != nil {
			bad = append(bad, v)
		} else if !validEmail(e) {
			wrong = append(wrong, refusal.FieldError{Path: "/email", Message: ErrNotAnEmail.Error(), Cause: ErrNotAnEmail})
		}
	}
	return invalid("invalid contact", bad, wrong...)
}

// ErrNotAnEmail is a contact's email that is not one.
var ErrNotAnEmail = errors.New("not an email address like name@example.com")

// ErrNotAPhone is a contact's phone that is not one.
var ErrNotAPhone = errors.New("not a phone number like +7 495 123-45-67")

// validPhone: digits with the separators people write (spaces, dashes,
// dots, brackets, a leading +) and an extension after "ext"/"доб", 5 to
// 15 digits before it: "+7 (495) 123-45-67", "8-800-555-35-35 доб. 12".
func validPhone(p string) bool {
	number := p
	for _, ext := range []string{"ext", "доб"} {
		if i := strings.Index(strings.ToLower(number), ext); i > 0 {
			number = number[:i]
		}
	}
	digits := 0
	for i, r := range strings.TrimSpace(number) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 15
}

func (s *Services) Contacts(ctx context.Context, by store.User, clientID string) ([]store.Contact, error) {
	return s.Store.Contacts(ctx, viewerOf(by), clientID)
}

func (s *Services) CreateContact(ctx context.Context, by store.User, clientID string, in ContactInput) (store.Contact, error) {
	if err := in.check(true); err != nil {
		return store.Contact{}, err
	}
	return s.Store.CreateContact(ctx, viewerOf(by), store.Contact{ClientID: clientID, Name: *in.Name,
		Position: deref(in.Position), Phone: deref(in.Phone), Email: deref(in.Email), Note: deref(in.Note)})
}

func (s *Services) UpdateContact(ctx context.Context, by store.User, clientID, id string, in ContactInput) (store.Contact, error) {
	if err := in.check(false); err != nil {
		return store.Contact{}, err
	}
	return s.Store.UpdateContact(ctx, viewerOf(by), clientID, id,
		store.ContactPatch{Name: in.Name, Position: in.Position, Phone: in.Phone, Email: in.Email, Note: in.Note})
}

func (s *Services) DeleteContact(ctx context.Context, by store.User, clientID, id string) error {
	return s.Store.DeleteContact(ctx, viewerOf(by), clientID, id)
}
