package store

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// Who sees a client is written once, here. The list queries use the
// fragments below where the planner can use the indexes; the SQL function
// can_see_client, which one-row checks and the assignment rules inside a
// step call, is generated from the same fragments on every migration
// (visibilityFunction), so the two cannot disagree.

// Viewer is who asks: lists and lookups show only what they may see.
type Viewer struct {
	Login string
	Admin bool
}

// viewerScope defines `scope`: the viewer and everyone below them in the
// hierarchy, transitively. Queries using it pass viewer.args (@admin,
// @login) among their named arguments.
const viewerScope = `WITH RECURSIVE scope(login) AS (
		SELECT @login::text
		UNION
		SELECT u.login FROM users u JOIN scope s ON u.supervisor = s.login)`

// grantScope extends viewerScope with the viewer's granted segments and
// product groups, each with its subtree.
const grantScope = `,
	my_segments(id) AS (
		SELECT segment_id FROM segment_grants WHERE login = @login
		UNION SELECT t.id FROM segments t JOIN my_segments m ON t.parent = m.id),
	my_groups(id) AS (
		SELECT group_id FROM product_group_grants WHERE login = @login
		UNION SELECT t.id FROM product_groups t JOIN my_groups m ON t.parent = m.id)`

// clientVisible is the visibility rule for the client aliased c: an admin;
// the owner or anyone above the owner; or grants meeting both the client's
// segments and its product groups.
const clientVisible = `(@admin OR c.owner IN (SELECT login FROM scope)
	OR (EXISTS (SELECT 1 FROM client_segments cs WHERE cs.client_id = c.id AND cs.segment_id IN (SELECT id FROM my_segments))
	    AND EXISTS (SELECT 1 FROM client_product_groups cg WHERE cg.client_id = c.id AND cg.group_id IN (SELECT id FROM my_groups))))`

// visibilityFunction is can_see_client(viewer, client) made of the
// fragments: the viewer's login for @login, and no admin shortcut for @admin
// (callers that have an admin check it themselves, as before).
func visibilityFunction() string {
	body := strings.NewReplacer("@login", "viewer", "@admin", "false").Replace(viewerScope + grantScope + `
	SELECT EXISTS (SELECT 1 FROM clients c WHERE c.id = client AND ` + clientVisible + `)`)
	return `CREATE OR REPLACE FUNCTION can_see_client(viewer text, client text) RETURNS boolean LANGUAGE sql STABLE AS $fn$
	` + body + `
$fn$`
}

// args are the viewer's named arguments of the fragments, with the query's
// own.
func (v Viewer) args(own pgx.NamedArgs) pgx.NamedArgs {
	args := pgx.NamedArgs{"admin": v.Admin, "login": v.Login}
	for k, x := range own {
		args[k] = x
	}
	return args
}
