package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

// The pages of one user, for admins: create one, change their name,
// roles, teams and supervisor, deactivate and reactivate them, reset their
// password, unlock their sign-in, set or clear their absence and hand
// their portfolio to someone else. Every change is one method of the
// services, as in the API.

// userForm is what a user's forms hold: the user's values, or what was
// posted when a form was refused.
type userForm struct {
	Login, Name, Supervisor string
	Roles, Teams            []string
	NewTeams                string
	From, Until, Deputy, To string
}

// choice is a checkbox or an option of a select.
type choice struct {
	Value, Label string
	Checked      bool
}

type userPage struct {
	Notice  string
	Errors  fieldErrors
	General []string
	New     bool
	Subject services.User
	Form    userForm
	// Own: the admin's own account, whose password is changed on the
	// account page (with the current one).
	Own       bool
	LockedFor int
	Absence   string
	// The choices of the forms, from Form.
	Roles, Teams                   []choice
	Supervisors, Deputies, Targets []choice
	PasswordMin, PasswordMax       int

	users []services.User
	teams []string
}

// notice is the text of the change a redirect reports (?done=), if any.
func notice(c *gin.Context, lang string) string {
	switch done := c.Query("done"); done {
	case "grants", "created", "saved", "deactivated", "reactivated", "password", "absence", "absencecleared", "unlocked":
		return translate(lang, "org.done."+done)
	case "transfer":
		clients, _ := strconv.Atoi(c.Query("clients"))
		items, _ := strconv.Atoi(c.Query("items"))
		return fmt.Sprintf(translate(lang, "org.done.transfer"), c.Query("to"), clients, items)
	}
	return ""
}

// lockedFor is how many seconds login must still wait to sign in (0: not
// locked), rounded up.
func (u *UI) lockedFor(c *gin.Context, login string) (int, error) {
	wait, err := u.Services.SignInWait(me(c), login)
	if err != nil || wait <= 0 {
		return 0, err
	}
	return int((wait + time.Second - 1) / time.Second), nil
}

// loadUserPage is login's page as it stands ("" for the new-user page);
// the organisation, and so the page, is there for admins only.
func (u *UI) loadUserPage(c *gin.Context, login string) (userPage, error) {
	o, err := u.Services.Organisation(c.Request.Context(), me(c))
	if err != nil {
		return userPage{}, err
	}
	p := userPage{Errors: fieldErrors{}, New: login == "", users: o.Users, Notice: notice(c, language(c))}
	sort.SliceStable(p.users, func(a, b int) bool { return strings.ToLower(label(p.users[a])) < strings.ToLower(label(p.users[b])) })
	for _, t := range o.Teams {
		p.teams = append(p.teams, t.Name)
	}
	for _, usr := range o.Users {
		for _, t := range usr.Teams {
			if !slices.Contains(p.teams, t) {
				p.teams = append(p.teams, t)
			}
		}
	}
	slices.Sort(p.teams)
	if c.Query("done") == "transfer" && !slices.ContainsFunc(o.Users, func(usr services.User) bool { return usr.Login == c.Query("to") }) {
		p.Notice = "" // names only a user
	}
	if p.New {
		return p, nil
	}
	i := slices.IndexFunc(o.Users, func(usr services.User) bool { return usr.Login == login })
	if i < 0 {
		return userPage{}, refusal.New(refusal.ErrNotFound, "no user %s", login)
	}
	s := o.Users[i]
	p.Subject, p.Own = s, s.Login == me(c).Login
	p.Form = userForm{Login: s.Login, Name: s.Name, Supervisor: s.Supervisor, Roles: s.Roles, Teams: s.Teams, Deputy: s.Deputy}
	if s.AbsentFrom != nil && s.AbsentUntil != nil {
		p.Form.From, p.Form.Until = s.AbsentFrom.In(u.Location).Format(dateLayout), lastDay(*s.AbsentUntil, u.Location)
		p.Absence = u.absenceText(language(c), s, userNames(o.Users))
	}
	if p.LockedFor, err = u.lockedFor(c, login); err != nil {
		return userPage{}, err
	}
	return p, nil
}

const dateLayout = "2006-01-02"

// lastDay is the last day of an absence that ends at until (the midnight
// after it).
func lastDay(until time.Time, loc *time.Location) string {
	return until.Add(-time.Nanosecond).In(loc).Format(dateLayout)
}

// absenceText says who stands in for s and when.
func (u *UI) absenceText(lang string, s services.User, names map[string]string) string {
	if s.Deputy == "" || s.AbsentFrom == nil || s.AbsentUntil == nil {
		return ""
	}
	until, _ := time.ParseInLocation(dateLayout, lastDay(*s.AbsentUntil, u.Location), u.Location)
	return fmt.Sprintf(translate(lang, "org.absentfor"), s.AbsentFrom.In(u.Location).Format("02.01.2006"), until.Format("02.01.2006"), names[s.Deputy])
}

// label is how a user is offered in a select: their name and login.
func label(usr services.User) string {
	if usr.Name == "" {
		return usr.Login
	}
	return usr.Name + " (" + usr.Login + ")"
}

// renderUser shows a user's page (or the new-user page) with the choices
// of its forms made from p.Form.
func (u *UI) renderUser(c *gin.Context, status int, p userPage) {
	lang := language(c)
	f := p.Form
	p.Roles, p.Teams, p.Supervisors, p.Deputies, p.Targets = nil, nil, nil, nil, nil
	for _, r := range services.Roles {
		p.Roles = append(p.Roles, choice{Value: r, Label: translate(lang, "org.role."+r), Checked: slices.Contains(f.Roles, r)})
	}
	for _, t := range p.teams {
		p.Teams = append(p.Teams, choice{Value: t, Label: t, Checked: slices.Contains(f.Teams, t)})
	}
	for _, usr := range p.users {
		if usr.Login == p.Subject.Login {
			continue
		}
		text := label(usr)
		if !usr.Active {
			text += " — " + translate(lang, "inactive")
		}
		p.Supervisors = append(p.Supervisors, choice{Value: usr.Login, Label: text, Checked: usr.Login == f.Supervisor})
		if usr.Active {
			p.Deputies = append(p.Deputies, choice{Value: usr.Login, Label: text, Checked: usr.Login == f.Deputy})
			p.Targets = append(p.Targets, choice{Value: usr.Login, Label: text, Checked: usr.Login == f.To})
		}
	}
	p.PasswordMin, p.PasswordMax = limits.NewPassword.Min, limits.NewPassword.Max
	if p.New {
		u.render(c, status, "organisation-user", translate(lang, "org.newuser"), p)
		return
	}
	u.render(c, status, "organisation-user", label(p.Subject), p)
}

// refused shows the page again with the refusal beside the fields of the
// form that was posted (422), or fails for an error that is no refusal.
func (u *UI) refused(c *gin.Context, p userPage, err error) {
	general, ok := orgRefusal(language(c), err, p.Errors)
	if !ok {
		u.fail(c, err)
		return
	}
	p.General = general
	u.renderUser(c, http.StatusUnprocessableEntity, p)
}

// orgRefusal files a refusal of a user's form like formRefusal, and words
// the store's refusals that name no field (a duplicate login, a supervisor
// or deputy who is not a user, a cycle of supervisors, a transfer to
// nobody) beside the field they are about.
func orgRefusal(lang string, err error, bad fieldErrors) ([]string, bool) {
	kind := refusal.KindOf(err)
	if len(refusal.Fields(err)) == 0 && (kind == refusal.ErrInvalid || kind == refusal.ErrConflict) {
		msg := err.Error()
		for _, m := range []struct{ field, text, key string }{
			{"login", "login already taken", "org.e.taken"},
			{"login", "login must be", "org.e.loginformat"},
			{"roles", "roles must be", "org.e.roles"}, // before "supervisor", a role it names
			{"supervisor", "supervisor cycle", "org.e.cycle"},
			{"supervisor", "supervisor", "org.e.supervisor"},
			{"deputy", "own deputy", "org.e.owndeputy"},
			{"deputy", "deputy", "org.e.deputy"},
			{"to", "would stay with", "org.e.same"},
			{"to", "to:", "org.e.to"},
		} {
			if strings.Contains(msg, m.text) {
				bad[m.field] = translate(lang, m.key)
				return nil, true
			}
		}
	}
	general, ok := formRefusal(lang, err, bad, "login", nil)
	if ok && bad["until"] != "" {
		var v *limits.Violation
		if !slices.ContainsFunc(refusal.Fields(err), func(f refusal.FieldError) bool { return errors.As(f.Cause, &v) }) {
			bad["until"] = translate(lang, "org.e.until")
		}
	}
	if ok && kind == refusal.ErrConflict && bad["login"] != "" {
		bad["login"] = translate(lang, "org.e.taken")
	}
	return general, ok
}

// postedUser reads the fields of a user's form into f.
func postedUser(c *gin.Context, f *userForm) {
	f.Name = strings.TrimSpace(c.PostForm("name"))
	f.Supervisor = c.PostForm("supervisor")
	f.Roles = nonEmpty(c.PostFormArray("roles"))
	f.NewTeams = c.PostForm("newTeams")
	f.Teams = nonEmpty(append(c.PostFormArray("teams"), strings.Split(f.NewTeams, ",")...))
}

func (u *UI) newUser(c *gin.Context) {
	p, err := u.loadUserPage(c, "")
	if err != nil {
		u.fail(c, err)
		return
	}
	u.renderUser(c, http.StatusOK, p)
}

// createUser makes a user from the new-user form.
func (u *UI) createUser(c *gin.Context) {
	p, err := u.loadUserPage(c, "")
	if err != nil {
		u.fail(c, err)
		return
	}
	p.Form.Login = strings.TrimSpace(c.PostForm("login"))
	postedUser(c, &p.Form)
	password := c.PostForm("password")
	in := services.UserInput{Name: &p.Form.Name, Password: &password, Roles: &p.Form.Roles, Teams: &p.Form.Teams, Supervisor: &p.Form.Supervisor}
	created, err := u.Services.CreateUser(c.Request.Context(), me(c), p.Form.Login, in)
	if err != nil {
		u.refused(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, userPath(created.Login)+"?done=created")
}

func userPath(login string) string { return "/organisation/users/" + url.PathEscape(login) }

func (u *UI) userPage(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	u.renderUser(c, http.StatusOK, p)
}

// updateUser changes a user's name, roles, teams and supervisor.
func (u *UI) updateUser(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	postedUser(c, &p.Form)
	in := services.UserInput{Name: &p.Form.Name, Roles: &p.Form.Roles, Teams: &p.Form.Teams, Supervisor: &p.Form.Supervisor}
	u.changeUser(c, p, in, "saved")
}

// changeUser applies in to the page's user and goes back to their page
// with the notice done.
func (u *UI) changeUser(c *gin.Context, p userPage, in services.UserInput, done string) {
	from := services.Caller{Token: c.GetString(tokenKey), Address: c.ClientIP()}
	if _, err := u.Services.UpdateUser(c.Request.Context(), me(c), from, p.Subject.Login, in); err != nil {
		u.refused(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, userPath(p.Subject.Login)+"?done="+done)
}

// setActive deactivates a user (they can sign in no more) or reactivates
// them.
func (u *UI) setActive(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	active := c.PostForm("active") == "true"
	done := "deactivated"
	if active {
		done = "reactivated"
	}
	u.changeUser(c, p, services.UserInput{Active: &active}, done)
}

// resetPassword sets someone else's password; they are signed out
// everywhere.
func (u *UI) resetPassword(c *gin.Context) {
	p, err := u.loadUserPage(c, c.Param("login"))
	if err != nil {
		u.fail(c, err)
		return
	}
	password := c.PostForm("password")
	u.changeUser(c, p, services.UserInput{Password: &password}, "password")
}

// unlockSignIns lets a locked-out user sign in at once.
func (u *UI) unlockSignIns(c *gin.Context) {
	login := c.Param("login")
	if err := u.Services.UnlockSignIns(c.Request.Context(), me(c), login); err != nil {
		u.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, userPath(login)+"?done=unlocked")
}
