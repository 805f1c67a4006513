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

// The same rule as sets of ids, for the saved views of a non-admin: the
// rows a viewer may see are gathered first, each way of seeing through its
// own index (the owner, the grants, the work items' assignee, the process's
// starter and client), and only then filtered and sorted, so that a
// manager's page over a million rows reads their few thousand. The sets
// pass through arrays so the planner sees their real sizes instead of
// guessing a recursive query's. TestTheVisibleSetsAreTheVisibilityRule
// holds them to the fragments above.
const visibleClientsSet = `,
	visible_clients(id) AS (
		SELECT c.id FROM clients c WHERE c.owner = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION
		SELECT cs.client_id FROM client_segments cs JOIN client_product_groups cg ON cg.client_id = cs.client_id
		WHERE cs.segment_id = ANY ((SELECT array_agg(id) FROM my_segments)::text[])
		  AND cg.group_id = ANY ((SELECT array_agg(id) FROM my_groups)::text[]))`

// visibleSets define `visible(id)`, the ids of a list's rows the viewer
// may see, after viewerScope and grantScope.
var visibleSets = map[string]string{
	ListClients: visibleClientsSet + `,
	visible(id) AS (SELECT id FROM visible_clients)`,
	ListProcesses: visibleClientsSet + `,
	visible(id) AS (
		SELECT p.id FROM processes p WHERE p.started_by = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION SELECT pw.process_id FROM work_items pw WHERE pw.assignee = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION SELECT p.id FROM processes p WHERE p.client_id = ANY ((SELECT array_agg(id) FROM visible_clients)::text[]))`,
	ListWorkItems: visibleClientsSet + `,
	visible(id) AS (
		SELECT w.id FROM work_items w WHERE w.assignee = ANY ((SELECT array_agg(login) FROM scope)::text[])
		UNION SELECT w.id FROM work_items w JOIN processes p ON p.id = w.process_id
		WHERE p.client_id = ANY ((SELECT array_agg(id) FROM visible_clients)::text[]))`,
}
