package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Client is a company the conveyors work with.
type Client struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	INN           string    `json:"inn,omitempty"`
	KPP           string    `json:"kpp,omitempty"`
	OGRN          string    `json:"ogrn,omitempty"`
	Owner         string    `json:"owner"`
	Segments      []string  `json:"segments"`
	ProductGroups []string  `json:"productGroups"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

const clientColumns = `c.id, c.name, coalesce(c.inn, ''), coalesce(c.kpp, ''), coalesce(c.ogrn, ''), c.owner,
	coalesce((SELECT array_agg(segment_id ORDER BY segment_id) FROM client_segments WHERE client_id = c.id), '{}'),
	coalesce((SELECT array_agg(group_id ORDER BY group_id) FROM client_product_groups WHERE client_id = c.id), '{}'),
	c.created_at, c.updated_at`

func scanClient(row pgx.Row) (Client, error) {
	var c Client
	err := row.Scan(&c.ID, &c.Name, &c.INN, &c.KPP, &c.OGRN, &c.Owner, &c.Segments, &c.ProductGroups, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// CreateClient stores a client with its segments and product groups as it
// is, for the demo seed and tests; what people ask for goes through
// CreateClientFor, which applies the rules of who may own what.
func (s *Store) CreateClient(ctx context.Context, c Client) (Client, error) {
	return s.createClient(ctx, c, nil)
}

// Stewardship is what the rules of who owns and changes a client decide
// on (services/clientrules.go), read in the transaction of the change with
// the client's row locked: who is below whom, and who owns the client,
// must not change between the check and the write.
type Stewardship struct {
	// Owner, Segments and ProductGroups are the client as it is; empty for
	// a new one.
	Owner                   string
	Segments, ProductGroups []string
	// Decides says that the one making the change is an admin, or the
	// client's owner or above them (for a new client: true).
	Decides bool
	// NewOwner is the owner the change asks for ("" for none): whether
	// they are an active user, and the one making the change or below them
	// (an admin: anyone).
	NewOwner                      string
	NewOwnerActive, NewOwnerBelow bool
}

// StewardshipCheck refuses a change to a client by its Stewardship.
type StewardshipCheck func(Stewardship) error

// CreateClientFor stores a client created by by, as check allows; a
// refusal changes nothing.
func (s *Store) CreateClientFor(ctx context.Context, by Viewer, c Client, check StewardshipCheck) (Client, error) {
	return s.createClient(ctx, c, func(tx pgx.Tx) error {
		st := Stewardship{Decides: true, NewOwner: c.Owner}
		if err := newOwnerFacts(ctx, tx, by, &st); err != nil {
			return err
		}
		return check(st)
	})
}

func (s *Store) createClient(ctx context.Context, c Client, check func(pgx.Tx) error) (Client, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO clients (id, name, inn, kpp, ogrn, owner) VALUES (@id, @name, @inn, @kpp, @ogrn, @owner)`,
			pgx.NamedArgs{"id": c.ID, "name": c.Name, "inn": nullable(c.INN), "kpp": nullable(c.KPP), "ogrn": nullable(c.OGRN), "owner": c.Owner}); err != nil {
			return mapConstraint(err, "client "+c.ID)
		}
		return setClientTags(ctx, tx, c.ID, &c.Segments, &c.ProductGroups)
	})
	if err != nil {
		return Client{}, err
	}
	return scanClient(s.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients c WHERE c.id = @id`, pgx.NamedArgs{"id": c.ID}))
}

// newOwnerFacts reads whether st.NewOwner is active and within by's reach.
func newOwnerFacts(ctx context.Context, tx pgx.Tx, by Viewer, st *Stewardship) error {
	if st.NewOwner == "" {
		return nil
	}
	return tx.QueryRow(ctx, viewerScope+`
		SELECT coalesce((SELECT active FROM users WHERE login = @owner), false), @admin OR @owner IN (SELECT login FROM scope)`,
		by.args(pgx.NamedArgs{"owner": st.NewOwner})).Scan(&st.NewOwnerActive, &st.NewOwnerBelow)
}

// stewardship reads the facts of a change to client id by by, locking the
// client's row.
func stewardship(ctx context.Context, tx pgx.Tx, by Viewer, id string, p ClientPatch) (Stewardship, error) {
	var st Stewardship
	err := tx.QueryRow(ctx, viewerScope+`SELECT owner,
			coalesce((SELECT array_agg(segment_id) FROM client_segments WHERE client_id = c.id), '{}'),
			coalesce((SELECT array_agg(group_id) FROM client_product_groups WHERE client_id = c.id), '{}'),
			@admin OR owner IN (SELECT login FROM scope)
		FROM clients c WHERE id = @id FOR UPDATE OF c`, by.args(pgx.NamedArgs{"id": id})).Scan(&st.Owner, &st.Segments, &st.ProductGroups, &st.Decides)
	if err != nil {
		return st, notFound(err, "client "+id)
	}
	if p.Owner != nil && *p.Owner != st.Owner {
		st.NewOwner = *p.Owner
	}
	return st, newOwnerFacts(ctx, tx, by, &st)
}

func setClientTags(ctx context.Context, tx pgx.Tx, id string, segments, groups *[]string) error {
	if segments != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM client_segments WHERE client_id = @id AND NOT segment_id = ANY (@segments)`,
			pgx.NamedArgs{"id": id, "segments": *segments}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client_segments (client_id, segment_id) SELECT @id, unnest(@segments::text[]) ON CONFLICT DO NOTHING`,
			pgx.NamedArgs{"id": id, "segments": *segments}); err != nil {
			return mapConstraint(err, "segments of client "+id)
		}
	}
	if groups != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM client_product_groups WHERE client_id = @id AND NOT group_id = ANY (@groups)`,
			pgx.NamedArgs{"id": id, "groups": *groups}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client_product_groups (client_id, group_id) SELECT @id, unnest(@groups::text[]) ON CONFLICT DO NOTHING`,
			pgx.NamedArgs{"id": id, "groups": *groups}); err != nil {
			return mapConstraint(err, "product groups of client "+id)
		}
	}
	return nil
}

// ClientPatch changes a client; nil fields stay.
type ClientPatch struct {
	Name, INN, KPP, OGRN, Owner *string
	Segments, ProductGroups     *[]string
}

// UpdateClient changes a client viewer may see (others are not found), as
// far as check allows: a refusal changes nothing.
func (s *Store) UpdateClient(ctx context.Context, viewer Viewer, id string, p ClientPatch, check StewardshipCheck) (Client, error) {
	if _, err := s.Client(ctx, viewer, id); err != nil {
		return Client{}, err
	}
	if p == (ClientPatch{}) {
		return s.Client(ctx, viewer, id) // nothing to change, nothing to audit
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		st, err := stewardship(ctx, tx, viewer, id, p)
		if err != nil {
			return err
		}
		if err := check(st); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE clients SET
				name = coalesce(@name, name),
				inn = CASE WHEN @inn::text IS NULL THEN inn ELSE nullif(@inn, '') END,
				kpp = CASE WHEN @kpp::text IS NULL THEN kpp ELSE nullif(@kpp, '') END,
				ogrn = CASE WHEN @ogrn::text IS NULL THEN ogrn ELSE nullif(@ogrn, '') END,
				owner = coalesce(@owner, owner),
				updated_at = now()
			WHERE id = @id`, pgx.NamedArgs{"id": id, "name": p.Name, "inn": p.INN, "kpp": p.KPP, "ogrn": p.OGRN, "owner": p.Owner})
		if err != nil {
			return mapConstraint(err, "client "+id)
		}
		return setClientTags(ctx, tx, id, p.Segments, p.ProductGroups)
	})
	if err != nil {
		return Client{}, err
	}
	return s.Client(ctx, Viewer{Admin: true}, id)
}

// ClientByINN is the client with inn and kpp ("" for none), whoever may see
// it: the services name it when a new one would repeat them.
func (s *Store) ClientByINN(ctx context.Context, inn, kpp string) (Client, error) {
	c, err := scanClient(s.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients c
		WHERE c.inn = @inn AND coalesce(c.kpp, '') = @kpp`, pgx.NamedArgs{"inn": inn, "kpp": kpp}))
	return c, notFound(err, "client with INN "+inn)
}

// Client returns a client viewer may see; any other is not found, so its
// existence does not leak.
func (s *Store) Client(ctx context.Context, viewer Viewer, id string) (Client, error) {
	c, err := scanClient(s.pool.QueryRow(ctx, viewerScope+grantScope+`
		SELECT `+clientColumns+` FROM clients c WHERE c.id = @id AND `+clientVisible, viewer.args(pgx.NamedArgs{"id": id})))
	return c, notFound(err, "client "+id)
}

// ClientFilter narrows a client list. Name is a search: it matches any
// part of the client's name, case and ё/е aside; a prefix of the INN when
// it is all digits; any part of a contact's name; a contact's phone when it
// is a phone number, by its digits (any part of them, or the last ten: 8 495
// ... finds +7 495 ...).
type ClientFilter struct {
	Name, Owner, Segment, ProductGroup string
	// Sort is name (the default), createdAt or updatedAt, "-" first for
	// descending order.
	Sort string
	Page
}

// clientSorts are the orders a client list can take: the sort key (kept as
// text in the cursor), the order and the comparison a keyset page continues
// with. Names are in Russian order (the ru_icu collation, 0010_search.sql,
// which the clients_name index has too), in the cursor's comparison as in
// the order, or pages would skip and repeat.
var clientSorts = map[string]struct {
	key          func(Client) string
	order, after string
}{
	"name":       {clientName, "c.name COLLATE ru_icu, c.id", "(c.name COLLATE ru_icu, c.id) > (@after_key::text COLLATE ru_icu, @after_id)"},
	"-name":      {clientName, "c.name COLLATE ru_icu DESC, c.id DESC", "(c.name COLLATE ru_icu, c.id) < (@after_key::text COLLATE ru_icu, @after_id)"},
	"createdAt":  {clientCreated, "c.created_at, c.id", "(c.created_at, c.id) > (@after_key::timestamptz, @after_id)"},
	"-createdAt": {clientCreated, "c.created_at DESC, c.id DESC", "(c.created_at, c.id) < (@after_key::timestamptz, @after_id)"},
	"updatedAt":  {clientUpdated, "c.updated_at, c.id", "(c.updated_at, c.id) > (@after_key::timestamptz, @after_id)"},
	"-updatedAt": {clientUpdated, "c.updated_at DESC, c.id DESC", "(c.updated_at, c.id) < (@after_key::timestamptz, @after_id)"},
}

func clientName(c Client) string    { return c.Name }
func clientCreated(c Client) string { return c.CreatedAt.Format(time.RFC3339Nano) }
func clientUpdated(c Client) string { return c.UpdatedAt.Format(time.RFC3339Nano) }

// ErrBadSort is a sort order a list does not offer.
var ErrBadSort = errors.New("not a sort order of this list")

// Clients lists the clients viewer may see ("my clients"; admins: all), by
// name. The rule is applied in the query: no row a viewer may not see is
// ever fetched.
func (s *Store) Clients(ctx context.Context, viewer Viewer, f ClientFilter) ([]Client, string, error) {
	after, err := f.decode()
	if err != nil {
		return nil, "", err
	}
	if f.Sort == "" {
		f.Sort = "name"
	}
	order, ok := clientSorts[f.Sort]
	if !ok {
		return nil, "", fmt.Errorf("sort %q: %w", f.Sort, ErrBadSort)
	}

	// For a manager the visible set is small against the whole base: it is
	// gathered first through the owner and grant indexes, then sorted. The
	// sets go through arrays so the planner sees their real sizes instead of
	// guessing a recursive query's. An admin's page walks the name index.
	visible := `c.id = ANY ((SELECT array_agg(id) FROM visible)::text[])`
	if viewer.Admin {
		visible = `@admin`
	}
	matchedCTE, match, args := clientSearch(f.Name)
	rows, _ := s.pool.Query(ctx, viewerScope+grantScope+`,
	visible(id) AS (
		SELECT c.id FROM clients c
		WHERE NOT @admin AND c.owner = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION
		SELECT cs.client_id FROM client_segments cs JOIN client_product_groups cg ON cg.client_id = cs.client_id
		WHERE NOT @admin AND cs.segment_id = ANY ((SELECT array_agg(id) FROM my_segments)::text[])
		  AND cg.group_id = ANY ((SELECT array_agg(id) FROM my_groups)::text[]))`+matchedCTE+`
		SELECT `+clientColumns+` FROM clients c
		WHERE `+visible+`
		  AND `+match+`
		  AND (@owner = '' OR c.owner = @owner)
		  AND (@segment = '' OR EXISTS (SELECT 1 FROM client_segments cs WHERE cs.client_id = c.id AND cs.segment_id = @segment))
		  AND (@group = '' OR EXISTS (SELECT 1 FROM client_product_groups cg WHERE cg.client_id = c.id AND cg.group_id = @group))
		  AND (@after_id = '' OR `+order.after+`)
		ORDER BY `+order.order+`
		LIMIT @limit`,
		viewer.args(pgx.NamedArgs{"owner": f.Owner, "segment": f.Segment, "group": f.ProductGroup,
			"after_key": nullable(after.Name), "after_id": after.ID, "limit": f.limit() + 1, "q": args.q, "digits": args.digits}))
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Client, error) { return scanClient(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, f.limit(), func(c Client) cursor { return cursor{Name: order.key(c), ID: c.ID} })
	return list, next, nil
}

// searchArgs are a search's named arguments: @q the term as typed, which
// the query folds (search_fold, 0010_search.sql: the same function as the
// indexes'), and @digits its digits when it is a phone number or an INN.
type searchArgs struct{ q, digits string }

// clientSearch is what a search term adds to the client list's query: a
// CTE to follow the visible one (or none) and the condition on the client
// c. The term matches the name (any part of it, folded), the INN (a prefix,
// when the term is digits), a contact's name or phone (any part of their
// folded text, or the phone's last ten digits when the term is a phone).
//
// Each of these has its index (0010_search.sql): the trigrams of the folded
// name and of a contact's text, the INN's B-tree, the phone's last ten
// digits. A term of three characters or more goes through them: the
// clients it matches are gathered first, one index per way of matching, and
// then the visible ones among them are sorted, so that a rare term among
// 100,000 clients reads a few rows. A shorter term has no trigram and, as
// common as it then is, is checked on each client as the page walks the
// name order.
func clientSearch(term string) (cte, match string, args searchArgs) {
	term = strings.TrimSpace(term)
	if term == "" {
		return "", "true", args
	}
	args.q = term
	allDigits := isDigitString(term)
	if phoneLike(term) {
		args.digits = digitsOf(term)
	}
	name := `strpos(search_fold(c.name), search_fold(@q)) > 0`
	inn := `false`
	if allDigits {
		inn = `c.inn LIKE @digits || '%'`
	}
	contact := `strpos(contact_search_text(cc.name, cc.phone), search_fold(@q)) > 0`
	if args.digits != "" {
		contact = `strpos(contact_search_text(cc.name, cc.phone), @digits) > 0
			OR right(phone_digits(cc.phone), 10) = right(@digits, 10)`
	}
	if foldedLen(term) < 3 || args.digits != "" && len(args.digits) < 3 {
		return "", `(` + name + ` OR ` + inn + `
			OR EXISTS (SELECT 1 FROM client_contacts cc WHERE cc.client_id = c.id AND (` + contact + `)))`, args
	}
	name = `search_trigrams(search_fold(c.name)) @> search_trigrams(search_fold(@q)) AND ` + name
	if args.digits != "" {
		contact = `search_trigrams(contact_search_text(cc.name, cc.phone)) @> search_trigrams(@digits) AND ` + contact
	} else {
		contact = `search_trigrams(contact_search_text(cc.name, cc.phone)) @> search_trigrams(search_fold(@q)) AND ` + contact
	}
	cte = `,
	matched(id) AS (
		SELECT c.id FROM clients c WHERE ` + name + `
		UNION
		SELECT cc.client_id FROM client_contacts cc WHERE ` + contact
	if allDigits {
		cte += `
		UNION
		SELECT c.id FROM clients c WHERE ` + inn
	}
	return cte + `)`, `c.id IN (SELECT id FROM matched)`, args
}

// phoneLike tells a term that is a phone number: digits, at least one,
// and nothing but the signs phones are written with.
func phoneLike(s string) bool {
	digits := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("+()-. ", r):
		default:
			return false
		}
	}
	return digits
}

func isDigitString(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// foldedLen is about the length of search_fold(s): its characters but the
// quotes it drops and the spaces it collapses. Only which query to run
// depends on it, not what matches.
func foldedLen(s string) int {
	n := 0
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case strings.ContainsRune("«»\"“”„'", r):
		case unicode.IsSpace(r):
			if !space {
				n++
			}
			space = true
			continue
		default:
			n++
		}
		space = false
	}
	return n
}

// CanSeeClient applies the visibility rule to one client.
func (s *Store) CanSeeClient(ctx context.Context, viewer Viewer, id string) error {
	if viewer.Admin {
		var exists bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM clients WHERE id = @id)`, pgx.NamedArgs{"id": id}).Scan(&exists)
		if err == nil && !exists {
			err = fmt.Errorf("client %s: %w", id, refusal.ErrNotFound)
		}
		return err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT can_see_client(@login, @id)`, pgx.NamedArgs{"login": viewer.Login, "id": id}).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("client %s: %w", id, refusal.ErrNotFound)
	}
	return nil
}
