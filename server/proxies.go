package server

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// retryAfter is the value of a Retry-After header for d: whole seconds,
// rounded up, at least 1.
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// trustProxies makes r read client addresses from X-Forwarded-For only on
// connections from s.TrustedProxies (none by default: then the address is
// the connection's, which a client cannot forge). A list gin cannot parse
// trusts nobody rather than everybody; ParseTrustedProxies checks it at
// start-up.
func (s *Server) trustProxies(r *gin.Engine) {
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		s.Log.Error("trusted proxies refused: trusting none", slog.Any("error", err))
		_ = r.SetTrustedProxies(nil)
	}
}

// ParseTrustedProxies reads a comma-separated list of proxy addresses or
// CIDR ranges (CONVEYOR_TRUSTED_PROXIES), such as "10.0.0.0/8, 192.0.2.7".
func ParseTrustedProxies(list string) ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
