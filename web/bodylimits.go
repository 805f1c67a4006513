package web

import (
	"errors"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/definitions"
)

// What a page's post may send, checked before anything reads the body (left
// to gin, a multipart body would be parsed into 32 MiB of memory, before
// sign-in even): urlencoded forms of a bounded size, and multipart only for
// the document upload, which bounds and spools its own body (documentPost).
const (
	// maxSignInBody fits the sign-in form, the one open to anyone: a login
	// and a password (limits.Login, limits.Password), percent-encoded.
	maxSignInBody = 16 << 10
	// maxFormBody fits the other forms of a few fields, the longest a
	// contact's (5,420 characters, 32 KiB of Cyrillic percent-encoded).
	maxFormBody = 64 << 10
	// maxDataBody is for a completion's data or a process's variables: as
	// much as the API's JSON body takes.
	maxDataBody = 1 << 20
	// maxDefinitionBody fits a definition of definitions.MaxDefinitionBytes
	// percent-encoded (up to three bytes each).
	maxDefinitionBody = 3*definitions.MaxDefinitionBytes + maxFormBody
)

// formBodies are the routes whose posts have another bound than maxFormBody.
var formBodies = map[string]int64{
	"/login":                         maxSignInBody,
	"/work/:id":                      maxDataBody,
	"/clients/:id/start/:definition": maxDataBody,
	"/definitions/validate":          maxDefinitionBody,
	"/definitions/publish":           maxDefinitionBody,
	"/definitions/:id/publish":       maxDefinitionBody,
}

// busyRetryAfter is the Retry-After, in seconds, of a page the database did
// not answer in time.
const busyRetryAfter = "5"

// limitBody refuses a post in another encoding than its form's (415) or
// larger than its route takes (413), and parses an urlencoded one, within
// its bound, for the handlers and the CSRF check.
func limitBody(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	route, lang := c.FullPath(), language(c)
	want := "application/x-www-form-urlencoded"
	if route == documentUploadPath {
		want = "multipart/form-data"
	}
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mediaType != want && c.Request.ContentLength != 0 {
		c.String(http.StatusUnsupportedMediaType, translate(lang, "wrongform"), want)
		c.Abort()
		return
	}
	if route == documentUploadPath {
		c.Next()
		return
	}
	limit, ok := formBodies[route]
	if !ok {
		limit = maxFormBody
	}
	if c.Request.ContentLength > limit {
		c.String(http.StatusRequestEntityTooLarge, translate(lang, "toolarge"))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	if err := c.Request.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			c.String(http.StatusRequestEntityTooLarge, translate(lang, "toolarge"))
		} else {
			c.String(http.StatusBadRequest, translate(lang, "badformbody"))
		}
		c.Abort()
		return
	}
	c.Next()
}
