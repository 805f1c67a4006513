package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// The client card: its tabs, and the overview's form.

var clientTabs = []string{"overview", "addresses", "accounts", "contacts", "work", "processes", "documents", "characteristics", "audit"}

type charRow struct {
	services.Characteristic
	Value, Shown, Error string
}

type docRow struct {
	services.Document
	Shown string // the size
}

// byteSize is a size for people: 512 B, 1.5 KiB, 3.2 MiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

type clientCardPage struct {
	Client       services.Client
	Tab          string
	Tabs         []string
	OwnerName    string
	SegmentNames []string
	GroupNames   []string
	Saved        bool
	Values       map[string]string
	Errors       fieldErrors
	General      []string
	Next         string

	Segments, ProductGroups []option
	Owners                  []services.User

	Addresses   []services.Address
	Accounts    []services.BankAccount
	Contacts    []services.Contact
	Work        []services.WorkItem
	Processes   []processRow // in words: the conveyor's, stage's and end's titles
	Definitions []services.Version
	MayStart    bool
	Documents   []docRow
	Chars       []charRow
	Audit       []auditRow
}

// loadCard gathers the card of the client :id on tab; a client the user
// may not see is not found.

// loadCard gathers the card of the client :id on tab; a client the user
// may not see is not found.
func (u *UI) loadCard(c *gin.Context, tab string) (*clientCardPage, bool) {
	ctx := c.Request.Context()
	user := me(c)
	cl, err := u.Services.Client(ctx, user, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	dir, err := u.directory(ctx)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	if !slices.Contains(clientTabs, tab) {
		tab = "overview"
	}
	page := &clientCardPage{Client: cl, Tab: tab, Tabs: clientTabs, OwnerName: dir.userName[cl.Owner],
		SegmentNames: namesOf(cl.Segments, dir.segmentName), GroupNames: namesOf(cl.ProductGroups, dir.groupName),
		Saved: c.Query("saved") == "1", Values: map[string]string{}, Errors: fieldErrors{}}
	var next string
	switch tab {
	case "overview":
		page.Values = map[string]string{"name": cl.Name, "inn": cl.INN, "kpp": cl.KPP, "ogrn": cl.OGRN, "owner": cl.Owner}
		page.Segments, page.ProductGroups = choose(dir.segments, cl.Segments), choose(dir.groups, cl.ProductGroups)
		if services.MayMoveClients(user) {
			page.Owners, err = u.Services.Owners(ctx, user, cl.Owner)
		}
	case "addresses":
		page.Addresses, err = u.Services.Addresses(ctx, user, cl.ID)
	case "accounts":
		page.Accounts, err = u.Services.BankAccounts(ctx, user, cl.ID)
	case "contacts":
		page.Contacts, err = u.Services.Contacts(ctx, user, cl.ID)
	case "work":
		page.Work, next, err = u.Services.ClientWorkItems(ctx, user, cl.ID, "", listPage(c, 50))
	case "processes":
		var list []services.Process
		list, next, err = u.Services.ClientProcesses(ctx, user, cl.ID, listPage(c, 50))
		plans := planCache{}
		for _, p := range list {
			plan, perr := plans.get(ctx, u.Services, p)
			if perr != nil {
				err = perr
				break
			}
			page.Processes = append(page.Processes, newProcessRow(p, plan, language(c)))
		}
		page.MayStart = services.MayStartProcesses(user)
		if err == nil && page.MayStart {
			page.Definitions, err = u.Services.Definitions(ctx, user)
		}
	case "documents":
		var docs []services.Document
		docs, err = u.Services.Documents(ctx, user, cl.ID)
		for _, d := range docs {
			page.Documents = append(page.Documents, docRow{Document: d, Shown: byteSize(d.Size)})
		}
	case "characteristics":
		page.Chars, err = u.characteristicRows(ctx, user, cl.ID)
	case "audit":
		var entries []services.AuditEntry
		entries, next, err = u.Services.ClientAudit(ctx, user, cl.ID, listPage(c, 50))
		if err == nil {
			page.Audit, err = u.auditTrail(c, user, dir, entries)
		}
	}
	if err != nil {
		u.failList(c, err)
		return nil, false
	}
	page.Next = nextLink(c, next)
	return page, true
}

func orKey(lang, key, fallback string) string {
	if s := translate(lang, key); s != key {
		return s
	}
	return fallback
}

func (u *UI) characteristicRows(ctx context.Context, user services.User, clientID string) ([]charRow, error) {
	defs, err := u.Services.Characteristics(ctx)
	if err != nil {
		return nil, err
	}
	values, err := u.Services.CharacteristicValues(ctx, user, clientID)
	if err != nil {
		return nil, err
	}
	rows := make([]charRow, len(defs))
	for i, d := range defs {
		rows[i] = charRow{Characteristic: d}
		if raw, ok := values[d.ID]; ok {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				rows[i].Value = s
			} else {
				rows[i].Value = string(raw)
			}
			rows[i].Shown = rows[i].Value
		}
	}
	return rows, nil
}

func (u *UI) clientCard(c *gin.Context) {
	page, ok := u.loadCard(c, c.Query("tab"))
	if !ok {
		return
	}
	u.render(c, http.StatusOK, "client", page.Client.Name, page)
}

// saved goes back to a tab of the card after a change.
func saved(c *gin.Context, tab string) {
	c.Redirect(http.StatusSeeOther, "/clients/"+url.PathEscape(c.Param("id"))+"?tab="+tab+"&saved=1")
}

// refuseCard shows the tab again with what was typed and why it was
// refused.
func (u *UI) refuseCard(c *gin.Context, tab string, values map[string]string, bad fieldErrors, general []string, adjust func(*clientCardPage)) {
	page, ok := u.loadCard(c, tab)
	if !ok {
		return
	}
	page.Saved, page.Errors, page.General = false, bad, general
	if values != nil {
		page.Values = values
	}
	if adjust != nil {
		adjust(page)
	}
	u.render(c, http.StatusUnprocessableEntity, "client", page.Client.Name, page)
}

// clientUpdate saves the overview (see services.UpdateClient for who may
// change what).
func (u *UI) clientUpdate(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	cl, err := u.Services.Client(ctx, user, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	values, segments, groups := clientForm(c)
	// Only what changed, so that saving an unchanged card leaves no trace
	// in the audit trail.
	var in services.ClientInput
	for _, f := range []struct {
		value, was string
		dst        **string
	}{{values["name"], cl.Name, &in.Name}, {values["inn"], cl.INN, &in.INN}, {values["kpp"], cl.KPP, &in.KPP},
		{values["ogrn"], cl.OGRN, &in.OGRN}, {values["owner"], cl.Owner, &in.Owner}} {
		if f.value != f.was && (f.dst != &in.Owner || f.value != "") {
			*f.dst = ptr(f.value)
		}
	}
	if !sameSet(segments, cl.Segments) {
		in.Segments = &segments
	}
	if !sameSet(groups, cl.ProductGroups) {
		in.ProductGroups = &groups
	}
	if _, err = u.Services.UpdateClient(ctx, user, cl.ID, in); err == nil {
		saved(c, "overview")
		return
	}
	lang := language(c)
	bad, general, ok := clientRefusal(lang, err)
	if !ok {
		u.fail(c, err)
		return
	}
	u.refuseCard(c, "overview", values, bad, general, func(p *clientCardPage) {
		p.Segments, p.ProductGroups = choose(p.Segments, segments), choose(p.ProductGroups, groups)
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
