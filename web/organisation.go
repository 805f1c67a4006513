package web

import (
	"github.com/conveyorhq/conveyor/services"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"
)

// treeNode is a user, segment or product group with what hangs under it.
type treeNode struct {
	ID, Label, Note string
	Children        []*treeNode
}

type organisationPage struct {
	Users                   []*treeNode
	Teams                   []services.Team
	Segments, ProductGroups []*treeNode
	Grants                  []userGrants
	SegmentIDs, GroupIDs    []string
}

type userGrants struct {
	Login string
	services.Grants
}

// organisation shows admins the whole organisation: the hierarchy as a
// tree, teams, the directories, and each manager's grants with a form to
// change them.
func (u *UI) organisation(c *gin.Context) {
	o, err := u.Services.Organisation(c.Request.Context(), me(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	page := organisationPage{Teams: o.Teams}
	lang := language(c)
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
	}
	page.Users = tree(userNodes, func(i int) string { return o.Users[i].Supervisor })
	for _, t := range []struct {
		nodes []services.Node
		dst   *[]*treeNode
		ids   *[]string
	}{{o.Segments, &page.Segments, &page.SegmentIDs}, {o.ProductGroups, &page.ProductGroups, &page.GroupIDs}} {
		flat := make([]treeNode, len(t.nodes))
		for i, n := range t.nodes {
			flat[i] = treeNode{ID: n.ID, Label: n.Name, Note: n.Kind}
			*t.ids = append(*t.ids, n.ID)
		}
		*t.dst = tree(flat, func(i int) string { return t.nodes[i].Parent })
	}
	for _, usr := range o.Users {
		if g, ok := o.Grants[usr.Login]; ok {
			page.Grants = append(page.Grants, userGrants{Login: usr.Login, Grants: g})
		}
	}
	u.render(c, http.StatusOK, "organisation", translate(lang, "organisation"), page)
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
	g := services.Grants{Segments: c.Request.PostForm["segments"], ProductGroups: c.Request.PostForm["productGroups"]}
	if _, err := u.Services.SetGrants(c.Request.Context(), me(c), c.Param("login"), g); err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/organisation#grants-"+c.Param("login"))
}
