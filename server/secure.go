package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// secureTransport is for a server behind a proxy that terminates TLS: the
// request reaches us over plain HTTP, so nothing here can tell that the
// browser's connection is secure. Every cookie the site sets (the session,
// the sign-in form's CSRF token, the language) is marked Secure in this one
// place, whoever sets it, and browsers are told to use HTTPS only (HSTS).
func secureTransport(c *gin.Context) {
	c.Header("Strict-Transport-Security", "max-age=31536000")
	w := &secureCookies{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	w.mark() // a response with no body is written after the handlers return
}

// secureCookies marks the cookies of a response Secure before its header
// is written.
type secureCookies struct{ gin.ResponseWriter }

func (w *secureCookies) mark() {
	cookies := w.Header()["Set-Cookie"]
	for i, v := range cookies {
		if !strings.Contains(strings.ToLower(v), "; secure") {
			cookies[i] = v + "; Secure"
		}
	}
}

func (w *secureCookies) WriteHeader(code int) { w.mark(); w.ResponseWriter.WriteHeader(code) }

func (w *secureCookies) WriteHeaderNow() { w.mark(); w.ResponseWriter.WriteHeaderNow() }

func (w *secureCookies) Write(b []byte) (int, error) { w.mark(); return w.ResponseWriter.Write(b) }

func (w *secureCookies) WriteString(s string) (int, error) {
	w.mark()
	return w.ResponseWriter.WriteString(s)
}

func (w *secureCookies) Flush() { w.mark(); w.ResponseWriter.Flush() }

var _ http.Flusher = (*secureCookies)(nil)
