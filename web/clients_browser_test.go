package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

// accountFor makes a valid account of the bank bik from a 20-digit draft by
// trying the ten control keys (the 9th digit), and a wrong one beside it.
func accountFor(t *testing.T, bik, draft string) (valid, wrong string) {
	t.Helper()
	for d := range 10 {
		candidate := draft[:8] + string(rune('0'+d)) + draft[9:]
		if identifiers.Account(bik, candidate) == nil {
			return candidate, draft[:8] + string(rune('0'+(d+1)%10)) + draft[9:]
		}
	}
	t.Fatalf("no control key makes %s valid for BIK %s", draft, bik)
	return "", ""
}

func TestMyClientsAndTheClientCard(t *testing.T) {
	e := testenv.Seeded(t)
	base := e.URL
	ivan := browser(t)
	signIn(t, ivan, base, "ivan", "demo", "#signout")

	// ivan sees his own client and those of Moscow software, nothing else.
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(base+"/clients"), chromedp.WaitVisible(chromedp.ID("#clients"))))
	require.Equal(t, "My clients", text(t, ivan, "main h1"))
	names, err := chromedp.Run(ivan, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#clients tbody tr td:first-child a')).map(a => a.textContent.trim())`))
	require.NoError(t, err)
	require.Equal(t, []string{"Romashka LLC", "Tverskaya Pharmacy", "Vector JSC"}, names)
	screenshot(t, ivan, "clients")

	// The card: an address.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.Search(`//table[@id="clients"]//a[.="Romashka LLC"]`)),
		chromedp.WaitVisible(chromedp.ID("#client-name")),
		chromedp.Click(chromedp.ID("#tab-addresses")),
		chromedp.WaitVisible(chromedp.ID("#address-form")),
		chromedp.SetValue(chromedp.ID("#f-kind"), "postal"),
		chromedp.SendKeys(chromedp.ID("#f-text"), "125009, Moscow, Tverskaya 7"),
		chromedp.Click(chromedp.ID("#add-address")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))
	require.Contains(t, text(t, ivan, "#addresses"), "Tverskaya 7")
	require.Contains(t, text(t, ivan, "#addresses"), "postal")

	// A bank account with a wrong control key is refused beside its field,
	// what was typed kept; the right one is added.
	const bik = "044525225"
	valid, wrong := accountFor(t, bik, "40702810038000012345")
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.ID("#tab-accounts")),
		chromedp.WaitVisible(chromedp.ID("#account-form")),
		chromedp.SendKeys(chromedp.ID("#f-bik"), bik),
		chromedp.SendKeys(chromedp.ID("#f-account"), wrong),
		chromedp.SendKeys(chromedp.ID("#f-bankName"), "Sberbank"),
		chromedp.Click(chromedp.ID("#add-account")),
		chromedp.WaitVisible(chromedp.ID("#e-account")),
	))
	require.Contains(t, text(t, ivan, "#e-account"), "control key")
	typed, err := chromedp.Run(ivan, chromedp.Value(chromedp.ID("#f-account")))
	require.NoError(t, err)
	require.Equal(t, wrong, typed)
	require.NoError(t, chromedp.Do(ivan,
		chromedp.SetValue(chromedp.ID("#f-account"), valid),
		chromedp.Click(chromedp.ID("#add-account")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))
	require.Contains(t, text(t, ivan, "#accounts"), valid)

	// A contact: a bad email is refused beside it.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.ID("#tab-contacts")),
		chromedp.WaitVisible(chromedp.ID("#contact-form")),
		chromedp.SendKeys(chromedp.ID("#f-cname"), "Anna Romashkina"),
		chromedp.SendKeys(chromedp.ID("#f-email"), "anna at romashka"),
		chromedp.Click(chromedp.ID("#add-contact")),
		chromedp.WaitVisible(chromedp.ID("#e-email")),
		chromedp.SetValue(chromedp.ID("#f-email"), "anna@romashka.ru"),
		chromedp.Click(chromedp.ID("#add-contact")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))
	require.Contains(t, text(t, ivan, "#contacts"), "anna@romashka.ru")

	// A document goes up and comes back whole.
	doc := filepath.Join(t.TempDir(), "offer.txt")
	require.NoError(t, os.WriteFile(doc, []byte("Commercial offer for Romashka\n"), 0o644))
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.ID("#tab-documents")),
		chromedp.WaitVisible(chromedp.ID("#document-form")),
		chromedp.SetUploadFiles(chromedp.ID("#f-file"), []string{doc}),
		chromedp.Click(chromedp.ID("#upload")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))
	require.Contains(t, text(t, ivan, "#documents"), "offer.txt")
	content, err := chromedp.Run(ivan, chromedp.Evaluate[string](
		`fetch(document.querySelector('#documents a').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, "Commercial offer for Romashka\n", content)

	// A characteristic's value is checked against its type.
	_, err = e.Store.CreateCharacteristic(store.WithActor(context.Background(), "test"),
		store.Characteristic{ID: "employees", Name: "Employees", Type: store.CharNumber})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.ID("#tab-characteristics")),
		chromedp.WaitVisible(chromedp.ID("#v-employees")),
		chromedp.SendKeys(chromedp.ID("#v-employees"), "many"),
		chromedp.Submit(chromedp.ID("#v-employees")),
		chromedp.WaitVisible(chromedp.ID("#e-employees")),
		chromedp.SetValue(chromedp.ID("#v-employees"), "120"),
		chromedp.Submit(chromedp.ID("#v-employees")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))
	require.Contains(t, text(t, ivan, "#characteristics .char-value"), "120")

	// The overview checks identifiers as creation does.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Click(chromedp.ID("#tab-overview")),
		chromedp.WaitVisible(chromedp.ID("#client-form")),
		chromedp.SetValue(chromedp.ID("#f-kpp"), "7736"),
		chromedp.Click(chromedp.ID("#save")),
		chromedp.WaitVisible(chromedp.ID("#e-kpp")),
		chromedp.SetValue(chromedp.ID("#f-kpp"), "773601001"),
		chromedp.SetValue(chromedp.ID("#f-name"), "Romashka LLC"),
		chromedp.Click(chromedp.ID("#save")),
		chromedp.WaitVisible(chromedp.ID("#saved")),
	))

	// A new client with a wrong INN: the error beside the INN, the name kept.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Navigate(base+"/clients"),
		chromedp.Click(chromedp.ID("#new-client")),
		chromedp.WaitVisible(chromedp.ID("#client-form")),
		chromedp.SendKeys(chromedp.ID("#f-name"), "Lomonosov LLC"),
		chromedp.SendKeys(chromedp.ID("#f-inn"), "7707083894"),
		chromedp.Click(chromedp.ID("#create")),
		chromedp.WaitVisible(chromedp.ID("#e-inn")),
	))
	require.Contains(t, text(t, ivan, "#e-inn"), "check digit")
	kept, err := chromedp.Run(ivan, chromedp.Value(chromedp.ID("#f-name")))
	require.NoError(t, err)
	require.Equal(t, "Lomonosov LLC", kept)

	// A process for Romashka from its processes tab: the conveyor's
	// variables are asked as a form built from its schema, a choice by its
	// label, and the process opens on its page.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Navigate(base+"/clients/demo-romashka?tab=processes"),
		chromedp.WaitVisible(chromedp.ID("#start-form")),
		chromedp.SetValue(chromedp.ID("#f-definition"), "sales"),
		chromedp.Click(chromedp.ID("#start")),
		chromedp.WaitVisible(chromedp.ID("#f-source")),
	))
	require.Contains(t, text(t, ivan, "#f-source"), "Website")
	require.NotContains(t, text(t, ivan, "main"), "JSON")
	require.NoError(t, chromedp.Do(ivan,
		chromedp.SetValue(chromedp.ID("#f-source"), "website"),
		chromedp.Click(chromedp.ID("#start")),
		chromedp.WaitVisible(chromedp.ID("#process-state")),
	))
	location, err := chromedp.Run(ivan, chromedp.Location())
	require.NoError(t, err)
	require.Contains(t, location, "/processes/")
	require.Contains(t, text(t, ivan, "main h1"), "Romashka LLC")
	var vars string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT vars::text FROM processes WHERE id = $1`,
		location[strings.LastIndex(location, "/")+1:]).Scan(&vars))
	require.JSONEq(t, `{"source":"website"}`, vars, "the form's choice became the variables")

	// The audit trail shows his changes.
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Navigate(base+"/clients/demo-romashka?tab=audit"),
		chromedp.WaitVisible(chromedp.ID("#audit")),
	))
	trail := text(t, ivan, "#audit")
	for _, want := range []string{"Ivan Sidorov", "address", "Tverskaya 7", "bank account", valid, "contact", "document", "offer.txt", "Employees", "process"} {
		require.Contains(t, trail, want)
	}
	require.NoError(t, chromedp.Do(ivan,
		chromedp.Navigate(base+"/clients/demo-romashka"),
		chromedp.WaitVisible(chromedp.ID("#client-form")),
	))
	require.Contains(t, text(t, ivan, "#segments"), "Moscow")
	screenshot(t, ivan, "client-card")

	// Every page renders whole, in both languages.
	for _, lang := range []string{"ru", "en"} {
		require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(base+"/lang/"+lang), chromedp.WaitVisible(chromedp.CSS("main h1"))))
		for _, path := range []string{"/clients", "/clients/new", "/clients/demo-romashka?tab=overview", "/clients/demo-romashka?tab=addresses",
			"/clients/demo-romashka?tab=accounts", "/clients/demo-romashka?tab=contacts", "/clients/demo-romashka?tab=work",
			"/clients/demo-romashka?tab=processes", "/clients/demo-romashka?tab=documents",
			"/clients/demo-romashka?tab=characteristics", "/clients/demo-romashka?tab=audit"} {
			page, err := chromedp.Run(ivan, chromedp.Evaluate[string](`fetch("`+path+`").then(r => r.text())`, chromedp.EvalAwaitPromise))
			require.NoError(t, err)
			require.True(t, strings.HasSuffix(strings.TrimSpace(page), "</html>"), "%s in %s is cut short", path, lang)
		}
	}
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(base+"/clients/demo-romashka?tab=work"), chromedp.WaitVisible(chromedp.ID("#work"))))
	require.Contains(t, text(t, ivan, "#work"), "Cold call")

	// A client he may not see is not there at all.
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(base+"/clients/demo-neva"), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	require.Equal(t, "Not found", text(t, ivan, "main h1"))
	require.False(t, strings.Contains(text(t, ivan, "main"), "Neva"))

	// An admin sees all clients.
	admin := browser(t)
	signIn(t, admin, base, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(base+"/clients"), chromedp.WaitVisible(chromedp.ID("#clients"))))
	require.Equal(t, "All clients", text(t, admin, "main h1"))
	require.Contains(t, text(t, admin, "#clients"), "Neva Trade")
}
