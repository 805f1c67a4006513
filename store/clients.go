package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
// CreateClientFor, which applies who may own what.
func (s *Store) CreateClient(ctx context.Context, c Client) (Client, error) {
	return s.createClient(ctx, c, nil)
}

// CreateClientFor stores a client by creates: its owner must be by or
// someone below by (an admin: anyone), and active. A refused owner is a
// *Refused.
func (s *Store) CreateClientFor(ctx context.Context, by Viewer, c Client) (Client, error) {
	return s.createClient(ctx, c, func(tx pgx.Tx) error { return mayOwn(ctx, tx, by, c.Owner) })
}

func (s *Store) createClient(ctx context.Context, c Client, check func(pgx.Tx) error) (Client, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO clients (id, name, inn, kpp, ogrn, owner) VALUES ($1, $2, $3, $4, $5, $6)`,
			c.ID, c.Name, nullable(c.INN), nullable(c.KPP), nullable(c.OGRN), c.Owner); err != nil {
			return mapConstraint(err, "client "+c.ID)
		}
		return setClientTags(ctx, tx, c.ID, &c.Segments, &c.ProductGroups)
	})
	if err != nil {
		return Client{}, err
	}
	return scanClient(s.pool.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients c WHERE c.id = $1`, c.ID))
}

// Who changes what of a client. Its owner, segments and product groups
// decide who sees it, so only those responsible for it change them: the
// owner, the supervisors above the owner, and admins; otherwise a manager who
// sees a client through a grant could widen (or narrow) who else sees it.
// Its name and legal identifiers are facts about the company that anyone
// working with it may correct, as they may its card; every change is
// audited. A new owner must be active, and the one who sets it or someone
// below them (admins: anyone), so nobody hands a client to a stranger or
// out of their own subtree.

// The rules a *Refused names.
const (
	RuleOwnerScope    = "owner-scope"
	RuleOwnerInactive = "owner-inactive"
	RuleDecide        = "decide"
)

var ruleText = map[string]string{
	RuleOwnerScope:    "the owner must be you or someone below you",
	RuleOwnerInactive: "the owner must be an active user",
	RuleDecide:        "only the client's owner, a supervisor above the owner or an admin changes its owner, segments and product groups",
}

// Refused is a change to a client that its maker may not make, at Field
// (owner, segments or productGroups). It is refusal.ErrForbidden, or
// refusal.ErrInvalid for an owner who is not an active user.
type Refused struct {
	Field, Rule string
}

func (e *Refused) Error() string { return e.Field + ": " + e.Reason() }

// Reason is what the rule says, without the field.
func (e *Refused) Reason() string { return ruleText[e.Rule] }

func (e *Refused) Unwrap() error {
	if e.Rule == RuleOwnerInactive {
		return refusal.ErrInvalid
	}
	return refusal.ErrForbidden
}

// mayOwn refuses owner as the new owner of a client set by by.
func mayOwn(ctx context.Context, tx pgx.Tx, by Viewer, owner string) error {
	var active, inScope bool
	err := tx.QueryRow(ctx, viewerScope+`
		SELECT coalesce((SELECT active FROM users WHERE login = @owner), false), @admin OR @owner IN (SELECT login FROM scope)`,
		by.args(pgx.NamedArgs{"owner": owner})).Scan(&active, &inScope)
	switch {
	case err != nil:
		return err
	case !active:
		return &Refused{Field: "owner", Rule: RuleOwnerInactive}
	case !inScope:
		return &Refused{Field: "owner", Rule: RuleOwnerScope}
	}
	return nil
}

// mayDecide refuses a change of who sees client id (its owner, segments or
// product groups) by by; a patch that sets them as they are changes nothing
// and passes. The client's row is locked, so that its owner cannot change
// between the check and the update.
func mayDecide(ctx context.Context, tx pgx.Tx, by Viewer, id string, p ClientPatch) error {
	var owner string
	var segments, groups []string
	err := tx.QueryRow(ctx, `SELECT owner,
			coalesce((SELECT array_agg(segment_id) FROM client_segments WHERE client_id = c.id), '{}'),
			coalesce((SELECT array_agg(group_id) FROM client_product_groups WHERE client_id = c.id), '{}')
		FROM clients c WHERE id = $1 FOR UPDATE`, id).Scan(&owner, &segments, &groups)
	if err != nil {
		return notFound(err, "client "+id)
	}
	var changed string
	switch {
	case p.Owner != nil && *p.Owner != owner:
		changed = "owner"
	case p.Segments != nil && !sameSet(*p.Segments, segments):
		changed = "segments"
	case p.ProductGroups != nil && !sameSet(*p.ProductGroups, groups):
		changed = "productGroups"
	default:
		return nil
	}
	var decides bool
	if err := tx.QueryRow(ctx, viewerScope+` SELECT @admin OR @owner IN (SELECT login FROM scope)`,
		by.args(pgx.NamedArgs{"owner": owner})).Scan(&decides); err != nil {
		return err
	}
	if !decides {
		return &Refused{Field: changed, Rule: RuleDecide}
	}
	if p.Owner != nil && *p.Owner != owner {
		return mayOwn(ctx, tx, by, *p.Owner)
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func setClientTags(ctx context.Context, tx pgx.Tx, id string, segments, groups *[]string) error {
	if segments != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM client_segments WHERE client_id = $1 AND NOT segment_id = ANY ($2)`, id, *segments); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client_segments (client_id, segment_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, *segments); err != nil {
			return mapConstraint(err, "segments of client "+id)
		}
	}
	if groups != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM client_product_groups WHERE client_id = $1 AND NOT group_id = ANY ($2)`, id, *groups); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client_product_groups (client_id, group_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, id, *groups); err != nil {
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
// far as the rules above let viewer: a refused change is a *Refused and
// changes nothing.
func (s *Store) UpdateClient(ctx context.Context, viewer Viewer, id string, p ClientPatch) (Client, error) {
	if _, err := s.Client(ctx, viewer, id); err != nil {
		return Client{}, err
	}
	opt := func(v *string) any {
		if v == nil {
			return nil
		}
		return *v
	}
	if p == (ClientPatch{}) {
		return s.Client(ctx, viewer, id) // nothing to change, nothing to audit
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := mayDecide(ctx, tx, viewer, id, p); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE clients SET
				name = coalesce($2, name),
				inn = CASE WHEN $3::text IS NULL THEN inn ELSE nullif($3, '') END,
				kpp = CASE WHEN $4::text IS NULL THEN kpp ELSE nullif($4, '') END,
				ogrn = CASE WHEN $5::text IS NULL THEN ogrn ELSE nullif($5, '') END,
				owner = coalesce($6, owner),
				updated_at = now()
			WHERE id = $1`, id, opt(p.Name), opt(p.INN), opt(p.KPP), opt(p.OGRN), opt(p.Owner))
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

// Client returns a client viewer may see; any other is not found, so its
// existence does not leak.
func (s *Store) Client(ctx context.Context, viewer Viewer, id string) (Client, error) {
	c, err := scanClient(s.pool.QueryRow(ctx, viewerScope+grantScope+`
		SELECT `+clientColumns+` FROM clients c WHERE c.id = @id AND `+clientVisible, viewer.args(pgx.NamedArgs{"id": id})))
	return c, notFound(err, "client "+id)
}

// ClientFilter narrows a client list. Name matches a prefix of the name
// (case-insensitive) or an exact INN.
type ClientFilter struct {
	Name, Owner, Segment, ProductGroup string
	// Sort is name (the default), createdAt or updatedAt, "-" first for
	// descending order.
	Sort string
	Page
}

// clientSorts are the orders a client list can take: the sort key (kept as
// text in the cursor), the order and the comparison a keyset page continues
// with.
var clientSorts = map[string]struct {
	key          func(Client) string
	order, after string
}{
	"name":       {clientName, "c.name, c.id", "(c.name, c.id) > (@after_key::text, @after_id)"},
	"-name":      {clientName, "c.name DESC, c.id DESC", "(c.name, c.id) < (@after_key::text, @after_id)"},
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
	rows, _ := s.pool.Query(ctx, viewerScope+grantScope+`,
	visible(id) AS (
		SELECT c.id FROM clients c
		WHERE NOT @admin AND c.owner = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION
		SELECT cs.client_id FROM client_segments cs JOIN client_product_groups cg ON cg.client_id = cs.client_id
		WHERE NOT @admin AND cs.segment_id = ANY ((SELECT array_agg(id) FROM my_segments)::text[])
		  AND cg.group_id = ANY ((SELECT array_agg(id) FROM my_groups)::text[]))
		SELECT `+clientColumns+` FROM clients c
		WHERE `+visible+`
		  AND (@name = '' OR lower(c.name) LIKE lower(@name) || '%' OR c.inn = @name)
		  AND (@owner = '' OR c.owner = @owner)
		  AND (@segment = '' OR EXISTS (SELECT 1 FROM client_segments cs WHERE cs.client_id = c.id AND cs.segment_id = @segment))
		  AND (@group = '' OR EXISTS (SELECT 1 FROM client_product_groups cg WHERE cg.client_id = c.id AND cg.group_id = @group))
		  AND (@after_id = '' OR `+order.after+`)
		ORDER BY `+order.order+`
		LIMIT @limit`,
		viewer.args(pgx.NamedArgs{"name": f.Name, "owner": f.Owner, "segment": f.Segment, "group": f.ProductGroup,
			"after_key": nullable(after.Name), "after_id": after.ID, "limit": f.limit() + 1}))
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Client, error) { return scanClient(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, f.limit(), func(c Client) cursor { return cursor{Name: order.key(c), ID: c.ID} })
	return list, next, nil
}

// CanSeeClient applies the visibility rule to one client.
func (s *Store) CanSeeClient(ctx context.Context, viewer Viewer, id string) error {
	if viewer.Admin {
		var exists bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM clients WHERE id = $1)`, id).Scan(&exists)
		if err == nil && !exists {
			err = fmt.Errorf("client %s: %w", id, refusal.ErrNotFound)
		}
		return err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT can_see_client($1, $2)`, viewer.Login, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("client %s: %w", id, refusal.ErrNotFound)
	}
	return nil
}
