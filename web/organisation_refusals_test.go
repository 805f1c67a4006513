package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// The organisation's forms show a refusal beside the field it is about,
// in the user's language, and change nothing.
func TestOrganisationFormsRefuseBesideTheField(t *testing.T) {
	e := testenv.Seeded(t)
	hc := webSession(t, e.URL, "admin", "admin")
	user := func(login string, more url.Values) url.Values {
		v := url.Values{"login": {login}, "name": {"New One"}, "password": {"a long enough password"}, "roles": {"manager"}}
		for k, vs := range more {
			v[k] = vs
		}
		return v
	}
	for _, tc := range []struct {
		name, page, path string
		form             url.Values
		field, message   string
	}{
		{"a short password", "/organisation/new-user", "/organisation/users", user("newbie", url.Values{"password": {"short"}}),
			"password", "must be at least 10 characters"},
		{"an unknown supervisor", "/organisation/new-user", "/organisation/users", user("newbie", url.Values{"supervisor": {"ghost"}}),
			"supervisor", "choose a supervisor from the list"},
		{"an unknown role", "/organisation/new-user", "/organisation/users", user("newbie", url.Values{"roles": {"boss"}}),
			"roles", "choose roles from the list"},
		{"a login taken", "/organisation/new-user", "/organisation/users", user("ivan", nil),
			"login", "this login is taken"},
		{"a login out of format", "/organisation/new-user", "/organisation/users", user("Ivan!", nil),
			"login", "must start with a lower-case Latin letter, then 1 to 62 letters, digits, dots, underscores or hyphens"},
		{"a circle of supervisors", "/organisation/users/olga", "/organisation/users/olga",
			url.Values{"name": {"Olga Petrova"}, "roles": {"supervisor"}, "supervisor": {"ivan"}},
			"supervisor", "would make a circle of supervisors"},
		{"a short new password", "/organisation/users/ivan", "/organisation/users/ivan/password", url.Values{"password": {"123"}},
			"password", "must be at least 10 characters"},
		{"an absence that ends before it starts", "/organisation/users/ivan", "/organisation/users/ivan/absence",
			url.Values{"from": {"2030-05-10"}, "until": {"2030-05-01"}, "deputy": {"maria"}}, "until", "must not be before the first day"},
		{"an absence with no date", "/organisation/users/ivan", "/organisation/users/ivan/absence",
			url.Values{"from": {""}, "until": {"2030-05-01"}, "deputy": {"maria"}}, "from", "enter a date"},
		{"one's own deputy", "/organisation/users/ivan", "/organisation/users/ivan/absence",
			url.Values{"from": {"2030-05-01"}, "until": {"2030-05-10"}, "deputy": {"ivan"}}, "deputy", "a user cannot be their own deputy"},
		{"an unknown deputy", "/organisation/users/ivan", "/organisation/users/ivan/absence",
			url.Values{"from": {"2030-05-01"}, "until": {"2030-05-10"}, "deputy": {"ghost"}}, "deputy", "choose a deputy from the list"},
		{"a transfer to nobody", "/organisation/users/ivan", "/organisation/users/ivan/transfer", url.Values{"to": {"ghost"}},
			"to", "choose an active user from the list"},
		{"a transfer to oneself", "/organisation/users/ivan", "/organisation/users/ivan/transfer", url.Values{"to": {"ivan"}},
			"to", "the portfolio would stay with the same user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := postForm(t, hc, e.URL, tc.page, tc.path, tc.form)
			require.Equal(t, http.StatusUnprocessableEntity, status, body)
			require.Contains(t, body, `<div class="field-error" id="e-`+tc.field+`">`+tc.message+`</div>`)
		})
	}
	_, err := e.Store.User(t.Context(), "newbie")
	require.Error(t, err, "no refused user was created")
	ivan, err := e.Store.User(t.Context(), "ivan")
	require.NoError(t, err)
	require.Empty(t, ivan.Deputy)
	require.Equal(t, 1, ownedBy(t, e, "ivan"))

	// In Russian, with what was typed kept.
	u, _ := url.Parse(e.URL)
	hc.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ru"}})
	status, _, body := postForm(t, hc, e.URL, "/organisation/new-user", "/organisation/users", user("newbie", url.Values{"password": {"short"}, "supervisor": {"olga"}}))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-password">не короче 10 символов</div>`)
	require.Contains(t, body, `value="newbie"`)
	require.Contains(t, body, `<option value="olga" selected>`)

	// A transfer's confirmation of a user who is not there.
	status, _, body = postForm(t, hc, e.URL, "/organisation/users/ivan", "/organisation/users/ivan/transfer", url.Values{"to": {"ghost"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `<div class="field-error" id="e-to">выберите активного пользователя из списка</div>`)
	resp, err := hc.Get(e.URL + "/organisation/users/ivan/transfer?to=ghost")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)

	// Only admins.
	ivanSession := webSession(t, e.URL, "ivan", "demo")
	status, _, _ = postForm(t, ivanSession, e.URL, "/work", "/organisation/users/maria/transfer", url.Values{"to": {"ivan"}})
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, 1, ownedBy(t, e, "ivan"))
}
