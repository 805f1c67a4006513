package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/services"
)

// accountPage is a user's own account: who they are, and the form that
// changes their password.
type accountPage struct {
	Errors  fieldErrors
	General []string
	Changed bool
	// The bounds, for the browser to check first.
	PasswordMin, PasswordMax int
}

func (u *UI) account(c *gin.Context) {
	u.renderAccount(c, http.StatusOK, accountPage{Changed: c.Query("changed") == "true"})
}

func (u *UI) renderAccount(c *gin.Context, status int, page accountPage) {
	if page.Errors == nil {
		page.Errors = fieldErrors{}
	}
	page.PasswordMin, page.PasswordMax = limits.NewPassword.Min, limits.NewPassword.Max
	u.render(c, status, "account", translate(language(c), "acc.title"), page)
}

// passwordPost changes the user's own password through the same service
// method as the API (the current password, the rules of a new one, the
// sign-in limits); every other session of theirs ends. That the two new
// fields match is the form's own check: the API takes the password once.
func (u *UI) passwordPost(c *gin.Context) {
	lang := language(c)
	password := c.PostForm("password")
	if password != c.PostForm("confirm") {
		u.renderAccount(c, http.StatusUnprocessableEntity, accountPage{Errors: fieldErrors{"confirm": translate(lang, "acc.mismatch")}})
		return
	}
	current := c.PostForm("currentPassword")
	from := services.Caller{Token: c.GetString(tokenKey), Address: c.ClientIP()}
	_, err := u.Services.UpdateUser(c.Request.Context(), me(c), from, me(c).Login,
		services.UserInput{Password: &password, CurrentPassword: &current})
	if err != nil {
		page := accountPage{Errors: fieldErrors{}}
		general, ok := formRefusal(lang, err, page.Errors, "", nil)
		if !ok {
			u.fail(c, err)
			return
		}
		page.General = general
		u.renderAccount(c, http.StatusUnprocessableEntity, page)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?changed=true")
}
