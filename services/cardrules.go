package services

import (
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/conveyorhq/conveyor/store"
)

// The rules of the client card that every way in (API, web UI) applies.

// documentTypes are the content types a document may have, as
// http.DetectContentType names them from its first bytes: office documents
// (docx, xlsx, odt...) are zip files to it.
var documentTypes = []string{"application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8", "application/zip"}

// validEmail is a basic check of an address: local@domain.tld, no display
// name, no spaces.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return at > 0 && dot > 0 && dot < len(domain)-1
}

// documentName is an uploaded file's name without control characters, at
// most 255 characters, or "document".
func documentName(name string) string {
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name))
	if r := []rune(name); len(r) > 255 {
		name = string(r[:255])
	}
	if name == "" || name == "." || name == ".." || name == "/" {
		return "document"
	}
	return name
}

// downloadHeaders are the response headers of d's download: its type,
// length, an attachment disposition, and no sniffing or rendering of the
// content as a page.
func downloadHeaders(d store.Document) map[string]string {
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.Name})
	if disposition == "" {
		disposition = "attachment"
	}
	return map[string]string{
		"Content-Type":            d.ContentType,
		"Content-Length":          strconv.FormatInt(d.Size, 10),
		"Content-Disposition":     disposition,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"ETag":                    `"` + d.SHA256 + `"`,
	}
}
