package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

var (
	ivanV = store.Viewer{Login: "ivan"}
	petrV = store.Viewer{Login: "petr"}
	olgaV = store.Viewer{Login: "olga"}
)

// cardStore has ivan's client acme; petr, another manager, may not see it,
// olga, their supervisor, may.
func cardStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	s := runtimeStore(t)
	ctx := store.WithActor(context.Background(), "test")
	_, err := s.CreateClient(ctx, store.Client{ID: "acme", Name: "Acme", Owner: "ivan"})
	require.NoError(t, err)
	return s, ctx
}

func TestAddressesKeepOnePrimaryOfEachKind(t *testing.T) {
	s, ctx := cardStore(t)
	legal, err := s.CreateAddress(ctx, ivanV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "Moscow, Tverskaya 1", IsPrimary: true})
	require.NoError(t, err)
	require.NotEmpty(t, legal.ID)
	require.True(t, legal.IsPrimary)
	postal, err := s.CreateAddress(ctx, ivanV, store.Address{ClientID: "acme", Kind: store.AddressPostal, Text: "PO box 5", IsPrimary: true})
	require.NoError(t, err)
	legal2, err := s.CreateAddress(ctx, olgaV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "Moscow, Arbat 2", IsPrimary: true})
	require.NoError(t, err)

	primary := func() map[string]bool {
		list, err := s.Addresses(ctx, ivanV, "acme")
		require.NoError(t, err)
		out := map[string]bool{}
		for _, a := range list {
			out[a.ID] = a.IsPrimary
		}
		return out
	}
	require.Equal(t, map[string]bool{legal.ID: false, postal.ID: true, legal2.ID: true}, primary(), "a new primary legal address replaces the old one only")

	// Moving the postal address to legal keeps it primary and demotes legal2.
	kind := store.AddressLegal
	moved, err := s.UpdateAddress(ctx, ivanV, "acme", postal.ID, store.AddressPatch{Kind: &kind})
	require.NoError(t, err)
	require.Equal(t, store.AddressLegal, moved.Kind)
	require.Equal(t, "PO box 5", moved.Text)
	require.Equal(t, map[string]bool{legal.ID: false, postal.ID: true, legal2.ID: false}, primary())

	bad := "abroad"
	_, err = s.UpdateAddress(ctx, ivanV, "acme", legal.ID, store.AddressPatch{Kind: &bad})
	require.ErrorIs(t, err, refusal.ErrInvalid)
	_, err = s.UpdateAddress(ctx, ivanV, "acme", "nope", store.AddressPatch{Kind: &kind})
	require.ErrorIs(t, err, refusal.ErrNotFound)

	require.NoError(t, s.DeleteAddress(ctx, ivanV, "acme", legal.ID))
	require.ErrorIs(t, s.DeleteAddress(ctx, ivanV, "acme", legal.ID), refusal.ErrNotFound)
	require.Len(t, primary(), 2)
}

func TestACardIsNotFoundForWhoeverMayNotSeeTheClient(t *testing.T) {
	s, ctx := cardStore(t)
	a, err := s.CreateAddress(ctx, ivanV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "Moscow"})
	require.NoError(t, err)
	_, err = s.CreateCharacteristic(ctx, store.Characteristic{ID: "size", Name: "Size", Type: store.CharNumber})
	require.NoError(t, err)
	text := "Kazan"

	for name, err := range map[string]error{
		"addresses":      second(s.Addresses(ctx, petrV, "acme")),
		"add address":    second(s.CreateAddress(ctx, petrV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "x"})),
		"update address": second(s.UpdateAddress(ctx, petrV, "acme", a.ID, store.AddressPatch{Text: &text})),
		"delete address": s.DeleteAddress(ctx, petrV, "acme", a.ID),
		"bank accounts":  second(s.BankAccounts(ctx, petrV, "acme")),
		"add account":    second(s.CreateBankAccount(ctx, petrV, store.BankAccount{ClientID: "acme", BIK: "044525225", Account: "40702810200000000001"})),
		"contacts":       second(s.Contacts(ctx, petrV, "acme")),
		"add contact":    second(s.CreateContact(ctx, petrV, store.Contact{ClientID: "acme", Name: "x"})),
		"values":         second(s.CharacteristicValues(ctx, petrV, "acme")),
		"set value":      second(s.SetCharacteristicValue(ctx, petrV, "acme", "size", json.RawMessage(`1`), asGiven)),
		"documents":      second(s.Documents(ctx, petrV, "acme")),
		"add document":   second(s.CreateDocument(ctx, petrV, store.Document{ClientID: "acme", Name: "a.txt", ContentType: "text/plain"}, bytes.NewReader([]byte("x")), 10)),
		"unknown client": second(s.Addresses(ctx, store.Viewer{Admin: true}, "nobody")),
	} {
		require.ErrorIs(t, err, refusal.ErrNotFound, name)
	}
	list, err := s.Addresses(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "Moscow", list[0].Text, "nothing changed")

	_, err = s.CreateAddress(context.Background(), ivanV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "x"})
	require.ErrorIs(t, err, store.ErrNoActor)
}

func second[T any](_ T, err error) error { return err }

func TestBankAccountsAreUniqueAndOneIsPrimary(t *testing.T) {
	s, ctx := cardStore(t)
	first, err := s.CreateBankAccount(ctx, ivanV, store.BankAccount{ClientID: "acme", BIK: "044525225", Account: "40702810200000000001", BankName: "Sberbank", IsPrimary: true})
	require.NoError(t, err)
	require.Equal(t, "Sberbank", first.BankName)
	_, err = s.CreateBankAccount(ctx, ivanV, store.BankAccount{ClientID: "acme", BIK: "044525225", Account: "40702810200000000001"})
	require.ErrorIs(t, err, refusal.ErrConflict)
	_, err = s.CreateBankAccount(ctx, ivanV, store.BankAccount{ClientID: "acme", BIK: "12345", Account: "40702810200000000001"})
	require.ErrorIs(t, err, refusal.ErrInvalid, "the table keeps the formats")
	corr, err := s.CreateBankAccount(ctx, ivanV, store.BankAccount{ClientID: "acme", BIK: "044525225", Account: "30101810400000000225", IsPrimary: true})
	require.NoError(t, err)

	list, err := s.BankAccounts(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, first.ID, list[0].ID)
	require.False(t, list[0].IsPrimary)
	require.True(t, list[1].IsPrimary)

	require.NoError(t, s.DeleteBankAccount(ctx, ivanV, "acme", corr.ID))
	list, err = s.BankAccounts(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func TestContactsAreAddedChangedAndRemoved(t *testing.T) {
	s, ctx := cardStore(t)
	c, err := s.CreateContact(ctx, ivanV, store.Contact{ClientID: "acme", Name: "Pavel", Position: "CFO", Phone: "+7 495 000-00-00"})
	require.NoError(t, err)
	email, note := "pavel@acme.ru", "call after 10"
	changed, err := s.UpdateContact(ctx, ivanV, "acme", c.ID, store.ContactPatch{Email: &email, Note: &note})
	require.NoError(t, err)
	require.Equal(t, "Pavel", changed.Name)
	require.Equal(t, "CFO", changed.Position)
	require.Equal(t, email, changed.Email)
	require.Equal(t, note, changed.Note)
	empty := ""
	_, err = s.UpdateContact(ctx, ivanV, "acme", c.ID, store.ContactPatch{Name: &empty})
	require.ErrorIs(t, err, refusal.ErrInvalid)
	_, err = s.UpdateContact(ctx, ivanV, "acme", "nope", store.ContactPatch{Note: &note})
	require.ErrorIs(t, err, refusal.ErrNotFound)
	require.NoError(t, s.DeleteContact(ctx, ivanV, "acme", c.ID))
	list, err := s.Contacts(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestCharacteristicDefinitionsAreChecked(t *testing.T) {
	s, ctx := cardStore(t)
	_, err := s.CreateCharacteristic(ctx, store.Characteristic{ID: "tier", Name: "Tier", Type: store.CharEnum, Values: []string{"gold", "silver"}})
	require.NoError(t, err)
	_, err = s.CreateCharacteristic(ctx, store.Characteristic{ID: "tier", Name: "Again", Type: store.CharString})
	require.ErrorIs(t, err, refusal.ErrConflict)
	for name, c := range map[string]store.Characteristic{
		"enum without values":   {ID: "a", Name: "A", Type: store.CharEnum},
		"values of a non-enum":  {ID: "b", Name: "B", Type: store.CharString, Values: []string{"x"}},
		"unknown type":          {ID: "c", Name: "C", Type: "bool"},
		"not a slug":            {ID: "Big Id", Name: "D", Type: store.CharString},
		"without a name at all": {ID: "e", Type: store.CharString},
	} {
		_, err := s.CreateCharacteristic(ctx, c)
		require.ErrorIs(t, err, refusal.ErrInvalid, name)
	}
	list, err := s.Characteristics(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, []string{"gold", "silver"}, list[0].Values)
}

func TestCharacteristicValuesAreSetPerClient(t *testing.T) {
	s, ctx := cardStore(t)
	_, err := s.CreateCharacteristic(ctx, store.Characteristic{ID: "tier", Name: "Tier", Type: store.CharEnum, Values: []string{"gold", "silver"}})
	require.NoError(t, err)
	_, err = s.CreateCharacteristic(ctx, store.Characteristic{ID: "since", Name: "Client since", Type: store.CharDate})
	require.NoError(t, err)

	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "tier", json.RawMessage(`"gold"`), asGiven)
	require.NoError(t, err)
	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "since", json.RawMessage(`"2020-01-31"`), asGiven)
	require.NoError(t, err)
	refused := errors.New("refused")
	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "tier", json.RawMessage(`"platinum"`),
		func(store.Characteristic, json.RawMessage) (json.RawMessage, error) { return nil, refused })
	require.ErrorIs(t, err, refused, "the check's refusal")
	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "nope", json.RawMessage(`"x"`), asGiven)
	require.ErrorIs(t, err, refusal.ErrNotFound)
	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "tier", json.RawMessage(`"silver"`), asGiven)
	require.NoError(t, err)

	values, err := s.CharacteristicValues(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Equal(t, map[string]json.RawMessage{"tier": json.RawMessage(`"silver"`), "since": json.RawMessage(`"2020-01-31"`)}, values)

	require.NoError(t, s.DeleteCharacteristicValue(ctx, ivanV, "acme", "since"))
	require.ErrorIs(t, s.DeleteCharacteristicValue(ctx, ivanV, "acme", "since"), refusal.ErrNotFound)
	values, err = s.CharacteristicValues(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Len(t, values, 1)

	// Setting the same value again changes (and audits) nothing.
	_, err = s.SetCharacteristicValue(ctx, ivanV, "acme", "tier", json.RawMessage(`"silver"`), asGiven)
	require.NoError(t, err)
	entries, _, err := s.Audit(ctx, store.AuditFilter{Entity: "client_characteristics", EntityID: "tier"})
	require.NoError(t, err)
	require.Len(t, entries, 2, "insert gold, update to silver")
	require.Equal(t, "acme", entries[0].Client)
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	require.NoError(t, s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n))
	return n
}

func TestADocumentIsStoredInChunksAndReadBackWhole(t *testing.T) {
	s, ctx := cardStore(t)
	content := make([]byte, 2*store.DocumentChunkSize+1234)
	_, _ = rand.Read(content)
	sum := sha256.Sum256(content)

	d, err := s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "scan.pdf", ContentType: "application/pdf"},
		bytes.NewReader(content), 10<<20)
	require.NoError(t, err)
	require.Equal(t, int64(len(content)), d.Size)
	require.Equal(t, hex.EncodeToString(sum[:]), d.SHA256)
	require.Equal(t, "ivan", d.UploadedBy)
	require.Equal(t, 3, countRows(t, s, "document_chunks"))

	var got bytes.Buffer
	var meta store.Document
	require.NoError(t, s.ReadDocument(ctx, olgaV, "acme", d.ID, func(m store.Document) io.Writer { meta = m; return &got }))
	require.Equal(t, d, meta)
	require.True(t, bytes.Equal(content, got.Bytes()), "the same bytes back")

	list, err := s.Documents(ctx, ivanV, "acme")
	require.NoError(t, err)
	require.Equal(t, []store.Document{d}, list)

	err = s.ReadDocument(ctx, petrV, "acme", d.ID, func(store.Document) io.Writer { t.Fatal("opened"); return nil })
	require.ErrorIs(t, err, refusal.ErrNotFound)
	err = s.ReadDocument(ctx, ivanV, "acme", "nope", func(store.Document) io.Writer { t.Fatal("opened"); return nil })
	require.ErrorIs(t, err, refusal.ErrNotFound)

	require.NoError(t, s.DeleteDocument(ctx, ivanV, "acme", d.ID))
	require.Zero(t, countRows(t, s, "documents"))
	require.Zero(t, countRows(t, s, "document_chunks"), "the content goes with it")
}

type failingReader struct {
	left int
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, r.err
	}
	n := min(len(p), r.left)
	r.left -= n
	return n, nil
}

func TestAFailedUploadStoresNothing(t *testing.T) {
	s, ctx := cardStore(t)
	big := bytes.NewReader(make([]byte, 3*store.DocumentChunkSize))
	_, err := s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "big.pdf", ContentType: "application/pdf"},
		big, 2*store.DocumentChunkSize+1)
	require.ErrorIs(t, err, store.ErrTooLarge)

	_, err = s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "cut.pdf", ContentType: "application/pdf"},
		&failingReader{left: store.DocumentChunkSize + 10, err: errors.New("connection reset")}, 10<<20)
	require.ErrorContains(t, err, "connection reset")
	_, err = s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "cut.pdf", ContentType: "application/pdf"},
		&failingReader{left: 100, err: io.ErrUnexpectedEOF}, 10<<20)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a cut body is not a short file")

	exact, err := s.CreateDocument(ctx, ivanV, store.Document{ClientID: "acme", Name: "exact.txt", ContentType: "text/plain; charset=utf-8"},
		bytes.NewReader(make([]byte, 2*store.DocumentChunkSize)), 2*store.DocumentChunkSize)
	require.NoError(t, err, "exactly the limit is accepted")
	require.Equal(t, 1, countRows(t, s, "documents"))
	require.Equal(t, 2, countRows(t, s, "document_chunks"), "only the accepted document's")
	require.NoError(t, s.DeleteDocument(ctx, ivanV, "acme", exact.ID))
}

func TestTheClientsTrailHasItsCardChanges(t *testing.T) {
	s, ctx := cardStore(t)
	ictx := store.WithActor(context.Background(), "ivan")
	a, err := s.CreateAddress(ictx, ivanV, store.Address{ClientID: "acme", Kind: store.AddressLegal, Text: "Moscow"})
	require.NoError(t, err)
	_, err = s.CreateBankAccount(ictx, ivanV, store.BankAccount{ClientID: "acme", BIK: "044525225", Account: "40702810200000000001"})
	require.NoError(t, err)
	_, err = s.CreateContact(ictx, ivanV, store.Contact{ClientID: "acme", Name: "Pavel"})
	require.NoError(t, err)
	_, err = s.CreateCharacteristic(ctx, store.Characteristic{ID: "size", Name: "Size", Type: store.CharNumber})
	require.NoError(t, err)
	_, err = s.SetCharacteristicValue(ictx, ivanV, "acme", "size", json.RawMessage(`250`), asGiven)
	require.NoError(t, err)
	d, err := s.CreateDocument(ictx, ivanV, store.Document{ClientID: "acme", Name: "a.txt", ContentType: "text/plain; charset=utf-8"},
		bytes.NewReader([]byte("hello")), 100)
	require.NoError(t, err)
	require.NoError(t, s.DeleteDocument(ictx, ivanV, "acme", d.ID))
	require.NoError(t, s.DeleteAddress(ictx, ivanV, "acme", a.ID))

	entries, _, err := s.Audit(ctx, store.AuditFilter{Client: "acme", Actor: "ivan"})
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Entity)
	}
	require.Equal(t, []string{
		"delete client_addresses", "delete documents", "insert documents", "insert client_characteristics",
		"insert client_contacts", "insert client_bank_accounts", "insert client_addresses",
	}, got)
	require.Contains(t, string(entries[2].After), `"sha256"`)
	require.NotContains(t, string(entries[2].After), "hello", "the content is not in the log")
}

// asGiven stores a characteristic value as it is given: the type checks
// are the services'.
func asGiven(_ store.Characteristic, v json.RawMessage) (json.RawMessage, error) { return v, nil }
