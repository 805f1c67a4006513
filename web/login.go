package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
)

type loginPage struct {
	Login, Error, CSRF string
	// Errors are the fields out of their bounds, by name, shown beside them.
	Errors fieldErrors
	// The bounds, for the browser to check first.
	LoginMax, PasswordMax int
}

// loginCSRFCookie pairs the sign-in form with the browser that asked for
// it (a double-submit token): another site cannot sign a visitor in as
// someone else.
const loginCSRFCookie = "conveyor_login_csrf"

func (u *UI) loginPage(c *gin.Context) {
	u.renderLogin(c, http.StatusOK, "", "")
}

func (u *UI) renderLogin(c *gin.Context, status int, login, msg string) {
	u.renderLoginPage(c, status, loginPage{Login: login, Error: msg})
}

func (u *UI) renderLoginPage(c *gin.Context, status int, page loginPage) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	page.CSRF = hex.EncodeToString(b[:])
	page.LoginMax, page.PasswordMax = limits.Login.Max, limits.Password.Max
	if page.Errors == nil {
		page.Errors = fieldErrors{}
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(loginCSRFCookie, page.CSRF, 3600, "/login", "", c.Request.TLS != nil, true)
	u.render(c, status, "login", translate(language(c), "signin"), page)
}

// loginPost signs in (services.SignIn: the limits, the audit, shared with
// the API's token endpoint) and keeps the token in an HttpOnly, SameSite
// cookie.
func (u *UI) loginPost(c *gin.Context) {
	login := c.PostForm("login")
	if cookie, err := c.Cookie(loginCSRFCookie); err != nil || cookie == "" ||
		subtle.ConstantTimeCompare([]byte(cookie), []byte(c.PostForm("csrf"))) != 1 {
		u.renderLogin(c, http.StatusForbidden, login, translate(language(c), "again"))
		return
	}
	token, expires, err := u.Services.SignIn(c.Request.Context(), login, c.PostForm("password"), c.ClientIP())
	if err != nil {
		msg, status := translate(language(c), "badlogin"), http.StatusUnauthorized
		var limited *auth.LimitedError
		switch {
		case errors.Is(err, refusal.ErrInvalid):
			// Beside its field; what was typed is not shown again, it may
			// be the reason (a control character, a pasted page).
			errs := fieldErrors{}
			for _, f := range refusal.Fields(err) {
				errs[strings.TrimPrefix(f.Path, "/")] = fieldText(language(c), f)
			}
			u.renderLoginPage(c, http.StatusUnprocessableEntity, loginPage{Errors: errs})
			return
		case errors.As(err, &limited):
			msg, status = limitedText(language(c), limited), http.StatusTooManyRequests
		case !errors.Is(err, auth.ErrBadCredentials):
			u.fail(c, err)
			return
		}
		u.renderLogin(c, status, login, msg)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(sessionCookie, token, int(time.Until(expires).Seconds()), "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/desk")
}

// limitedText says in lang why a sign-in is refused by the limits and when
// to try again.
func limitedText(lang string, l *auth.LimitedError) string {
	key := "login.limited.address"
	if l.Login {
		key = "login.limited.login"
	}
	wait := int(math.Ceil(l.Wait.Seconds()))
	if wait >= 120 {
		return fmt.Sprintf(translate(lang, key), fmt.Sprintf(translate(lang, "login.minutes"), (wait+59)/60))
	}
	return fmt.Sprintf(translate(lang, key), fmt.Sprintf(translate(lang, "login.seconds"), max(wait, 1)))
}

func (u *UI) logout(c *gin.Context) {
	if err := u.Services.SignOut(c.Request.Context(), c.GetString(tokenKey)); err != nil {
		u.fail(c, err)
		return
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/login")
}
