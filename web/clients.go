package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// "My clients" and the new-client form; the card is in card.go, its forms
// in cardforms.go, its documents in documents.go.

// registerClients adds "My clients", the new-client form and the client
// card with its tabs.
func (u *UI) registerClients(s *gin.RouterGroup) {
	s.GET("/clients", u.clientList)
	s.GET("/clients/new", u.clientNew)
	s.POST("/clients", u.clientCreate)
	s.GET("/clients/:id", u.clientCard)
	s.POST("/clients/:id", u.clientUpdate)
	s.POST("/clients/:id/addresses", u.addressPost)
	s.POST("/clients/:id/bank-accounts", u.bankAccountPost)
	s.POST("/clients/:id/contacts", u.contactPost)
	s.POST("/clients/:id/characteristics", u.characteristicPost)
	s.GET("/clients/:id/start", u.clientStartChoose)
	s.GET("/clients/:id/start/:definition", u.clientStartPage)
	s.POST("/clients/:id/start/:definition", u.clientStartPost)
	s.POST("/clients/:id/documents", u.documentPost)
	s.GET("/clients/:id/documents/:docId", u.documentGet)
}

// --- shared pieces

// option is an entry of a select: a node of a tree, indented by its depth.
type option struct {
	ID, Label string
	Selected  bool
}

// directory is both trees in display order, with names by id.
type directory struct {
	segments, groups       []option
	segmentName, groupName map[string]string
	userName               map[string]string
	users                  []services.User
}

func (u *UI) directory(ctx context.Context) (*directory, error) {
	d := &directory{userName: map[string]string{}}
	var err error
	for _, tree := range []struct {
		t     services.Tree
		opts  *[]option
		names *map[string]string
	}{{services.Segments, &d.segments, &d.segmentName}, {services.ProductGroups, &d.groups, &d.groupName}} {
		nodes, err := u.Services.Nodes(ctx, tree.t)
		if err != nil {
			return nil, err
		}
		*tree.opts, *tree.names = treeOptions(nodes)
	}
	if d.users, err = u.Services.Everyone(ctx); err != nil {
		return nil, err
	}
	for _, usr := range d.users {
		d.userName[usr.Login] = usr.Name
	}
	return d, nil
}

// treeOptions orders nodes parents first, each followed by its subtree,
// children indented.
func treeOptions(nodes []services.Node) ([]option, map[string]string) {
	names := map[string]string{}
	children := map[string][]services.Node{}
	for _, n := range nodes {
		names[n.ID] = n.Name
		children[n.Parent] = append(children[n.Parent], n)
	}
	var out []option
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, n := range children[parent] {
			out = append(out, option{ID: n.ID, Label: strings.Repeat("\u00a0\u00a0\u00a0", depth) + n.Name})
			walk(n.ID, depth+1)
		}
	}
	walk("", 0)
	return out, names
}

// choose marks the selected options (on a copy).
func choose(opts []option, selected []string) []option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Selected = slices.Contains(selected, out[i].ID)
	}
	return out
}

func namesOf(ids []string, names map[string]string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if n, ok := names[id]; ok {
			out[i] = n
		} else {
			out[i] = id
		}
	}
	return out
}

// fieldErrors collects the refusals of a form by field name.
type fieldErrors map[string]string

func listPage(c *gin.Context, limit int) services.Page {
	return services.Page{After: c.Query("after"), Limit: limit}
}

// nextLink is the link to the following page of the current one.
func nextLink(c *gin.Context, next string) string {
	if next == "" {
		return ""
	}
	q := c.Request.URL.Query()
	q.Set("after", next)
	q.Del("saved")
	return c.Request.URL.Path + "?" + q.Encode()
}

// --- My clients

var clientSortOrders = []string{"name", "-name", "createdAt", "-createdAt"}

type clientRow struct {
	services.Client
	OwnerName            string
	SegmentNames, Groups []string
}

type clientListPage struct {
	Q, Sort   string
	Sorts     []string
	Rows      []clientRow
	Next      string
	MayCreate bool
	Tabs      viewTabs
}

// clientList is "My clients": every client the user may see (an admin's
// "All clients"), found by a name prefix or an INN.
func (u *UI) clientList(c *gin.Context) {
	if u.showView(c, services.ListClients) {
		return
	}
	ctx := c.Request.Context()
	user := me(c)
	page := clientListPage{Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Sorts: clientSortOrders,
		MayCreate: services.MayCreateClients(user)}
	if !slices.Contains(clientSortOrders, page.Sort) {
		page.Sort = "name"
	}
	items, next, err := u.Services.Clients(ctx, user, services.ClientFilter{Name: page.Q, Sort: page.Sort, Page: listPage(c, 50)})
	if err != nil {
		u.failList(c, err)
		return
	}
	dir, err := u.directory(ctx)
	if err != nil {
		u.fail(c, err)
		return
	}
	for _, cl := range items {
		page.Rows = append(page.Rows, clientRow{Client: cl, OwnerName: dir.userName[cl.Owner],
			SegmentNames: namesOf(cl.Segments, dir.segmentName), Groups: namesOf(cl.ProductGroups, dir.groupName)})
	}
	page.Next = nextLink(c, next)
	title := "cl.my"
	if user.Has(services.RoleAdmin) {
		title = "cl.all"
	}
	if page.Tabs, err = u.tabsFor(c, services.ListClients, ""); err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "clients", translate(language(c), title), page)
}

// failList fails a list: a cursor it did not give is a page not found.
func (u *UI) failList(c *gin.Context, err error) {
	if errors.Is(err, services.ErrBadCursor) {
		err = refusal.ErrNotFound
	}
	u.fail(c, err)
}

// --- new client

type clientFormPage struct {
	Values        map[string]string
	Errors        fieldErrors
	General       []string
	Duplicate     *services.DuplicateClient // the client that has the INN and KPP given, to open
	Segments      []option
	ProductGroups []option
	Owners        []services.User // for those who may name another owner
}

func (u *UI) clientNew(c *gin.Context) {
	user := me(c)
	if !services.MayCreateClients(user) {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	page := clientFormPage{Values: map[string]string{"owner": user.Login}, Errors: fieldErrors{}}
	u.renderClientForm(c, http.StatusOK, page, nil, nil)
}

// renderClientForm shows the new-client form with segments and groups
// chosen, and whom the user may make the owner if they may.
func (u *UI) renderClientForm(c *gin.Context, status int, page clientFormPage, segments, groups []string) {
	ctx := c.Request.Context()
	user := me(c)
	dir, err := u.directory(ctx)
	if err != nil {
		u.fail(c, err)
		return
	}
	page.Segments, page.ProductGroups = choose(dir.segments, segments), choose(dir.groups, groups)
	if services.MayMoveClients(user) {
		if page.Owners, err = u.Services.Owners(ctx, user, user.Login); err != nil {
			u.fail(c, err)
			return
		}
	}
	u.render(c, status, "client-new", translate(language(c), "cl.new"), page)
}

// clientForm reads the fields of the client forms (new and overview) as
// typed; the service checks them.
func clientForm(c *gin.Context) (values map[string]string, segments, groups []string) {
	values = map[string]string{}
	for _, f := range []string{"name", "inn", "kpp", "ogrn", "owner"} {
		values[f] = strings.TrimSpace(c.PostForm(f))
	}
	// Never nil: an empty choice clears the list.
	segments, groups = append([]string{}, c.PostFormArray("segments")...), append([]string{}, c.PostFormArray("productGroups")...)
	return values, segments, groups
}

// clientCreate: see services.CreateClient.
func (u *UI) clientCreate(c *gin.Context) {
	lang := language(c)
	values, segments, groups := clientForm(c)
	in := services.ClientInput{Name: ptr(values["name"]), INN: ptr(values["inn"]), KPP: ptr(values["kpp"]), OGRN: ptr(values["ogrn"]),
		Owner: ptr(values["owner"]), Segments: &segments, ProductGroups: &groups}
	created, err := u.Services.CreateClient(c.Request.Context(), me(c), in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/clients/"+url.PathEscape(created.ID))
		return
	}
	bad, general, ok := clientRefusal(lang, err)
	if !ok {
		u.fail(c, err)
		return
	}
	page := clientFormPage{Values: values, Errors: bad, General: general}
	if fields := refusal.Fields(err); len(fields) == 1 {
		errors.As(fields[0].Cause, &page.Duplicate)
	}
	u.renderClientForm(c, http.StatusUnprocessableEntity, page, segments, groups)
}

func ptr(s string) *string { return &s }

// clientRefusal files a refused client (new or edited) beside its fields; a
// duplicate is one of its legal identifiers, said as such.
func clientRefusal(lang string, err error) (fieldErrors, []string, bool) {
	bad := fieldErrors{}
	general, ok := formRefusal(lang, err, bad, "inn", nil)
	if bad["inn"] == translate(lang, "cl.e.duplicate") {
		bad["inn"] = translate(lang, "cl.e.innkpp")
	}
	return bad, general, ok
}
