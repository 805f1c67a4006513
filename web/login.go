package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
)

type loginPage struct {
	Login, Error, CSRF string
}

// loginCSRFCookie pairs the sign-in form with the browser that asked for
// it (a double-submit token): another site cannot sign a visitor in as
// someone else.
const loginCSRFCookie = "conveyor_login_csrf"

func (u *UI) loginPage(c *gin.Context) {
	u.renderLogin(c, http.StatusOK, "", "")
}

func (u *UI) renderLogin(c *gin.Context, status int, login, msg string) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(loginCSRFCookie, token, 3600, "/login", "", c.Request.TLS != nil, true)
	u.render(c, status, "login", translate(language(c), "signin"), loginPage{Login: login, Error: msg, CSRF: token})
}

// loginPost signs in through the API's sign-in (rate limits, audit) and
// keeps the token in an HttpOnly, SameSite cookie.
func (u *UI) loginPost(c *gin.Context) {
	login := c.PostForm("login")
	if cookie, err := c.Cookie(loginCSRFCookie); err != nil || cookie == "" ||
		subtle.ConstantTimeCompare([]byte(cookie), []byte(c.PostForm("csrf"))) != 1 {
		u.renderLogin(c, http.StatusForbidden, login, translate(language(c), "again"))
		return
	}
	token, expires, err := u.SignIn(c, login, c.PostForm("password"))
	if err != nil {
		msg, status := translate(language(c), "badlogin"), http.StatusUnauthorized
		var limited *auth.LimitedError
		switch {
		case errors.As(err, &limited):
			msg, status = limited.Reason, http.StatusTooManyRequests
		case !errors.Is(err, auth.ErrBadCredentials):
			u.fail(c, err)
			return
		}
		u.renderLogin(c, status, login, msg)
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(sessionCookie, token, int(time.Until(expires).Seconds()), "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/work")
}

func (u *UI) logout(c *gin.Context) {
	if err := u.Store.DeleteToken(c.Request.Context(), auth.HashToken(c.GetString(tokenKey))); err != nil {
		u.fail(c, err)
		return
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/login")
}
