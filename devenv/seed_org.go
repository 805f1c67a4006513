package devenv

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
)

// The demo's market segments and product groups.
var (
	demoSegments = []store.Node{
		{ID: "ru", Name: "Russia", Kind: "geography"},
		{ID: "msk", Name: "Moscow", Kind: "geography", Parent: "ru"},
		{ID: "spb", Name: "Saint Petersburg", Kind: "geography", Parent: "ru"},
		{ID: "retail", Name: "Retail", Kind: "industry"},
		{ID: "manufacturing", Name: "Manufacturing", Kind: "industry"},
	}
	demoProductGroups = []store.Node{
		{ID: "software", Name: "Software"},
		{ID: "crm", Name: "CRM", Parent: "software"},
		{ID: "erp", Name: "ERP", Parent: "software"},
		{ID: "services", Name: "Services"},
		{ID: "consulting", Name: "Consulting", Parent: "services"},
	}
	// ivan calls Moscow about software; maria and sergey work all of Russia.
	demoGrants = map[string]store.Grants{
		"ivan":   {Segments: []string{"msk"}, ProductGroups: []string{"software"}},
		"maria":  {Segments: []string{"ru"}, ProductGroups: []string{"software", "services"}},
		"sergey": {Segments: []string{"ru"}, ProductGroups: []string{"software", "services"}},
	}
	// ivan sees Romashka (his own), Vector and Tverskaya Pharmacy (Moscow,
	// software), but not Neva Trade (Saint Petersburg), Moscow Bakery
	// (consulting) or Ural Parts (no segment he is granted).
	demoClients = []store.Client{
		{ID: "demo-romashka", Name: "Romashka LLC", INN: "7707083893", KPP: "773601001", OGRN: "1027700132195", Owner: "ivan",
			Segments: []string{"msk", "retail"}, ProductGroups: []string{"crm"}},
		{ID: "demo-vector", Name: "Vector JSC", INN: "7736207543", OGRN: "1027700229193", Owner: "maria",
			Segments: []string{"msk", "manufacturing"}, ProductGroups: []string{"erp"}},
		{ID: "demo-tverskaya", Name: "Tverskaya Pharmacy", Owner: "maria",
			Segments: []string{"msk", "retail"}, ProductGroups: []string{"crm"}},
		{ID: "demo-neva", Name: "Neva Trade", Owner: "sergey",
			Segments: []string{"spb", "retail"}, ProductGroups: []string{"consulting"}},
		{ID: "demo-bakery", Name: "Moscow Bakery", Owner: "olga",
			Segments: []string{"msk", "retail"}, ProductGroups: []string{"consulting"}},
		{ID: "demo-ural", Name: "Ural Parts", Owner: "admin",
			Segments: []string{"manufacturing"}, ProductGroups: []string{"erp"}},
	}
	// Whom to call at the demo clients. Moscow Bakery has nobody: a web
	// test (web/refusals_test.go) checks that a refused contact leaves its
	// list empty.
	demoContacts = map[string][]store.Contact{
		"demo-romashka": {
			{Name: "Анна Сергеевна Ковалёва", Position: "Директор по закупкам", Phone: "+7 495 123-45-67", Email: "a.kovaleva@romashka.example"},
			{Name: "Дмитрий Олегович Лебедев", Position: "Главный бухгалтер", Phone: "+7 495 123-45-68", Email: "buh@romashka.example"},
		},
		"demo-vector": {
			{Name: "Игорь Викторович Соколов", Position: "Генеральный директор", Phone: "+7 495 234-56-78", Email: "sokolov@vector.example"},
			{Name: "Екатерина Андреевна Морозова", Position: "Руководитель ИТ-отдела", Phone: "+7 495 234-56-79", Email: "it@vector.example"},
		},
		"demo-tverskaya": {
			{Name: "Наталья Павловна Волкова", Position: "Заведующая аптекой", Phone: "+7 495 345-67-89", Email: "volkova@tverskaya.example"},
		},
		"demo-neva": {
			{Name: "Алексей Николаевич Орлов", Position: "Коммерческий директор", Phone: "+7 812 456-78-90", Email: "orlov@neva.example"},
			{Name: "Мария Игоревна Зайцева", Position: "Менеджер по закупкам", Phone: "+7 812 456-78-91", Email: "zaytseva@neva.example"},
		},
		"demo-bakery": {
			{Name: "Светлана Викторовна Морозова", Position: "Владелица", Phone: "+7 495 567-89-01", Email: "morozova@bakery.example"},
		},
		"demo-ural": {
			{Name: "Павел Андреевич Кузнецов", Position: "Директор по снабжению", Phone: "+7 343 678-90-12", Email: "kuznetsov@uralparts.example"},
			{Name: "Ольга Михайловна Попова", Position: "Инженер", Phone: "+7 343 678-90-13", Email: "popova@uralparts.example"},
		},
	}
	// The demo processes are about clients the cold caller may see.
	demoProcessClients = []string{"demo-romashka", "demo-vector", "demo-tverskaya"}
)

// demoSeeded is the setting that says the demo organisation is complete.
const demoSeeded = "demo.seeded"

// seedOrganisation makes the demo organisation. What exists already (from
// a seed that was interrupted) is kept.
func seedOrganisation(ctx context.Context, st *store.Store) error {
	for _, u := range DemoUsers {
		hash, err := auth.HashPassword(u.Password)
		if err != nil {
			return err
		}
		if _, err := st.CreateUser(ctx, u.User, hash); existed(err) != nil {
			return fmt.Errorf("user %s: %w", u.Login, err)
		}
	}
	for _, tree := range []struct {
		t     store.Tree
		nodes []store.Node
	}{{store.Segments, demoSegments}, {store.ProductGroups, demoProductGroups}} {
		for _, n := range tree.nodes {
			if _, err := st.CreateNode(ctx, tree.t, n); existed(err) != nil {
				return err
			}
		}
	}
	for login, g := range demoGrants {
		if _, err := st.SetGrants(ctx, login, g); err != nil {
			return err
		}
	}
	for _, c := range demoClients {
		if _, err := st.CreateClient(ctx, c); existed(err) != nil {
			return err
		}
		if err := seedContacts(ctx, st, c.ID); err != nil {
			return fmt.Errorf("contacts of %s: %w", c.ID, err)
		}
	}
	return nil
}

// seedContacts adds the client's demo contacts it has not got: a seed
// interrupted after some of them adds only the rest.
func seedContacts(ctx context.Context, st *store.Store, clientID string) error {
	seed := store.Viewer{Login: "admin", Admin: true}
	have, err := st.Contacts(ctx, seed, clientID)
	if err != nil {
		return err
	}
	for _, c := range demoContacts[clientID] {
		if slices.ContainsFunc(have, func(h store.Contact) bool { return h.Name == c.Name }) {
			continue
		}
		c.ClientID = clientID
		if _, err := st.CreateContact(ctx, seed, c); err != nil {
			return err
		}
	}
	return nil
}

// existed forgives a conflict: the row is there from an earlier try.
func existed(err error) error {
	if errors.Is(err, refusal.ErrConflict) {
		return nil
	}
	return err
}

// SeedOrganisation writes the demo users, directories, grants and clients
// alone, for tests of the rules over them.
func SeedOrganisation(ctx context.Context, st *store.Store) error { return seedOrganisation(ctx, st) }
