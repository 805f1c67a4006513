package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/web/diagram"
)

// starterDefinition fills the editor of a new definition: the least that
// compiles, to be changed.
const starterDefinition = `# A conveyor: the stages a case goes through and the ends it can reach.
id: new-conveyor
title: New conveyor
start: first

stages:
  first:
    title: First stage
    assignee: {team: cold-callers}
    due: 1d
    progress: 100
    transitions:
      - to: done

ends:
  done: {title: Done}
`

// registerDefinitions adds the analysts' pages: the definitions, an editor
// that checks as one types, versions and their differences.
func (u *UI) registerDefinitions(s *gin.RouterGroup) {
	s.GET("/definitions", u.definitionList)
	s.GET("/definitions/new", u.definitionNew)
	s.POST("/definitions/validate", u.definitionValidate)
	s.POST("/definitions/publish", u.definitionPublish)
	s.GET("/definitions/:id", u.definitionEditor)
	s.POST("/definitions/:id/publish", u.definitionPublish)
	s.GET("/definitions/:id/versions/:n", u.definitionVersion)
	s.GET("/definitions/:id/diff", u.definitionDiff)
}

// mayDefine lets on those who may publish: these pages are the editor.
// Everybody else gets the not-found page, as for anything they may not see.
func (u *UI) mayDefine(c *gin.Context) bool {
	if services.MayPublish(me(c)) {
		return true
	}
	u.fail(c, refusal.ErrNotFound)
	return false
}

func (u *UI) definitionList(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	defs, err := u.Services.Definitions(c.Request.Context(), me(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "definitions", translate(language(c), "definitions"), defs)
}

// versionRow is a version in the history, with the one before it to
// compare with (0 for the first).
type versionRow struct {
	DefinitionID, Title, PublishedBy string
	Version, Prev                    int
	PublishedAt                      time.Time
}

type editorPage struct {
	ID       string            // "" while the definition is new
	Latest   *services.Version // the published version the editor started from
	Versions []versionRow
	Source   string
	Diagram  string
	Problems definitions.Problems
	Notice   string
	Action   string
}

func (u *UI) definitionNew(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	plan, _ := definitions.Compile([]byte(starterDefinition))
	u.render(c, http.StatusOK, "definition", translate(language(c), "def.new"),
		editorPage{Source: starterDefinition, Diagram: diagram.Render(plan), Action: "/definitions/publish"})
}

// definitionEditor is the latest version in the editor, with its diagram
// and the versions before it.
func (u *UI) definitionEditor(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	page, err := u.editor(c, c.Param("id"))
	if err != nil {
		u.fail(c, err)
		return
	}
	page.Source = page.Latest.Source
	lang := language(c)
	if n, err := strconv.Atoi(c.Query("published")); err == nil {
		key := "def.published"
		if c.Query("unchanged") == "true" {
			key = "def.unchanged"
		}
		page.Notice = fmt.Sprintf(translate(lang, key), n)
	}
	u.render(c, http.StatusOK, "definition", page.Latest.Title, page)
}

// editor reads what the editor of a published definition shows besides the
// source.
func (u *UI) editor(c *gin.Context, id string) (editorPage, error) {
	latest, versions, err := u.Services.Definition(c.Request.Context(), me(c), id)
	if err != nil {
		return editorPage{}, err
	}
	rows := make([]versionRow, len(versions))
	for i, v := range versions {
		rows[i] = versionRow{DefinitionID: v.DefinitionID, Title: v.Title, PublishedBy: v.PublishedBy,
			Version: v.Version, PublishedAt: v.PublishedAt}
		if i+1 < len(versions) {
			rows[i].Prev = versions[i+1].Version
		}
	}
	return editorPage{ID: id, Latest: &latest, Versions: rows, Diagram: diagram.Render(latest.Plan),
		Action: "/definitions/" + url.PathEscape(id) + "/publish"}, nil
}

// source is the posted definition with the browser's CRLF line ends undone.
func source(c *gin.Context) string {
	return strings.ReplaceAll(c.PostForm("source"), "\r\n", "\n")
}

// check checks a posted definition as in says; the problems, worded in the
// page's language, come back rather than an error.
func (u *UI) check(c *gin.Context, in services.Intent) (*definitions.Plan, definitions.Problems, error) {
	plan, err := u.Services.CheckDefinition(c.Request.Context(), me(c), []byte(source(c)), in)
	var problems definitions.Problems
	if errors.As(err, &problems) {
		return nil, worded(language(c), problems), nil
	}
	return plan, nil, err
}

// worded is problems in lang: where the UI words their cause, or where the
// definitions package gave them in lang (the names and expressions they
// quote stay as written).
func worded(lang string, problems definitions.Problems) definitions.Problems {
	for i, p := range problems {
		var id *services.IdentityError
		switch {
		case errors.As(p.Cause, &id) && id.Want != "":
			problems[i].Message = fmt.Sprintf(translate(lang, "def.idchanged"), id.Want)
		case errors.As(p.Cause, &id):
			problems[i].Message = fmt.Sprintf(translate(lang, "def.exists"), id.ID)
		case errors.Is(p.Cause, definitions.ErrTooLarge):
			problems[i].Message = translate(lang, "def.toolarge")
		case p.Translations[lang] != "":
			problems[i].Message = p.Translations[lang]
		}
	}
	return problems
}

// intent is what the editor at c publishes: a version of the definition
// it was opened on, or a new one.
func intent(c *gin.Context) services.Intent {
	return services.Intent{Of: c.Param("id"), New: c.Param("id") == ""}
}

// definitionPublish compiles the editor's text and publishes it as the next
// version; with problems the editor comes back with the text and the
// problems beside it.
func (u *UI) definitionPublish(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	ctx := c.Request.Context()
	lang := language(c)
	id := c.Param("id")
	page := editorPage{Action: "/definitions/publish"}
	if id != "" {
		var err error
		if page, err = u.editor(c, id); err != nil {
			u.fail(c, err)
			return
		}
	}
	page.Source = source(c)
	pub, err := u.Services.PublishDefinition(ctx, me(c), []byte(page.Source), intent(c))
	v, created := pub.Version, pub.Created
	var problems definitions.Problems
	if errors.As(err, &problems) {
		page.Problems = worded(lang, problems)
		title := translate(lang, "def.new")
		if page.Latest != nil {
			title = page.Latest.Title
		}
		u.render(c, http.StatusUnprocessableEntity, "definition", title, page)
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	q := url.Values{"published": {strconv.Itoa(v.Version)}}
	if !created {
		q.Set("unchanged", "true")
	}
	c.Redirect(http.StatusSeeOther, "/definitions/"+url.PathEscape(v.DefinitionID)+"?"+q.Encode())
}

type validation struct {
	Valid    bool                  `json:"valid"`
	Problems []definitions.Problem `json:"problems"`
	// Warnings are what compiles but is likely not meant.
	Warnings []definitions.Problem `json:"warnings"`
	Diagram  string                `json:"diagram,omitempty"`
}

// definitionValidate checks the editor's text as the analyst types and
// answers with the problems, or the diagram when there are none. The
// session checked the form's CSRF token; a token in X-CSRF-Token must match
// as well.
func (u *UI) definitionValidate(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	if h := c.GetHeader("X-CSRF-Token"); h != "" &&
		subtle.ConstantTimeCompare([]byte(h), []byte(csrfToken(c.GetString(tokenKey)))) != 1 {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	plan, problems, err := u.check(c, services.Intent{DryRun: true})
	if err != nil {
		u.fail(c, err)
		return
	}
	out := validation{Valid: plan != nil, Problems: problems, Warnings: []definitions.Problem{}}
	if plan != nil && plan.Warnings != nil {
		out.Warnings = worded(language(c), plan.Warnings)
	}
	if out.Problems == nil {
		out.Problems = []definitions.Problem{}
	}
	if plan != nil {
		out.Diagram = diagram.Render(plan)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

type versionPage struct {
	Version services.Version
	Lines   []string
	Diagram string
}

// definitionVersion shows one version, read-only, with its diagram.
func (u *UI) definitionVersion(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		u.fail(c, refusal.ErrNotFound)
		return
	}
	v, err := u.Services.DefinitionVersion(c.Request.Context(), me(c), c.Param("id"), n)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "defversion", fmt.Sprintf("%s v%d", v.Title, v.Version),
		versionPage{Version: v, Lines: splitLines(v.Source), Diagram: diagram.Render(v.Plan)})
}

type diffPage struct {
	From, To       services.Version
	Versions       []services.Version
	Lines          []diffLine
	Added, Removed int
}

// definitionDiff shows the lines that changed between two versions; by
// default the latest against the one before it.
func (u *UI) definitionDiff(c *gin.Context) {
	if !u.mayDefine(c) {
		return
	}
	from, err := versionParam(c.Query("from"))
	if err != nil {
		u.fail(c, err)
		return
	}
	to, err := versionParam(c.Query("to"))
	if err != nil {
		u.fail(c, err)
		return
	}
	pair, err := u.Services.CompareVersions(c.Request.Context(), me(c), c.Param("id"), from, to)
	if err != nil {
		u.fail(c, err)
		return
	}
	page := diffPage{From: pair.From, To: pair.To, Versions: pair.Versions}
	page.Lines = diffLines(splitLines(page.From.Source), splitLines(page.To.Source))
	for _, l := range page.Lines {
		switch l.Op {
		case diffInsert:
			page.Added++
		case diffDelete:
			page.Removed++
		}
	}
	u.render(c, http.StatusOK, "defdiff", translate(language(c), "def.diff")+" · "+page.To.Title, page)
}

// versionParam reads a version number from the query, 0 (the default)
// when there is none.
func versionParam(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, refusal.ErrNotFound
	}
	return n, nil
}
