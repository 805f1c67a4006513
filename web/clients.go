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
	"github.com/conveyorhq/conveyor/store"
)

// "My clients" and the new-client form; the card is in card.go, its forms
// in cardforms.go, its documents in documents.go.

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
			"cl.e.email":        "not an email address like name@example.com", "cl.e.kind": "choose a kind",
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
			"cl.e.email":        "не адрес эл. почты вида name@example.com", "cl.e.kind": "выберите вид",
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

// fieldErrors collects the refusals of a form by field name.
type fieldErrors map[string]string

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
	page := clientListPage{Q: strings.TrimSpace(c.Query("q")), Sort: c.Query("sort"), Sorts: clientSortOrders,
		MayCreate: services.MayCreateClients(user)}
	if !slices.Contains(clientSortOrders, page.Sort) {
		page.Sort = "name"
	}
	items, next, err := u.Services.Clients(ctx, user, store.ClientFilter{Name: page.Q, Sort: page.Sort, Page: listPage(c, 50)})
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
	if user.Has(store.RoleAdmin) {
		title = "cl.all"
	}
	u.render(c, http.StatusOK, "clients", translate(language(c), title), page)
}

// failList fails a list: a cursor it did not give is a page not found.
func (u *UI) failList(c *gin.Context, err error) {
	if errors.Is(err, store.ErrBadCursor) {
		err = refusal.ErrNotFound
	}
	u.fail(c, err)
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
	bad := fieldErrors{}
	general, ok := formRefusal(lang, err, bad, "inn", nil)
	if !ok {
		u.fail(c, err)
		return
	}
	if bad["inn"] == translate(lang, "cl.e.duplicate") {
		bad["inn"] = translate(lang, "cl.e.innkpp")
	}
	u.renderClientForm(c, http.StatusUnprocessableEntity, clientFormPage{Values: values, Errors: bad, General: general}, segments, groups)
}

func ptr(s string) *string { return &s }
