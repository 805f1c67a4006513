package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

func init() {
	addMessages(map[string]map[string]string{
		"en": {
			"clients": "Clients", "cl.my": "My clients", "cl.all": "All clients", "cl.new": "New client",
			"cl.search": "Name or INN", "cl.find": "Find", "cl.sort": "Sort",
			"cl.sort.name": "name A–Z", "cl.sort.-name": "name Z–A", "cl.sort.createdAt": "oldest first", "cl.sort.-createdAt": "newest first",
			"cl.name": "Name", "cl.inn": "INN", "cl.kpp": "KPP", "cl.ogrn": "OGRN", "cl.owner": "Owner",
			"cl.segments": "Segments", "cl.groups": "Product groups", "cl.none": "No clients found.", "cl.empty": "Nothing here yet.",
			"cl.create": "Create the client", "cl.save": "Save", "cl.saved": "Saved.", "cl.multi": "Ctrl/⌘-click to choose several.",
			"cl.tab.overview": "Overview", "cl.tab.addresses": "Addresses", "cl.tab.accounts": "Bank accounts",
			"cl.tab.contacts": "Contacts", "cl.tab.work": "Work", "cl.tab.processes": "Processes", "cl.tab.documents": "Documents",
			"cl.tab.characteristics": "Characteristics", "cl.tab.audit": "Audit trail",
			"cl.kind": "Kind", "cl.kind.legal": "legal", "cl.kind.postal": "postal", "cl.kind.delivery": "delivery",
			"cl.address": "Address", "cl.primary": "Primary", "cl.yes": "yes", "cl.add": "Add",
			"cl.newaddress": "Add an address", "cl.newaccount": "Add a bank account", "cl.newcontact": "Add a contact",
			"cl.bik": "BIK", "cl.account": "Account", "cl.bank": "Bank",
			"cl.cname": "Name", "cl.position": "Position", "cl.phone": "Phone", "cl.email": "Email", "cl.note": "Note",
			"cl.start": "Start a process", "cl.vars": "Variables (JSON object, optional)", "cl.startbtn": "Start",
			"cl.file": "File", "cl.upload": "Upload", "cl.newdoc": "Upload a document", "cl.size": "Size", "cl.type": "Type",
			"cl.uploaded": "Uploaded", "cl.doctypes": "PDF, PNG, JPEG, UTF-8 text or an office document, at most 10 MiB.",
			"cl.char": "Characteristic", "cl.value": "Value", "cl.set": "Set", "cl.nochars": "No characteristics are defined.",
			"cl.action": "Action", "cl.entity": "Entity", "cl.what": "What",
			"cl.act.insert": "added", "cl.act.update": "changed", "cl.act.delete": "removed",
			"cl.ent.clients": "client", "cl.ent.client_segments": "segment", "cl.ent.client_product_groups": "product group",
			"cl.ent.client_addresses": "address", "cl.ent.client_bank_accounts": "bank account", "cl.ent.client_contacts": "contact",
			"cl.ent.client_characteristics": "characteristic", "cl.ent.documents": "document", "cl.ent.processes": "process",
			"cl.ent.work_items": "work item",
			"cl.e.required":     "required", "cl.e.long": "must be at most %d characters",
			"cl.e.email": "not an email address like name@example.com", "cl.e.kind": "choose a kind",
			"cl.e.number": "must be a number", "cl.e.file": "choose a file", "cl.e.emptyfile": "the file is empty",
			"cl.e.big": "a document may be at most 10 MiB", "cl.e.type": "files of type %s are not accepted",
			"cl.e.innkpp": "a client with this INN and KPP already exists", "cl.e.duplicate": "this is already on the card",
			"cl.e.definition": "choose a conveyor", "cl.e.refused": "The change was refused: %s",
			"cl.e.characteristic": "no such characteristic",
		},
		"ru": {
			"clients": "Клиенты", "cl.my": "Мои клиенты", "cl.all": "Все клиенты", "cl.new": "Новый клиент",
			"cl.search": "Название или ИНН", "cl.find": "Найти", "cl.sort": "Порядок",
			"cl.sort.name": "название А–Я", "cl.sort.-name": "название Я–А", "cl.sort.createdAt": "сначала старые", "cl.sort.-createdAt": "сначала новые",
			"cl.name": "Название", "cl.inn": "ИНН", "cl.kpp": "КПП", "cl.ogrn": "ОГРН", "cl.owner": "Ответственный",
			"cl.segments": "Сегменты", "cl.groups": "Группы номенклатуры", "cl.none": "Клиенты не найдены.", "cl.empty": "Пока ничего нет.",
			"cl.create": "Создать клиента", "cl.save": "Сохранить", "cl.saved": "Сохранено.", "cl.multi": "Ctrl/⌘ и щелчок — выбрать несколько.",
			"cl.tab.overview": "Карточка", "cl.tab.addresses": "Адреса", "cl.tab.accounts": "Банковские счета",
			"cl.tab.contacts": "Контакты", "cl.tab.work": "Дела", "cl.tab.processes": "Процессы", "cl.tab.documents": "Документы",
			"cl.tab.characteristics": "Характеристики", "cl.tab.audit": "Журнал изменений",
			"cl.kind": "Вид", "cl.kind.legal": "юридический", "cl.kind.postal": "почтовый", "cl.kind.delivery": "доставки",
			"cl.address": "Адрес", "cl.primary": "Основной", "cl.yes": "да", "cl.add": "Добавить",
			"cl.newaddress": "Добавить адрес", "cl.newaccount": "Добавить банковский счёт", "cl.newcontact": "Добавить контакт",
			"cl.bik": "БИК", "cl.account": "Счёт", "cl.bank": "Банк",
			"cl.cname": "ФИО", "cl.position": "Должность", "cl.phone": "Телефон", "cl.email": "Эл. почта", "cl.note": "Комментарий",
			"cl.start": "Запустить процесс", "cl.vars": "Переменные (объект JSON, необязательно)", "cl.startbtn": "Запустить",
			"cl.file": "Файл", "cl.upload": "Загрузить", "cl.newdoc": "Загрузить документ", "cl.size": "Размер", "cl.type": "Тип",
			"cl.uploaded": "Загружен", "cl.doctypes": "PDF, PNG, JPEG, текст UTF-8 или офисный документ, не больше 10 МиБ.",
			"cl.char": "Характеристика", "cl.value": "Значение", "cl.set": "Задать", "cl.nochars": "Характеристики не заведены.",
			"cl.action": "Действие", "cl.entity": "Что изменено", "cl.what": "Изменения",
			"cl.act.insert": "добавлено", "cl.act.update": "изменено", "cl.act.delete": "удалено",
			"cl.ent.clients": "клиент", "cl.ent.client_segments": "сегмент", "cl.ent.client_product_groups": "группа номенклатуры",
			"cl.ent.client_addresses": "адрес", "cl.ent.client_bank_accounts": "банковский счёт", "cl.ent.client_contacts": "контакт",
			"cl.ent.client_characteristics": "характеристика", "cl.ent.documents": "документ", "cl.ent.processes": "процесс",
			"cl.ent.work_items": "работа",
			"cl.e.required":     "обязательно", "cl.e.long": "не длиннее %d символов",
			"cl.e.email": "не адрес эл. почты вида name@example.com", "cl.e.kind": "выберите вид",
			"cl.e.number": "должно быть числом", "cl.e.file": "выберите файл", "cl.e.emptyfile": "файл пуст",
			"cl.e.big": "документ не может быть больше 10 МиБ", "cl.e.type": "файлы типа %s не принимаются",
			"cl.e.innkpp": "клиент с такими ИНН и КПП уже есть", "cl.e.duplicate": "это уже есть в карточке",
			"cl.e.definition": "выберите конвейер", "cl.e.refused": "Изменение отклонено: %s",
			"cl.e.characteristic": "нет такой характеристики",
		},
	})
}

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
	s.POST("/clients/:id/processes", u.clientStartPost)
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
	users                  []store.User
}

func (u *UI) directory(ctx context.Context) (*directory, error) {
	d := &directory{userName: map[string]string{}}
	var err error
	for _, tree := range []struct {
		t     store.Tree
		opts  *[]option
		names *map[string]string
	}{{store.Segments, &d.segments, &d.segmentName}, {store.ProductGroups, &d.groups, &d.groupName}} {
		nodes, err := u.Store.Nodes(ctx, tree.t)
		if err != nil {
			return nil, err
		}
		*tree.opts, *tree.names = treeOptions(nodes)
	}
	if d.users, err = u.Store.Users(ctx); err != nil {
		return nil, err
	}
	for _, usr := range d.users {
		d.userName[usr.Login] = usr.Name
	}
	return d, nil
}

// treeOptions orders nodes parents first, each followed by its subtree,
// children indented.
func treeOptions(nodes []store.Node) ([]option, map[string]string) {
	names := map[string]string{}
	children := map[string][]store.Node{}
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

func mayCreateClients(user store.User) bool {
	return user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor) || user.Has(store.RoleManager)
}

func mayStartProcesses(user store.User) bool { return mayCreateClients(user) }

func mayMoveClients(user store.User) bool {
	return user.Has(store.RoleAdmin) || user.Has(store.RoleSupervisor)
}

// fieldErrors collects the refusals of a form by field name.
type fieldErrors map[string]string

// text trims a field, requires it when asked and limits its length; line
// breaks and tabs pass (an address is typed in a text area), other control
// characters and bytes that are not UTF-8 do not (see limits).
func (e fieldErrors) text(lang, field string, v *string, required bool, max int) {
	e.limit(lang, field, limits.Field{Required: required, Max: max, Multiline: true}, v)
}

// identifiers normalises the legal identifiers of a client form and checks
// them as the API does.
func (e fieldErrors) identifiers(values map[string]string) {
	for _, f := range []struct {
		name  string
		check func(string) error
	}{{"inn", identifiers.INN}, {"kpp", identifiers.KPP}, {"ogrn", identifiers.OGRN}} {
		v := identifiers.Normalize(values[f.name])
		values[f.name] = v
		if v == "" {
			continue
		}
		if err := f.check(v); err != nil {
			e[f.name] = err.Error()
		}
	}
}

// listPage is the "after" cursor of a list (a bad one is not found).
func listPage(c *gin.Context, limit int) store.Page {
	return store.Page{After: c.Query("after"), Limit: limit}
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
	store.Client
	OwnerName            string
	SegmentNames, Groups []string
}

type clientListPage struct {
	Q, Sort   string
	Sorts     []string
	Rows      []clientRow
	Next      string
	MayCreate bool
}

// clientList is "My clients": every client the user may see (an admin's
// "All clients"), found by a name prefix or an INN.
func (u *UI) clientList(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	page := clientListPage{Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Sorts: clientSortOrders, MayCreate: mayCreateClients(user)}
	if !slices.Contains(clientSortOrders, page.Sort) {
		page.Sort = "name"
	}
	q := page.Q
	if n := identifiers.Normalize(q); n != "" && strings.IndexFunc(n, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		q = n // an INN typed with spaces or dashes
	}
	items, next, err := u.Store.Clients(ctx, viewer(user), store.ClientFilter{Name: q, Sort: page.Sort, Page: listPage(c, 50)})
	if errors.Is(err, store.ErrBadCursor) {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
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
	if user.Has(store.RoleAdmin) {
		title = "cl.all"
	}
	u.render(c, http.StatusOK, "clients", translate(language(c), title), page)
}

// --- new client

type clientFormPage struct {
	Values        map[string]string
	Errors        fieldErrors
	General       []string
	Segments      []option
	ProductGroups []option
	Owners        []store.User // for those who may name another owner
}

func (u *UI) clientNew(c *gin.Context) {
	user := me(c)
	if !mayCreateClients(user) {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	dir, err := u.directory(c.Request.Context())
	if err != nil {
		u.fail(c, err)
		return
	}
	page := clientFormPage{Values: map[string]string{"owner": user.Login}, Errors: fieldErrors{},
		Segments: dir.segments, ProductGroups: dir.groups}
	if mayMoveClients(user) {
		if page.Owners, err = u.owners(c.Request.Context(), user, user.Login); err != nil {
			u.fail(c, err)
			return
		}
	}
	u.render(c, http.StatusOK, "client-new", translate(language(c), "cl.new"), page)
}

// owners are whom user may make a client's owner (see
// store.CreateClientFor) and the current owner, so that a form saved
// unchanged keeps it.
func (u *UI) owners(ctx context.Context, user store.User, current string) ([]store.User, error) {
	list, err := u.Store.Assignees(ctx, viewer(user), "", "")
	if err != nil || slices.ContainsFunc(list, func(o store.User) bool { return o.Login == current }) {
		return list, err
	}
	cur, err := u.Store.User(ctx, current)
	if err != nil {
		return nil, err
	}
	return append([]store.User{cur}, list...), nil
}

// clientForm reads and checks the fields of the client forms (new and
// overview): the same checks as the API's.
func clientForm(c *gin.Context) (values map[string]string, segments, groups []string, bad fieldErrors) {
	values = map[string]string{}
	for _, f := range []string{"name", "inn", "kpp", "ogrn", "owner"} {
		values[f] = c.PostForm(f)
	}
	bad = fieldErrors{}
	lang := language(c)
	name, owner := values["name"], values["owner"]
	bad.limit(lang, "name", limits.ClientName, &name)
	if owner != "" { // none: the creator, or unchanged
		bad.limit(lang, "owner", limits.Login, &owner)
	}
	values["name"], values["owner"] = name, owner
	bad.identifiers(values)
	// Never nil: an empty choice clears the list.
	segments, groups = append([]string{}, c.PostFormArray("segments")...), append([]string{}, c.PostFormArray("productGroups")...)
	bad.limitEach(lang, "segments", limits.Key, segments)
	bad.limitEach(lang, "productGroups", limits.Key, groups)
	return values, segments, groups, bad
}

// clientCreate: managers, supervisors and admins; the creator owns the
// client unless a supervisor or an admin names another owner below them.
func (u *UI) clientCreate(c *gin.Context) {
	ctx := c.Request.Context()
	user := me(c)
	if !mayCreateClients(user) {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	values, segments, groups, bad := clientForm(c)
	owner := user.Login
	if mayMoveClients(user) && values["owner"] != "" {
		owner = values["owner"]
	}
	var general []string
	var created store.Client
	if len(bad) == 0 {
		var err error
		created, err = u.Store.CreateClientFor(ctx, viewer(user), store.Client{ID: processes.NewID(), Name: values["name"], Owner: owner,
			INN: values["inn"], KPP: values["kpp"], OGRN: values["ogrn"], Segments: segments, ProductGroups: groups})
		var refused *store.Refused
		switch {
		case errors.As(err, &refused):
			general = append(general, refusedText(language(c), refused))
		case errors.Is(err, refusal.ErrConflict):
			bad["inn"] = translate(language(c), "cl.e.innkpp")
		case errors.Is(err, refusal.ErrInvalid):
			general = append(general, fmt.Sprintf(translate(language(c), "cl.e.refused"), err.Error()))
		case err != nil:
			u.fail(c, err)
			return
		default:
			c.Redirect(http.StatusSeeOther, "/clients/"+url.PathEscape(created.ID))
			return
		}
	}
	dir, err := u.directory(ctx)
	if err != nil {
		u.fail(c, err)
		return
	}
	page := clientFormPage{Values: values, Errors: bad, General: general,
		Segments: choose(dir.segments, segments), ProductGroups: choose(dir.groups, groups)}
	if mayMoveClients(user) {
		if page.Owners, err = u.owners(ctx, user, user.Login); err != nil {
			u.fail(c, err)
			return
		}
	}
	u.render(c, http.StatusUnprocessableEntity, "client-new", translate(language(c), "cl.new"), page)
}

// --- the card

var clientTabs = []string{"overview", "addresses", "accounts", "contacts", "work", "processes", "documents", "characteristics", "audit"}

type charRow struct {
	store.Characteristic
	Value, Shown, Error string
}

type docRow struct {
	store.Document
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

type auditRow struct {
	At                          time.Time
	Actor, Action, Entity, What string
}

type clientCardPage struct {
	Client       store.Client
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
	Owners                  []store.User

	Addresses   []store.Address
	Accounts    []store.BankAccount
	Contacts    []store.Contact
	Work        []store.WorkItem
	Processes   []store.Process
	Definitions []store.Version
	MayStart    bool
	Documents   []docRow
	Chars       []charRow
	Audit       []auditRow
}

// loadCard gathers the card of the client :id on tab; a client the user
// may not see is not found.
func (u *UI) loadCard(c *gin.Context, tab string) (*clientCardPage, bool) {
	ctx := c.Request.Context()
	user := me(c)
	v := viewer(user)
	cl, err := u.Store.Client(ctx, v, c.Param("id"))
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
		if mayMoveClients(user) {
			page.Owners, err = u.owners(ctx, user, cl.Owner)
		}
	case "addresses":
		page.Addresses, err = u.Store.Addresses(ctx, v, cl.ID)
	case "accounts":
		page.Accounts, err = u.Store.BankAccounts(ctx, v, cl.ID)
	case "contacts":
		page.Contacts, err = u.Store.Contacts(ctx, v, cl.ID)
	case "work":
		page.Work, next, err = u.Store.WorkItems(ctx, v, store.ItemFilter{Client: cl.ID, Page: listPage(c, 50)})
	case "processes":
		page.Processes, next, err = u.Store.Processes(ctx, v, store.ProcessFilter{Client: cl.ID, Page: listPage(c, 50)})
		page.MayStart = mayStartProcesses(user)
		if err == nil && page.MayStart {
			page.Definitions, err = u.Store.Definitions(ctx)
		}
	case "documents":
		var docs []store.Document
		docs, err = u.Store.Documents(ctx, v, cl.ID)
		for _, d := range docs {
			page.Documents = append(page.Documents, docRow{Document: d, Shown: byteSize(d.Size)})
		}
	case "characteristics":
		page.Chars, err = u.characteristicRows(ctx, v, cl.ID)
	case "audit":
		var entries []store.AuditEntry
		entries, next, err = u.Store.Audit(ctx, store.AuditFilter{Client: cl.ID, Page: listPage(c, 50)})
		for _, e := range entries {
			page.Audit = append(page.Audit, auditRow{At: e.At, Actor: e.Actor,
				Action: orKey(language(c), "cl.act."+e.Action, e.Action),
				Entity: orKey(language(c), "cl.ent."+e.Entity, e.Entity), What: auditWhat(e)})
		}
	}
	if errors.Is(err, store.ErrBadCursor) {
		err = refusal.ErrNotFound
	}
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	page.Next = nextLink(c, next)
	return page, true
}

// orKey translates key, or gives fallback when there is no text for it.
func orKey(lang, key, fallback string) string {
	if s := translate(lang, key); s != key {
		return s
	}
	return fallback
}

func (u *UI) characteristicRows(ctx context.Context, v store.Viewer, clientID string) ([]charRow, error) {
	defs, err := u.Store.Characteristics(ctx)
	if err != nil {
		return nil, err
	}
	values, err := u.Store.CharacteristicValues(ctx, v, clientID)
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

// auditWhat tells in a line what an audit entry changed: the fields
// added, the fields changed from → to, or the fields removed.
func auditWhat(e store.AuditEntry) string {
	var before, after map[string]any
	_ = json.Unmarshal(e.Before, &before)
	_ = json.Unmarshal(e.After, &after)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		switch k {
		case "id", "client_id", "created_at", "updated_at", "uploaded_at", "uploaded_by":
			continue
		}
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var parts []string
	for _, k := range sorted {
		b, bok := before[k]
		a, aok := after[k]
		switch {
		case bok && aok:
			if !reflect.DeepEqual(a, b) {
				parts = append(parts, k+": "+shortValue(b)+" → "+shortValue(a))
			}
		case aok:
			if a != nil && a != "" {
				parts = append(parts, k+": "+shortValue(a))
			}
		case b != nil && b != "":
			parts = append(parts, k+": "+shortValue(b))
		}
	}
	return strings.Join(parts, "; ")
}

func shortValue(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		s = v
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "…"
	}
	return s
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

// formRefusal files a store error as a form's refusal: a duplicate beside its
// field, other invalid input in general; anything else is not a refusal.
func formRefusal(c *gin.Context, err error, bad fieldErrors, duplicateField string) ([]string, bool) {
	switch {
	case errors.Is(err, refusal.ErrConflict):
		bad[duplicateField] = translate(language(c), "cl.e.duplicate")
		return nil, true
	case errors.Is(err, refusal.ErrInvalid):
		return []string{fmt.Sprintf(translate(language(c), "cl.e.refused"), err.Error())}, true
	}
	return nil, false
}

// clientUpdate saves the overview: whoever may see the client may change
// its name and identifiers; its owner, segments and product groups are for
// its owner, those above the owner and admins (store.UpdateClient says).
func (u *UI) clientUpdate(c *gin.Context) {
	user := me(c)
	cl, err := u.Store.Client(c.Request.Context(), viewer(user), c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	values, segments, groups, bad := clientForm(c)
	var general []string
	if len(bad) == 0 {
		// Only what changed, so that saving an unchanged card leaves no
		// trace in the audit trail.
		var patch store.ClientPatch
		for _, f := range []struct {
			value, was string
			dst        **string
		}{{values["name"], cl.Name, &patch.Name}, {values["inn"], cl.INN, &patch.INN}, {values["kpp"], cl.KPP, &patch.KPP},
			{values["ogrn"], cl.OGRN, &patch.OGRN}, {values["owner"], cl.Owner, &patch.Owner}} {
			if f.value != f.was && (f.dst != &patch.Owner || (f.value != "" && mayMoveClients(user))) {
				v := f.value
				*f.dst = &v
			}
		}
		if !sameSet(segments, cl.Segments) {
			patch.Segments = &segments
		}
		if !sameSet(groups, cl.ProductGroups) {
			patch.ProductGroups = &groups
		}
		_, err := u.Store.UpdateClient(c.Request.Context(), viewer(user), cl.ID, patch)
		if err == nil {
			saved(c, "overview")
			return
		}
		var ok bool
		var refused *store.Refused
		if errors.As(err, &refused) {
			general = []string{refusedText(language(c), refused)}
		} else if general, ok = formRefusal(c, err, bad, "inn"); !ok {
			u.fail(c, err)
			return
		}
		if bad["inn"] != "" {
			bad["inn"] = translate(language(c), "cl.e.innkpp")
		}
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

var addressKinds = []string{store.AddressLegal, store.AddressPostal, store.AddressDelivery}

func (u *UI) addressPost(c *gin.Context) {
	lang := language(c)
	values := map[string]string{"kind": c.PostForm("kind"), "text": c.PostForm("text"), "primary": c.PostForm("primary")}
	bad := fieldErrors{}
	if !slices.Contains(addressKinds, values["kind"]) {
		bad["kind"] = translate(lang, "cl.e.kind")
	}
	text := values["text"]
	bad.text(lang, "text", &text, true, 2000)
	values["text"] = text
	var general []string
	if len(bad) == 0 {
		_, err := u.Store.CreateAddress(c.Request.Context(), viewer(me(c)), store.Address{ClientID: c.Param("id"),
			Kind: values["kind"], Text: text, IsPrimary: values["primary"] != ""})
		if err == nil {
			saved(c, "addresses")
			return
		}
		var ok bool
		if general, ok = formRefusal(c, err, bad, "text"); !ok {
			u.fail(c, err)
			return
		}
	}
	u.refuseCard(c, "addresses", values, bad, general, nil)
}

// bankAccountPost adds an account: the BIK and the account, normalised,
// are checked as the API checks them, the account's control key against
// the BIK.
func (u *UI) bankAccountPost(c *gin.Context) {
	lang := language(c)
	values := map[string]string{"bik": identifiers.Normalize(c.PostForm("bik")), "account": identifiers.Normalize(c.PostForm("account")),
		"bankName": c.PostForm("bankName"), "accPrimary": c.PostForm("accPrimary")}
	bad := fieldErrors{}
	if err := identifiers.BIK(values["bik"]); err != nil {
		bad["bik"] = err.Error()
	} else if err := identifiers.Account(values["bik"], values["account"]); err != nil {
		bad["account"] = err.Error()
	}
	bank := values["bankName"]
	bad.text(lang, "bankName", &bank, false, 500)
	values["bankName"] = bank
	var general []string
	if len(bad) == 0 {
		_, err := u.Store.CreateBankAccount(c.Request.Context(), viewer(me(c)), store.BankAccount{ClientID: c.Param("id"),
			BIK: values["bik"], Account: values["account"], BankName: bank, IsPrimary: values["accPrimary"] != ""})
		if err == nil {
			saved(c, "accounts")
			return
		}
		var ok bool
		if general, ok = formRefusal(c, err, bad, "account"); !ok {
			u.fail(c, err)
			return
		}
	}
	u.refuseCard(c, "accounts", values, bad, general, nil)
}

func (u *UI) contactPost(c *gin.Context) {
	lang := language(c)
	values := map[string]string{}
	bad := fieldErrors{}
	for _, f := range []struct {
		name     string
		required bool
		max      int
	}{{"cname", true, 500}, {"position", false, 500}, {"phone", false, 100}, {"email", false, 320}, {"note", false, 4000}} {
		v := c.PostForm(f.name)
		bad.text(lang, f.name, &v, f.required, f.max)
		values[f.name] = v
	}
	if e := values["email"]; e != "" && bad["email"] == "" && !store.ValidEmail(e) {
		bad["email"] = translate(lang, "cl.e.email")
	}
	var general []string
	if len(bad) == 0 {
		_, err := u.Store.CreateContact(c.Request.Context(), viewer(me(c)), store.Contact{ClientID: c.Param("id"),
			Name: values["cname"], Position: values["position"], Phone: values["phone"], Email: values["email"], Note: values["note"]})
		if err == nil {
			saved(c, "contacts")
			return
		}
		var ok bool
		if general, ok = formRefusal(c, err, bad, "cname"); !ok {
			u.fail(c, err)
			return
		}
	}
	u.refuseCard(c, "contacts", values, bad, general, nil)
}

// characteristicPost sets one value: the text typed becomes the JSON value
// of the characteristic's type, which the store checks.
func (u *UI) characteristicPost(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	id, text := c.PostForm("characteristic"), strings.TrimSpace(c.PostForm("value"))
	field := "char." + id
	bad := fieldErrors{}
	defs, err := u.Store.Characteristics(ctx)
	if err != nil {
		u.fail(c, err)
		return
	}
	i := slices.IndexFunc(defs, func(d store.Characteristic) bool { return d.ID == id })
	var raw json.RawMessage
	switch {
	case i < 0:
		bad[field] = translate(lang, "cl.e.characteristic")
	case text == "":
		bad[field] = translate(lang, "cl.e.required")
	case defs[i].Type == store.CharNumber:
		if _, err := strconv.ParseFloat(text, 64); err != nil || !json.Valid([]byte(text)) {
			bad[field] = translate(lang, "cl.e.number")
		}
		raw = json.RawMessage(text)
	default:
		raw, _ = json.Marshal(text)
	}
	var general []string
	if len(bad) == 0 {
		_, err := u.Store.SetCharacteristicValue(ctx, viewer(me(c)), c.Param("id"), id, raw)
		var valueErr *store.ValueError
		switch {
		case err == nil:
			saved(c, "characteristics")
			return
		case errors.As(err, &valueErr):
			bad[field] = valueErr.Reason
		default:
			var ok bool
			if general, ok = formRefusal(c, err, bad, field); !ok {
				u.fail(c, err)
				return
			}
		}
	}
	u.refuseCard(c, "characteristics", nil, bad, general, func(p *clientCardPage) {
		for i := range p.Chars {
			if p.Chars[i].ID == id {
				p.Chars[i].Value, p.Chars[i].Error = text, bad[field]
			}
		}
	})
}

// clientStartPost starts a process of a conveyor for the client and opens
// it.
func (u *UI) clientStartPost(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	user := me(c)
	if !mayStartProcesses(user) {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	values := map[string]string{"definition": c.PostForm("definition"), "variables": strings.TrimSpace(c.PostForm("variables"))}
	bad := fieldErrors{}
	defs, err := u.Store.Definitions(ctx)
	if err != nil {
		u.fail(c, err)
		return
	}
	if !slices.ContainsFunc(defs, func(v store.Version) bool { return v.DefinitionID == values["definition"] }) {
		bad["definition"] = translate(lang, "cl.e.definition")
	}
	var general []string
	if len(bad) == 0 {
		var vars json.RawMessage
		if values["variables"] != "" {
			vars = json.RawMessage(values["variables"])
		}
		p, _, err := processes.Start(ctx, u.Store, u.Temporal,
			processes.Request{Definition: values["definition"], Client: c.Param("id"), Variables: vars}, viewer(user))
		var de definitions.DataError
		switch {
		case err == nil:
			c.Redirect(http.StatusSeeOther, "/processes/"+url.PathEscape(p.ID))
			return
		case errors.As(err, &de):
			msgs := make([]string, len(de))
			for i, f := range de {
				msgs[i] = strings.TrimPrefix(f.Path+": ", ": ") + f.Message
			}
			bad["variables"] = strings.Join(msgs, "; ")
		case errors.Is(err, refusal.ErrInvalid):
			general = []string{fmt.Sprintf(translate(lang, "cl.e.refused"), err.Error())}
		default:
			u.fail(c, err)
			return
		}
	}
	u.refuseCard(c, "processes", values, bad, general, nil)
}

// --- documents

const maxDocumentSize = 10 << 20

// documentPost stores the uploaded file: its type told by its first bytes,
// its content handed to the store, which reads it to a temporary file
// before its one short transaction.
func (u *UI) documentPost(c *gin.Context) {
	ctx := c.Request.Context()
	lang := language(c)
	v := viewer(me(c))
	clientID := c.Param("id")
	if err := u.Store.CanSeeClient(ctx, v, clientID); err != nil {
		u.fail(c, err)
		return
	}
	bad := fieldErrors{}
	refuse := func(msg string) { bad["file"] = msg; u.refuseCard(c, "documents", nil, bad, nil, nil) }
	// The whole request may be a little larger than the file (the token,
	// the part headers); the store stops at the file's limit.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxDocumentSize+64<<10)
	parts, err := c.Request.MultipartReader()
	if err != nil {
		refuse(translate(lang, "cl.e.file"))
		return
	}
	if !uploadCSRF(c, parts) {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	f, err := parts.NextPart()
	if err != nil || f.FormName() != "file" {
		refuse(translate(lang, "cl.e.file"))
		return
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		u.fail(c, err)
		return
	}
	head = head[:n]
	if n == 0 {
		refuse(translate(lang, "cl.e.emptyfile"))
		return
	}
	contentType := http.DetectContentType(head)
	if !slices.Contains(store.DocumentTypes, contentType) {
		refuse(fmt.Sprintf(translate(lang, "cl.e.type"), contentType))
		return
	}
	_, err = u.Store.CreateDocument(ctx, v, store.Document{ClientID: clientID, Name: store.DocumentName(f.FileName()), ContentType: contentType},
		io.MultiReader(bytes.NewReader(head), f), maxDocumentSize)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, store.ErrTooLarge) || errors.As(err, &tooBig):
		refuse(translate(lang, "cl.e.big"))
	case err != nil:
		u.fail(c, err)
	default:
		saved(c, "documents")
	}
}

// documentGet streams a document's content as the store reads it.
func (u *UI) documentGet(c *gin.Context) {
	if err := SendDocument(c, u.Store, viewer(me(c)), u.Log); err != nil {
		u.fail(c, err)
	}
}

// SendDocument streams the document of the request's path (:id, :docId) as
// an attachment, as the store reads it, for the UI and the API alike. An
// error before the first byte comes back for the caller to report; one
// after it can only cut the body short, and is logged.
func SendDocument(c *gin.Context, st *store.Store, v store.Viewer, log *slog.Logger) error {
	err := st.ReadDocument(c.Request.Context(), v, c.Param("id"), c.Param("docId"),
		func(d store.Document) io.Writer {
			for k, v := range d.DownloadHeaders() {
				c.Header(k, v)
			}
			c.Status(http.StatusOK)
			c.Writer.WriteHeaderNow()
			return c.Writer
		})
	if err != nil && c.Writer.Written() {
		log.ErrorContext(c.Request.Context(), "document download failed", "document", c.Param("docId"), "error", err)
		c.Abort()
		return nil
	}
	return err
}

// documentUploadPath is the route whose uploads check their CSRF token in
// the handler, from the form's first part (see session).
const documentUploadPath = "/clients/:id/documents"

// uploadCSRF reads the upload form's first part, which must be the session's
// CSRF token (the form puts it before the file).
func uploadCSRF(c *gin.Context, parts *multipart.Reader) bool {
	p, err := parts.NextPart()
	if err != nil || p.FormName() != "csrf" {
		return false
	}
	defer p.Close()
	token, err := io.ReadAll(io.LimitReader(p, 256))
	want := csrfToken(c.GetString(tokenKey))
	return err == nil && subtle.ConstantTimeCompare(token, []byte(want)) == 1
}
