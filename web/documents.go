package web

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// documentPost stores the uploaded file as it arrives (see
// services.UploadDocument).
func (u *UI) documentPost(c *gin.Context) {
	lang := language(c)
	refuse := func(msg string) { u.refuseCard(c, "documents", nil, fieldErrors{"file": msg}, nil, nil) }
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, services.MaxUploadBody)
	parts, err := c.Request.MultipartReader()
	if err != nil {
		refuse(translate(lang, "cl.e.file"))
		return
	}
	if !uploadCSRF(c, parts) {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	f, err := parts.NextPart()
	if err != nil || f.FormName() != "file" {
		refuse(translate(lang, "cl.e.file"))
		return
	}
	defer f.Close()
	_, err = u.Services.UploadDocument(c.Request.Context(), me(c), c.Param("id"), f.FileName(), f)
	var doc *services.DocumentError
	switch {
	case errors.As(err, &doc):
		refuse(documentText(lang, doc))
	case err != nil:
		u.fail(c, err)
	default:
		saved(c, "documents")
	}
}

// documentGet streams a document's content as the store reads it; a
// failure once it has begun can only cut it short.
func (u *UI) documentGet(c *gin.Context) {
	started, err := u.Services.DownloadDocument(c.Request.Context(), me(c), c.Param("id"), c.Param("docId"), c.Writer)
	switch {
	case err != nil && started:
		u.Log.ErrorContext(c.Request.Context(), "document download failed", "document", c.Param("docId"), "error", err)
		c.Abort()
	case err != nil:
		u.fail(c, err)
	}
}

const documentUploadPath = "/clients/:id/documents"

// uploadCSRF reads the upload form's first part, which must be the session's
// CSRF token (the form puts it before the file).
func uploadCSRF(c *gin.Context, parts *multipart.Reader) bool {
	p, err := parts.NextPart()
	if err != nil || p.FormName() != "csrf" {
		return false
	}
	defer p.Close()
	token, err := io.ReadAll(io.LimitReader(p, 256))
	want := csrfToken(c.GetString(tokenKey))
	return err == nil && subtle.ConstantTimeCompare(token, []byte(want)) == 1
}
