package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

func TestAdminsSeeTheOrganisationAndChangeGrants(t *testing.T) {
	e := testenv.Seeded(t)
	admin := browser(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.ID("users"))))
	require.Contains(t, text(t, admin, "#users"), "olga")
	subordinates, err := chromedp.Run(admin, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('#users li')).find(li => li.firstElementChild.textContent === 'olga').querySelector('ul').textContent`))
	require.NoError(t, err)
	for _, login := range []string{"ivan", "maria", "sergey"} {
		require.Contains(t, subordinates, login, "the hierarchy is drawn as a tree")
	}
	require.Contains(t, text(t, admin, "#teams"), "cold-callers")
	require.Contains(t, text(t, admin, "#segments"), "Moscow")
	require.Contains(t, text(t, admin, "#user-ivan"), "Olga Petrova", "the list names each one's supervisor")
	screenshot(t, admin, "organisation")

	// The grants are chosen by name; a child is indented under its parent.
	grants := text(t, admin, "#grants-ivan")
	require.Contains(t, grants, "Saint Petersburg")
	require.NotContains(t, grants, "spb", "names, not ids")
	indented, err := chromedp.Run(admin, chromedp.Evaluate[bool](
		`document.getElementById('seg-ivan-spb').closest('label').classList.contains('depth-1')`))
	require.NoError(t, err)
	require.True(t, indented, "Saint Petersburg hangs under Russia")
	require.NoError(t, chromedp.Do(admin,
		chromedp.Click(chromedp.Search(`//form[@id="grants-ivan"]//label[normalize-space(.)="Saint Petersburg"]`)),
		chromedp.Click(chromedp.Search(`//form[@id="grants-ivan"]//label[normalize-space(.)="Software"]`)), // off
		chromedp.Click(chromedp.Search(`//form[@id="grants-ivan"]//label[normalize-space(.)="CRM"]`)),
		chromedp.Click(chromedp.CSS("#grants-ivan button")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "The grants are saved.", text(t, admin, "#notice"))
	g, err := e.Store.Grants(t.Context(), "ivan")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"msk", "spb"}, g.Segments, "the grants he had stay")
	require.Equal(t, []string{"crm"}, g.ProductGroups)
	checked, err := chromedp.Run(admin, chromedp.Evaluate[bool](`document.getElementById('pg-ivan-crm').checked && !document.getElementById('pg-ivan-software').checked`))
	require.NoError(t, err)
	require.True(t, checked, "the page shows what was saved")

	ivan := browser(t)
	signIn(t, ivan, e.URL, "ivan", "demo", "#signout")
	for _, path := range []string{"/organisation", "/organisation/users/ivan", "/organisation/new-user"} {
		require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(e.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))))
		require.Equal(t, "Not found", text(t, ivan, "main h1"), path)
	}
}

// phone is a browser at a phone's width.
func phone(t *testing.T) context.Context {
	t.Helper()
	ctx := browser(t)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	return ctx
}

// An admin, in Russian on a phone, creates a user who then signs in; changes
// their roles; deactivates them, and they can sign in no more.
func TestAdminsCreateEditAndDeactivateAUser(t *testing.T) {
	e := testenv.Seeded(t)
	admin := phone(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.ID("new-user")),
		chromedp.Click(chromedp.ID("lang")), chromedp.WaitReady(chromedp.CSS(`html[lang="ru"]`)),
		chromedp.Click(chromedp.ID("new-user")), chromedp.WaitVisible(chromedp.ID("user-form")),
	))
	require.Equal(t, "Новый пользователь", text(t, admin, "main h1"))
	accessible(t, admin)
	require.NoError(t, chromedp.Do(admin,
		chromedp.SendKeys(chromedp.ID("#login"), "petr"),
		chromedp.SendKeys(chromedp.ID("#name"), "Пётр Волков"),
		chromedp.SendKeys(chromedp.ID("#password"), "petr's first password"),
		chromedp.Click(chromedp.ID("#role-manager")),
		chromedp.Click(chromedp.ID("#team-cold-callers")),
		chromedp.SendKeys(chromedp.ID("#newTeams"), "key-accounts"),
		chromedp.SetValue(chromedp.ID("#supervisor"), "olga"),
		chromedp.Click(chromedp.ID("#save-user")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "Пользователь создан.", text(t, admin, "#notice"))
	require.Contains(t, text(t, admin, "#user-roles"), "менеджер")
	accessible(t, admin)
	petr, err := e.Store.User(t.Context(), "petr")
	require.NoError(t, err)
	require.Equal(t, "Пётр Волков", petr.Name)
	require.Equal(t, []string{store.RoleManager}, petr.Roles)
	require.Equal(t, []string{"cold-callers", "key-accounts"}, petr.Teams)
	require.Equal(t, "olga", petr.Supervisor)

	browserOfPetr := browser(t)
	signIn(t, browserOfPetr, e.URL, "petr", "petr's first password", "#signout")
	require.Contains(t, text(t, browserOfPetr, "#account"), "petr")

	// Roles: an analyst now, not a manager; out of the cold callers.
	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/organisation/users/petr"), chromedp.WaitVisible(chromedp.ID("user-form")),
		chromedp.Click(chromedp.ID("#role-manager")),
		chromedp.Click(chromedp.ID("#role-analyst")),
		chromedp.Click(chromedp.ID("#team-cold-callers")),
		chromedp.Click(chromedp.ID("#save-user")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "Изменения сохранены.", text(t, admin, "#notice"))
	require.Equal(t, "аналитик", text(t, admin, "#user-roles"))
	petr, err = e.Store.User(t.Context(), "petr")
	require.NoError(t, err)
	require.Equal(t, []string{store.RoleAnalyst}, petr.Roles)
	require.Equal(t, []string{"key-accounts"}, petr.Teams)

	require.NoError(t, chromedp.Do(admin, chromedp.Click(chromedp.ID("#deactivate")), chromedp.WaitVisible(chromedp.ID("reactivate"))))
	require.Equal(t, "Пользователь деактивирован.", text(t, admin, "#notice"))
	require.Equal(t, "неактивен", text(t, admin, "#user-status"))
	require.NoError(t, chromedp.Do(browserOfPetr, chromedp.Navigate(e.URL+"/work"), chromedp.WaitVisible(chromedp.ID("signin"))),
		"a deactivated user's session ends")
	signIn(t, browserOfPetr, e.URL, "petr", "petr's first password", ".errors")

	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.ID("user-list"))))
	require.Contains(t, text(t, admin, "#user-petr"), "неактивен")
	accessible(t, admin)
}

// An admin resets someone's password: the old one stops working.
func TestAdminsResetAPassword(t *testing.T) {
	e := testenv.Seeded(t)
	admin := browser(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/organisation/users/anna"),
		chromedp.SendKeys(chromedp.ID("#password"), "anna's new password"),
		chromedp.Click(chromedp.ID("#reset-password")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "The password is reset.", text(t, admin, "#notice"))
	status, _, _ := apiSignIn(t, e, "anna", "demo")
	require.Equal(t, http.StatusUnauthorized, status)
	status, _, _ = apiSignIn(t, e, "anna", "anna's new password")
	require.Equal(t, http.StatusOK, status)

	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(e.URL+"/organisation/users/admin"), chromedp.WaitVisible(chromedp.ID("own-password"))))
	require.Zero(t, countOf(t, admin, "#password-form"), "one's own password is changed on the account page, with the current one")
}

// While ivan is away maria takes his new work; the admin clears it.
func TestAdminsSetAndClearAnAbsence(t *testing.T) {
	e := testenv.Seeded(t)
	admin := phone(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	today := time.Now().UTC().Format("2006-01-02")
	inAWeek := time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")
	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/organisation/users/ivan"), chromedp.WaitVisible(chromedp.ID("absence-form")),
		chromedp.SetValue(chromedp.ID("#from"), today),
		chromedp.SetValue(chromedp.ID("#until"), inAWeek),
		chromedp.SetValue(chromedp.ID("#deputy"), "maria"),
		chromedp.Click(chromedp.ID("#save-absence")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "The absence is saved.", text(t, admin, "#notice"))
	require.Contains(t, text(t, admin, "#user-absence"), "Maria Ivanova")
	accessible(t, admin)
	ivan, err := e.Store.User(t.Context(), "ivan")
	require.NoError(t, err)
	require.Equal(t, "maria", ivan.Deputy)
	require.Equal(t, today, ivan.AbsentFrom.Format("2006-01-02"))
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 8).Format("2006-01-02"), ivan.AbsentUntil.Format("2006-01-02"), "the last day is whole")
	value, err := chromedp.Run(admin, chromedp.Evaluate[string](`document.getElementById('until').value`))
	require.NoError(t, err)
	require.Equal(t, inAWeek, value, "the form shows the last day")

	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.ID("user-list"))))
	require.Contains(t, text(t, admin, "#user-ivan"), "Maria Ivanova")

	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/organisation/users/ivan"),
		chromedp.Click(chromedp.ID("#clear-absence")),
		chromedp.WaitVisible(chromedp.ID("notice")),
	))
	require.Equal(t, "The absence is cleared.", text(t, admin, "#notice"))
	ivan, err = e.Store.User(t.Context(), "ivan")
	require.NoError(t, err)
	require.Empty(t, ivan.Deputy)
	require.Nil(t, ivan.AbsentFrom)
	require.Zero(t, countOf(t, admin, "#clear-absence"))
}

// ivan leaves: his portfolio goes to maria once the admin has seen what
// moves.
func TestAdminsTransferAPortfolioAfterConfirming(t *testing.T) {
	e := testenv.Seeded(t)
	admin := browser(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin,
		chromedp.Navigate(e.URL+"/lang/ru"),
		chromedp.Navigate(e.URL+"/organisation/users/ivan"), chromedp.WaitVisible(chromedp.ID("transfer-form")),
		chromedp.SetValue(chromedp.ID("#to"), "maria"),
		chromedp.Click(chromedp.ID("#review-transfer")),
		chromedp.WaitVisible(chromedp.ID("confirm-transfer")),
	))
	require.Contains(t, text(t, admin, "#transfer-summary"), "Maria Ivanova (maria)")
	require.Contains(t, text(t, admin, "#transfer-clients"), "Romashka LLC", "the confirmation names what moves")
	accessible(t, admin)
	require.Equal(t, 1, ownedBy(t, e, "ivan"), "nothing moves before the confirmation")

	require.NoError(t, chromedp.Do(admin, chromedp.Click(chromedp.ID("#confirm-transfer")), chromedp.WaitVisible(chromedp.ID("notice"))))
	require.Contains(t, text(t, admin, "#notice"), "Передано пользователю maria — клиентов: 1, открытых дел:")
	require.Zero(t, ownedBy(t, e, "ivan"), "ivan owns no clients")
	require.Equal(t, 3, ownedBy(t, e, "maria"))
	var open int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(),
		`SELECT count(*) FROM work_items WHERE assignee = 'ivan' AND state IN ('attention', 'in_progress')`).Scan(&open))
	require.Zero(t, open, "nor open work")
}

func ownedBy(t *testing.T, e *testenv.Env, login string) int {
	t.Helper()
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM clients WHERE owner = $1`, login).Scan(&n))
	return n
}

// sergey mistypes his password until he is locked out; the admin sees it
// and unlocks him.
func TestAdminsUnlockALockedLogin(t *testing.T) {
	e := testenv.Seeded(t)
	// A clock that stands still, so the lock lasts while the page is looked at.
	var mu sync.Mutex
	frozen := time.Now()
	e.Services.LimitSignIns(func() time.Time { mu.Lock(); defer mu.Unlock(); return frozen }, auth.CheckPassword)
	for i := range 6 {
		status, _, body := apiSignIn(t, e, "sergey", "wrong")
		if i < 5 {
			require.Equal(t, http.StatusUnauthorized, status, body)
		} else {
			require.Equal(t, http.StatusTooManyRequests, status, body)
		}
	}
	status, _, _ := apiSignIn(t, e, "sergey", "demo")
	require.Equal(t, http.StatusTooManyRequests, status, "locked, the right password too")

	admin := browser(t)
	signIn(t, admin, e.URL, "admin", "admin", "#signout")
	require.NoError(t, chromedp.Do(admin, chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.ID("user-list"))))
	require.Equal(t, "locked for 1 s", text(t, admin, "#user-sergey .lock"))
	require.Empty(t, strings.TrimSpace(text(t, admin, "#user-ivan .lock")))
	require.NoError(t, chromedp.Do(admin,
		chromedp.Click(chromedp.Search(`//tr[@id="user-sergey"]//a`)),
		chromedp.WaitVisible(chromedp.ID("unlock")),
	))
	require.Contains(t, text(t, admin, "#user-lock"), "locked for 1 s")
	require.NoError(t, chromedp.Do(admin, chromedp.Click(chromedp.ID("#unlock")), chromedp.WaitVisible(chromedp.ID("notice"))))
	require.Equal(t, "Sign-in is unlocked.", text(t, admin, "#notice"))
	require.Equal(t, "not locked", text(t, admin, "#user-lock"))
	status, _, body := apiSignIn(t, e, "sergey", "demo")
	require.Equal(t, http.StatusOK, status, body)
}

// apiSignIn asks the API for a token, as server/auth_test.go does.
func apiSignIn(t *testing.T, e *testenv.Env, login, password string) (int, string, string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"login": login, "password": password})
	require.NoError(t, err)
	resp, err := http.Post(e.URL+"/api/v1/auth/token", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out bytes.Buffer
	_, err = out.ReadFrom(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), out.String()
}

func countOf(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
	require.NoError(t, err)
	return n
}
