package web

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// treeNode is a user, segment or product group with what hangs under it.
type treeNode struct {
	ID, Label, Note string
	Children        []*treeNode
}

type organisationPage struct {
	Notice                  string
	Users                   []*treeNode
	List                    []userRow
	Teams                   []services.Team
	Segments, ProductGroups []*treeNode
	Grants                  []userGrants
}

// userRow is a line of the users' list.
type userRow struct {
	services.User
	SupervisorName string
	DeputyName     string
	LockedFor      int // seconds; 0: not locked
}

// userGrants is a user's grants as the form shows them: every node of
// both directories, in tree order, checked where granted.
type userGrants struct {
	Login, Name             string
	Segments, ProductGroups []grantOption
}

// grantOption is one node of a directory in a grants form: its name, how
// deep in its tree (for the indentation), its path from the root (for the
// title), and whether the user has it.
type grantOption struct {
	ID, Name, Path string
	Depth          int
	Checked        bool
}

// organisation shows admins the whole organisation: the users (a list
// with a link to each one's page, and the hierarchy as a tree), teams, the
// directories, and each manager's grants with a form to change them.
func (u *UI) organisation(c *gin.Context) {
	o, err := u.Services.Organisation(c.Request.Context(), me(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	lang := language(c)
	page := organisationPage{Teams: o.Teams, Notice: notice(c, lang)}
	names := userNames(o.Users)
	userNodes := make([]treeNode, len(o.Users))
	for i, usr := range o.Users {
		note := usr.Name
		if !usr.Active {
			note += " (" + translate(lang, "inactive") + ")"
		}
		if usr.Deputy != "" {
			note += " · " + translate(lang, "absent") + " " + usr.Deputy
		}
		userNodes[i] = treeNode{ID: usr.Login, Label: usr.Login, Note: note}
		row := userRow{User: usr, SupervisorName: names[usr.Supervisor], DeputyName: names[usr.Deputy]}
		row.LockedFor, err = u.lockedFor(c, usr.Login)
		if err != nil {
			u.fail(c, err)
			return
		}
		page.List = append(page.List, row)
	}
	page.Users = tree(userNodes, func(i int) string { return o.Users[i].Supervisor })
	for _, t := range []struct {
		nodes []services.Node
		dst   *[]*treeNode
	}{{o.Segments, &page.Segments}, {o.ProductGroups, &page.ProductGroups}} {
		flat := make([]treeNode, len(t.nodes))
		for i, n := range t.nodes {
			flat[i] = treeNode{ID: n.ID, Label: n.Name, Note: n.Kind}
		}
		*t.dst = tree(flat, func(i int) string { return t.nodes[i].Parent })
	}
	for _, usr := range o.Users {
		if g, ok := o.Grants[usr.Login]; ok {
			page.Grants = append(page.Grants, userGrants{Login: usr.Login, Name: usr.Name,
				Segments: grantOptions(page.Segments, g.Segments), ProductGroups: grantOptions(page.ProductGroups, g.ProductGroups)})
		}
	}
	u.render(c, http.StatusOK, "organisation", translate(lang, "organisation"), page)
}

// userNames are the users' names by login, the login where a user has none.
func userNames(users []services.User) map[string]string {
	names := map[string]string{}
	for _, usr := range users {
		names[usr.Login] = usr.Name
		if usr.Name == "" {
			names[usr.Login] = usr.Login
		}
	}
	return names
}

// grantOptions flattens a directory's tree, depth first, checking the
// nodes granted.
func grantOptions(roots []*treeNode, granted []string) []grantOption {
	var out []grantOption
	var walk func(nodes []*treeNode, depth int, path string)
	walk = func(nodes []*treeNode, depth int, path string) {
		for _, n := range nodes {
			p := n.Label
			if path != "" {
				p = path + " › " + n.Label
			}
			out = append(out, grantOption{ID: n.ID, Name: n.Label, Path: p, Depth: min(depth, 4), Checked: slices.Contains(granted, n.ID)})
			walk(n.Children, depth+1, p)
		}
	}
	walk(roots, 0, "")
	return out
}

// tree hangs nodes under their parents (parent(i) of nodes[i], "" = root),
// keeping the given order among siblings.
func tree(nodes []treeNode, parent func(int) string) []*treeNode {
	byID := map[string]*treeNode{}
	for i := range nodes {
		byID[nodes[i].ID] = &nodes[i]
	}
	var roots []*treeNode
	for i := range nodes {
		if p, ok := byID[parent(i)]; ok {
			p.Children = append(p.Children, &nodes[i])
		} else {
			roots = append(roots, &nodes[i])
		}
	}
	sort.SliceStable(roots, func(a, b int) bool { return len(roots[a].Children) > len(roots[b].Children) })
	return roots
}

// saveGrants replaces a user's grants from the organisation page.
func (u *UI) saveGrants(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		u.fail(c, err)
		return
	}
	g := services.Grants{Segments: nonEmpty(c.Request.PostForm["segments"]), ProductGroups: nonEmpty(c.Request.PostForm["productGroups"])}
	if _, err := u.Services.SetGrants(c.Request.Context(), me(c), c.Param("login"), g); err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/organisation?done=grants#grants-"+c.Param("login"))
}

// nonEmpty is values without the blank ones, never nil.
func nonEmpty(values []string) []string {
	out := []string{}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
