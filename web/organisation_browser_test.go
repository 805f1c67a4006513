package web_test

import (
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

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
	screenshot(t, admin, "organisation")

	require.NoError(t, chromedp.Do(admin,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#seg-ivan option[value="spb"]').selected = true`),
		chromedp.Click(chromedp.CSS("#grants-ivan button")),
	))
	var g store.Grants
	require.Eventually(t, func() bool {
		g, err = e.Store.Grants(t.Context(), "ivan")
		return err == nil && slices.Contains(g.Segments, "spb")
	}, 10*time.Second, 50*time.Millisecond, "the form saved the new grant")
	require.Contains(t, g.Segments, "msk", "the grants he had stay")

	ivan := browser(t)
	signIn(t, ivan, e.URL, "ivan", "demo", "#signout")
	require.NoError(t, chromedp.Do(ivan, chromedp.Navigate(e.URL+"/organisation"), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	require.Equal(t, "Not found", text(t, ivan, "main h1"))
}
