package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// redirectBack sends the browser back to the page it came from (its
// Referer) when that is a page of this site, and to fallback otherwise: a
// link from another site must not make us redirect there.
func redirectBack(c *gin.Context, fallback string) {
	c.Redirect(http.StatusSeeOther, localPath(c.Request, c.GetHeader("Referer"), fallback))
}

// localPath is the path and query of ref when ref is an address of the
// site r was sent to, else fallback. What it returns is a path only, never
// one a browser would take for another host ("//evil", "/\evil").
func localPath(r *http.Request, ref, fallback string) string {
	u, err := url.Parse(ref)
	if err != nil || u.Opaque != "" || u.User != nil {
		return fallback
	}
	if u.Scheme != "" || u.Host != "" {
		if u.Scheme != "http" && u.Scheme != "https" || u.Host != r.Host {
			return fallback
		}
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, `/\`) {
		return fallback
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path
}
