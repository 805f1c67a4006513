package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// The client card: addresses, bank accounts, contact persons and values of
// characteristics (documents are in documents.go). Whoever may see a client
// may read and change its card; for anyone else the client is not found.
// Every change goes through s.tx, so the audit triggers put it in the
// client's trail.

// Address kinds.
const (
	AddressLegal    = "legal"
	AddressPostal   = "postal"
	AddressDelivery = "delivery"
)

// Address is one address of a client. A client has at most one primary
// address of each kind.
type Address struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	IsPrimary bool      `json:"isPrimary"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// AddressPatch changes an address; nil fields stay.
type AddressPatch struct {
	Kind, Text *string
	IsPrimary  *bool
}

// BankAccount is a client's account (20 digits) in the bank with a BIK. A
// client has at most one primary account.
type BankAccount struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	BIK       string    `json:"bik"`
	Account   string    `json:"account"`
	BankName  string    `json:"bankName"`
	IsPrimary bool      `json:"isPrimary"`
	CreatedAt time.Time `json:"createdAt"`
}

// Contact is a contact person of a client.
type Contact struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	Name      string    `json:"name"`
	Position  string    `json:"position"`
	Phone     string    `json:"phone"`
	Email     string    `json:"email"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ContactPatch changes a contact; nil fields stay.
type ContactPatch struct {
	Name, Position, Phone, Email, Note *string
}

// Characteristic types.
const (
	CharString = "string"
	CharNumber = "number"
	CharDate   = "date"
	CharEnum   = "enum"
)

// Characteristic is a typed field of every client card, defined by an admin.
// Values lists the allowed values of an enum.
type Characteristic struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Values    []string  `json:"values,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// newCardID makes the id of a card entry.
func newCardID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// seeClient fails with refusal.ErrNotFound unless viewer may see the client,
// asked in q (the pool, or the transaction of a change).
func seeClient(ctx context.Context, q queryRower, viewer Viewer, clientID string) error {
	var ok bool
	err := q.QueryRow(ctx, `SELECT CASE WHEN @admin THEN EXISTS (SELECT 1 FROM clients WHERE id = @client)
		ELSE can_see_client(@login, @client) END`, viewer.args(pgx.NamedArgs{"client": clientID})).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("client %s: %w", clientID, refusal.ErrNotFound)
	}
	return nil
}

// cardTx runs fn in an audited transaction once viewer is known to see the
// client.
func (s *Store) cardTx(ctx context.Context, viewer Viewer, clientID string, fn func(pgx.Tx) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := seeClient(ctx, tx, viewer, clientID); err != nil {
			return err
		}
		return fn(tx)
	})
}

// lockClient serialises the changes of one client's primary entries, so
// that two concurrent "make this one primary" both succeed, the later
// winning, rather than one failing on the unique index.
func lockClient(ctx context.Context, tx pgx.Tx, clientID string) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM clients WHERE id = @client FOR NO KEY UPDATE`, pgx.NamedArgs{"client": clientID})
	return err
}

// deleteCardRow deletes the row id of a client from table.
func (s *Store) deleteCardRow(ctx context.Context, viewer Viewer, table, what, clientID, id string) error {
	return s.cardTx(ctx, viewer, clientID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = @id AND client_id = @client`, pgx.NamedArgs{"id": id, "client": clientID})
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("%s %s: %w", what, id, refusal.ErrNotFound)
		}
		return err
	})
}

// --- addresses

const addressColumns = `id, client_id, kind, text, is_primary, created_at, updated_at`

func scanAddress(row pgx.Row) (Address, error) {
	var a Address
	err := row.Scan(&a.ID, &a.ClientID, &a.Kind, &a.Text, &a.IsPrimary, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// Addresses lists a client's addresses, oldest first.
func (s *Store) Addresses(ctx context.Context, viewer Viewer, clientID string) ([]Address, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+addressColumns+` FROM client_addresses WHERE client_id = @client ORDER BY created_at, id`, pgx.NamedArgs{"client": clientID})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Address, error) { return scanAddress(r) })
}

// unsetPrimaryAddress makes no address of kind primary but except.
func unsetPrimaryAddress(ctx context.Context, tx pgx.Tx, clientID, kind, except string) error {
	if err := lockClient(ctx, tx, clientID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE client_addresses SET is_primary = false, updated_at = now()
		WHERE client_id = @client AND kind = @kind AND is_primary AND id <> @except`,
		pgx.NamedArgs{"client": clientID, "kind": kind, "except": except})
	return err
}

// CreateAddress adds a.ClientID an address; a primary one replaces the
// primary address of its kind.
func (s *Store) CreateAddress(ctx context.Context, viewer Viewer, a Address) (Address, error) {
	var out Address
	err := s.cardTx(ctx, viewer, a.ClientID, func(tx pgx.Tx) error {
		id := newCardID()
		if a.IsPrimary {
			if err := unsetPrimaryAddress(ctx, tx, a.ClientID, a.Kind, id); err != nil {
				return err
			}
		}
		var err error
		out, err = scanAddress(tx.QueryRow(ctx, `INSERT INTO client_addresses (id, client_id, kind, text, is_primary)
			VALUES (@id, @client, @kind, @text, @primary) RETURNING `+addressColumns,
			pgx.NamedArgs{"id": id, "client": a.ClientID, "kind": a.Kind, "text": a.Text, "primary": a.IsPrimary}))
		return mapConstraint(err, "address")
	})
	return out, err
}

// UpdateAddress changes an address of a client.
func (s *Store) UpdateAddress(ctx context.Context, viewer Viewer, clientID, id string, p AddressPatch) (Address, error) {
	var out Address
	err := s.cardTx(ctx, viewer, clientID, func(tx pgx.Tx) error {
		var kind string
		var primary bool
		err := tx.QueryRow(ctx, `SELECT kind, is_primary FROM client_addresses WHERE id = @id AND client_id = @client FOR UPDATE`,
			pgx.NamedArgs{"id": id, "client": clientID}).Scan(&kind, &primary)
		if err != nil {
			return notFound(err, "address "+id)
		}
		if p.Kind != nil {
			kind = *p.Kind
		}
		if p.IsPrimary != nil {
			primary = *p.IsPrimary
		}
		if primary {
			if err := unsetPrimaryAddress(ctx, tx, clientID, kind, id); err != nil {
				return err
			}
		}
		out, err = scanAddress(tx.QueryRow(ctx, `UPDATE client_addresses
			SET kind = @kind, text = coalesce(@text, text), is_primary = @primary, updated_at = now()
			WHERE id = @id AND client_id = @client RETURNING `+addressColumns,
			pgx.NamedArgs{"id": id, "client": clientID, "kind": kind, "text": p.Text, "primary": primary}))
		return mapConstraint(err, "address "+id)
	})
	return out, err
}

// DeleteAddress removes an address of a client.
func (s *Store) DeleteAddress(ctx context.Context, viewer Viewer, clientID, id string) error {
	return s.deleteCardRow(ctx, viewer, "client_addresses", "address", clientID, id)
}

// --- bank accounts

const bankAccountColumns = `id, client_id, bik, account, bank_name, is_primary, created_at`

func scanBankAccount(row pgx.Row) (BankAccount, error) {
	var b BankAccount
	err := row.Scan(&b.ID, &b.ClientID, &b.BIK, &b.Account, &b.BankName, &b.IsPrimary, &b.CreatedAt)
	b.CreatedAt = b.CreatedAt.UTC()
	return b, err
}

// BankAccounts lists a client's bank accounts, oldest first.
func (s *Store) BankAccounts(ctx context.Context, viewer Viewer, clientID string) ([]BankAccount, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+bankAccountColumns+` FROM client_bank_accounts WHERE client_id = @client ORDER BY created_at, id`, pgx.NamedArgs{"client": clientID})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BankAccount, error) { return scanBankAccount(r) })
}

// CreateBankAccount adds b.ClientID a bank account (the BIK and account are
// checked by the caller, see identifiers.Account); a primary one replaces
// the primary account. The same account twice is a conflict.
func (s *Store) CreateBankAccount(ctx context.Context, viewer Viewer, b BankAccount) (BankAccount, error) {
	var out BankAccount
	err := s.cardTx(ctx, viewer, b.ClientID, func(tx pgx.Tx) error {
		if b.IsPrimary {
			if err := lockClient(ctx, tx, b.ClientID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE client_bank_accounts SET is_primary = false WHERE client_id = @client AND is_primary`,
				pgx.NamedArgs{"client": b.ClientID}); err != nil {
				return err
			}
		}
		var err error
		out, err = scanBankAccount(tx.QueryRow(ctx, `INSERT INTO client_bank_accounts (id, client_id, bik, account, bank_name, is_primary)
			VALUES (@id, @client, @bik, @account, @bank, @primary) RETURNING `+bankAccountColumns,
			pgx.NamedArgs{"id": newCardID(), "client": b.ClientID, "bik": b.BIK, "account": b.Account, "bank": b.BankName, "primary": b.IsPrimary}))
		return mapConstraint(err, "bank account "+b.Account)
	})
	return out, err
}

// DeleteBankAccount removes a bank account of a client.
func (s *Store) DeleteBankAccount(ctx context.Context, viewer Viewer, clientID, id string) error {
	return s.deleteCardRow(ctx, viewer, "client_bank_accounts", "bank account", clientID, id)
}

// --- contacts

const contactColumns = `id, client_id, name, position, phone, email, note, created_at, updated_at`

func scanContact(row pgx.Row) (Contact, error) {
	var c Contact
	err := row.Scan(&c.ID, &c.ClientID, &c.Name, &c.Position, &c.Phone, &c.Email, &c.Note, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// Contacts lists a client's contact persons, oldest first.
func (s *Store) Contacts(ctx context.Context, viewer Viewer, clientID string) ([]Contact, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+contactColumns+` FROM client_contacts WHERE client_id = @client ORDER BY created_at, id`, pgx.NamedArgs{"client": clientID})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Contact, error) { return scanContact(r) })
}

// CreateContact adds c.ClientID a contact person.
func (s *Store) CreateContact(ctx context.Context, viewer Viewer, c Contact) (Contact, error) {
	var out Contact
	err := s.cardTx(ctx, viewer, c.ClientID, func(tx pgx.Tx) error {
		var err error
		out, err = scanContact(tx.QueryRow(ctx, `INSERT INTO client_contacts (id, client_id, name, position, phone, email, note)
			VALUES (@id, @client, @name, @position, @phone, @email, @note) RETURNING `+contactColumns,
			pgx.NamedArgs{"id": newCardID(), "client": c.ClientID, "name": c.Name, "position": c.Position, "phone": c.Phone, "email": c.Email, "note": c.Note}))
		return mapConstraint(err, "contact")
	})
	return out, err
}

// UpdateContact changes a contact person of a client.
func (s *Store) UpdateContact(ctx context.Context, viewer Viewer, clientID, id string, p ContactPatch) (Contact, error) {
	var out Contact
	err := s.cardTx(ctx, viewer, clientID, func(tx pgx.Tx) error {
		var err error
		out, err = scanContact(tx.QueryRow(ctx, `UPDATE client_contacts SET
				name = coalesce(@name, name), position = coalesce(@position, position), phone = coalesce(@phone, phone),
				email = coalesce(@email, email), note = coalesce(@note, note), updated_at = now()
			WHERE id = @id AND client_id = @client RETURNING `+contactColumns,
			pgx.NamedArgs{"id": id, "client": clientID, "name": p.Name, "position": p.Position, "phone": p.Phone, "email": p.Email, "note": p.Note}))
		return mapConstraint(notFound(err, "contact "+id), "contact "+id)
	})
	return out, err
}

// DeleteContact removes a contact person of a client.
func (s *Store) DeleteContact(ctx context.Context, viewer Viewer, clientID, id string) error {
	return s.deleteCardRow(ctx, viewer, "client_contacts", "contact", clientID, id)
}

// --- characteristics

const characteristicColumns = `id, name, type, enum_values, created_at`

func scanCharacteristic(row pgx.Row) (Characteristic, error) {
	var c Characteristic
	err := row.Scan(&c.ID, &c.Name, &c.Type, &c.Values, &c.CreatedAt)
	if len(c.Values) == 0 {
		c.Values = nil
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// Characteristics lists the characteristics defined, by id.
func (s *Store) Characteristics(ctx context.Context) ([]Characteristic, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+characteristicColumns+` FROM characteristics ORDER BY id`)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Characteristic, error) { return scanCharacteristic(r) })
}

// CreateCharacteristic defines a characteristic: a duplicate id is a
// conflict; a bad id or type, or enum values missing from an enum or given
// to another type, are invalid.
func (s *Store) CreateCharacteristic(ctx context.Context, c Characteristic) (Characteristic, error) {
	values := c.Values
	if values == nil {
		values = []string{}
	}
	var out Characteristic
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanCharacteristic(tx.QueryRow(ctx, `INSERT INTO characteristics (id, name, type, enum_values)
			VALUES (@id, @name, @type, @values) RETURNING `+characteristicColumns,
			pgx.NamedArgs{"id": c.ID, "name": c.Name, "type": c.Type, "values": values}))
		return mapConstraint(err, "characteristic "+c.ID)
	})
	return out, err
}

// CharacteristicValues returns a client's characteristic values by id.
func (s *Store) CharacteristicValues(ctx context.Context, viewer Viewer, clientID string) (map[string]json.RawMessage, error) {
	if err := seeClient(ctx, s.pool, viewer, clientID); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `SELECT characteristic_id, value FROM client_characteristics WHERE client_id = @client`, pgx.NamedArgs{"client": clientID})
	out := map[string]json.RawMessage{}
	var id string
	var value []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &value}, func() error {
		out[id] = json.RawMessage(bytes.Clone(value))
		return nil
	})
	return out, err
}

// ValueCheck type-checks a value for its characteristic and returns it as
// it is stored (services/characteristics.go).
type ValueCheck func(Characteristic, json.RawMessage) (json.RawMessage, error)

// SetCharacteristicValue sets a client's value of characteristic charID as
// check returns it, and returns that.
func (s *Store) SetCharacteristicValue(ctx context.Context, viewer Viewer, clientID, charID string, value json.RawMessage, check ValueCheck) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.cardTx(ctx, viewer, clientID, func(tx pgx.Tx) error {
		def, err := scanCharacteristic(tx.QueryRow(ctx, `SELECT `+characteristicColumns+` FROM characteristics WHERE id = @id`,
			pgx.NamedArgs{"id": charID}))
		if err != nil {
			return notFound(err, "characteristic "+charID)
		}
		if out, err = check(def, value); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO client_characteristics (client_id, characteristic_id, value) VALUES (@client, @characteristic, @value)
			ON CONFLICT (client_id, characteristic_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
			WHERE client_characteristics.value IS DISTINCT FROM EXCLUDED.value`,
			pgx.NamedArgs{"client": clientID, "characteristic": charID, "value": string(out)})
		return mapConstraint(err, "characteristic "+charID)
	})
	return out, err
}

// DeleteCharacteristicValue removes a client's value of characteristic
// charID; a value not set is not found.
func (s *Store) DeleteCharacteristicValue(ctx context.Context, viewer Viewer, clientID, charID string) error {
	return s.cardTx(ctx, viewer, clientID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM client_characteristics WHERE client_id = @client AND characteristic_id = @characteristic`,
			pgx.NamedArgs{"client": clientID, "characteristic": charID})
		if err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("value of characteristic %s: %w", charID, refusal.ErrNotFound)
		}
		return err
	})
}
