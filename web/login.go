package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/auth"
)

type loginPage struct {
	Login, Error string
}

func (u *UI) loginPage(c *gin.Context) {
	u.render(c, http.StatusOK, "login", translate(language(c), "signin"), loginPage{})
}

// loginPost signs in through the API's sign-in (rate limits, audit) and
// keeps the token in an HttpOnly, SameSite cookie.
func (u *UI) loginPost(c *gin.Context) {
	login := c.PostForm("login")
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
		u.render(c, status, "login", translate(language(c), "signin"), loginPage{Login: login, Error: msg})
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
