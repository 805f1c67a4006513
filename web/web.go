// Package web is Conveyor's web UI: server-rendered pages from templates
// embedded in the binary, plain HTML forms that work without JavaScript, a
// session cookie over the API's tokens, and CSRF-protected posts.
package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// UI serves the pages.
type UI struct {
	// Services are the rules the pages call: the UI reads neither the
	// store nor Temporal itself.
	Services *services.Services
	Log      *slog.Logger
	// Location shows and reads times (date-time inputs have no zone).
	Location *time.Location

	pages map[string]*template.Template
}

const sessionCookie = "conveyor_session"

// Register adds the UI's routes to r.
func (u *UI) Register(r *gin.Engine) {
	if u.Location == nil {
		u.Location = time.UTC
	}
	u.pages = parsePages()
	static, _ := fs.Sub(staticFiles, "static")
	r.StaticFS("/static", filesOnly{http.FS(static)})
	// Every page's body is bounded before anything reads it (limitBody),
	// and its address holds plain text only (plainAddress).
	pages := r.Group("", limitBody, u.plainAddress)
	pages.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/desk") })
	pages.GET("/login", u.loginPage)
	pages.POST("/login", u.loginPost)
	pages.GET("/lang/:lang", u.setLanguage)

	s := pages.Group("", u.session)
	s.POST("/logout", u.logout)
	s.GET("/account", u.account)
	s.POST("/account/password", u.passwordPost)
	s.GET("/work", u.workList)
	s.GET("/work/:id", u.workItem)
	s.POST("/work/:id", u.completePost)
	s.POST("/work/:id/reassign", u.reassignPost)
	s.GET("/processes", u.processList)
	s.GET("/processes/:id", u.processPage)
	s.GET("/processes/:id/cancel", u.cancelPage)
	s.POST("/processes/:id/cancel", u.cancelPost)
	s.POST("/processes/:id/move", u.movePost)
	u.registerClients(s)
	u.registerDefinitions(s)
	s.GET("/analytics", u.analytics)
	u.calendarRoutes(s)
	u.viewRoutes(s)
	u.deskRoutes(s)
	s.GET("/organisation", u.organisation)
	s.POST("/organisation/grants/:login", u.saveGrants)
	s.GET("/organisation/new-user", u.newUser)
	s.POST("/organisation/users", u.createUser)
	s.GET("/organisation/users/:login", u.userPage)
	s.POST("/organisation/users/:login", u.updateUser)
	s.POST("/organisation/users/:login/active", u.setActive)
	s.POST("/organisation/users/:login/password", u.resetPassword)
	s.POST("/organisation/users/:login/unlock", u.unlockSignIns)
	s.POST("/organisation/users/:login/absence", u.setAbsence)
	s.GET("/organisation/users/:login/transfer", u.confirmTransfer)
	s.POST("/organisation/users/:login/transfer", u.transfer)
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"t":    translate,
		"date": func(t time.Time, loc *time.Location) string { return t.In(loc).Format("02.01.2006 15:04") },
		"datep": func(t *time.Time, loc *time.Location) string {
			if t == nil {
				return "—"
			}
			return t.In(loc).Format("02.01.2006 15:04")
		},
		"raw":  func(s string) template.HTML { return template.HTML(s) }, // only for SVG we render ourselves
		"list": func(s ...string) []string { return s },
		"inc":  func(i int) int { return i + 1 },
		// percent and duration word the analytics' figures
		"percent": func(f float64) string { return strconv.Itoa(int(math.Round(f*100))) + "%" },
		"hours":   spanText,
	}
	// The layout and the partials (_*.html) go into every page.
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		page := template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, name))
		pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = page
	}
	return pages
}

// view is what every page template gets besides its own data.
type view struct {
	Lang  string
	User  *services.User
	CSRF  string
	Loc   *time.Location
	Title string
	Page  any
}

func (u *UI) render(c *gin.Context, status int, page, title string, data any) {
	v := view{Lang: language(c), Loc: u.Location, Title: title, Page: data}
	if me, ok := c.Get(userKey); ok {
		user := me.(services.User)
		v.User = &user
		v.CSRF = csrfToken(c.GetString(tokenKey))
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'")
	c.Status(status)
	if err := u.pages[page].ExecuteTemplate(c.Writer, "layout.html", v); err != nil {
		u.Log.ErrorContext(c.Request.Context(), "render", slog.String("page", page), slog.Any("error", err))
	}
}

const (
	userKey  = "web.user"
	tokenKey = "web.token"
)

// filesOnly serves the files of a file system and no directory listings:
// a directory is not found.
type filesOnly struct{ http.FileSystem }

func (fs filesOnly) Open(name string) (http.File, error) {
	f, err := fs.FileSystem.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, os.ErrNotExist
	}
	return f, nil
}

// plainAddress answers "not found" for an address whose path or query
// holds a NUL, another control character or bytes that are not UTF-8:
// nothing such is stored, and in SQL it could only fail as an error.
func (u *UI) plainAddress(c *gin.Context) {
	if len(limits.Parameters([][2]string{{"path", c.Request.URL.Path}}, c.Request.URL.Query())) > 0 {
		u.fail(c, refusal.ErrNotFound)
		c.Abort()
	}
}

// session lets signed-in users on; others go to the sign-in page.
func (u *UI) session(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err == nil && token != "" {
		user, err := u.Services.Session(c.Request.Context(), token)
		if err != nil && !errors.Is(err, refusal.ErrNotFound) {
			u.fail(c, err) // a busy database is not a signed-out user
			c.Abort()
			return
		}
		if err == nil {
			c.Set(userKey, user)
			c.Set(tokenKey, token)
			c.Request = c.Request.WithContext(services.AsActor(c.Request.Context(), user.Login))
			// An upload checks its token itself, from the form's first part,
			// so that the file is not parsed into memory to read a field.
			upload := c.FullPath() == documentUploadPath && strings.HasPrefix(c.ContentType(), "multipart/form-data")
			if c.Request.Method == http.MethodPost && !upload && !validCSRF(c, token) {
				c.AbortWithStatus(http.StatusForbidden)
				return
			}
			c.Next()
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/login")
	c.Abort()
}

// csrfToken is bound to the session: a page of another site cannot know it,
// so it cannot post forms in the user's name.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("conveyor-csrf:" + session))
	return hex.EncodeToString(sum[:])
}

func validCSRF(c *gin.Context, session string) bool {
	return subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(csrfToken(session))) == 1
}

func me(c *gin.Context) services.User { return c.MustGet(userKey).(services.User) }

// fail shows a not-found page for what the user may not see or do, asks
// to try again when the database did not answer in time, and logs anything
// unexpected.
func (u *UI) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, refusal.ErrNotFound) || errors.Is(err, refusal.ErrForbidden):
		u.render(c, http.StatusNotFound, "notfound", translate(language(c), "notfound"), nil)
		return
	case errors.Is(err, refusal.ErrInvalid), errors.Is(err, refusal.ErrConflict):
		c.String(http.StatusUnprocessableEntity, fmt.Sprintf(translate(language(c), "cl.e.refused"), err.Error()))
		return
	case services.Busy(err):
		u.Log.WarnContext(c.Request.Context(), "database timed out", slog.String("path", c.FullPath()), slog.Any("error", err))
		c.Header("Retry-After", busyRetryAfter)
		c.String(http.StatusServiceUnavailable, translate(language(c), "busy"))
		return
	}
	u.Log.ErrorContext(c.Request.Context(), "web request failed", slog.String("path", c.FullPath()), slog.Any("error", err))
	c.String(http.StatusInternalServerError, "internal error")
}

func (u *UI) setLanguage(c *gin.Context) {
	lang := c.Param("lang")
	if messages[lang] != nil {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie("lang", lang, 365*24*3600, "/", "", false, false)
	}
	redirectBack(c, "/work")
}
