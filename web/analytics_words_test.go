package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The analytics page writes times and sums as people read them, in their
// language.
func TestAnalyticsWritesTimesAndSumsInThePagesLanguage(t *testing.T) {
	for _, c := range []struct {
		lang    string
		seconds float64
		want    string
	}{
		{"en", 0, "—"},
		{"en", 20, "1 min"},
		{"ru", 25 * 60, "25 мин"},
		{"en", 5400, "1.5 h"},
		{"ru", 5400, "1,5 ч"},
		{"en", 3 * 86400, "3.0 d"},
		{"ru", 3.5 * 86400, "3,5 дн."},
	} {
		require.Equal(t, c.want, spanIn(c.lang, c.seconds), "%s %v", c.lang, c.seconds)
	}
	require.Equal(t, "1 234 567", money(1234567))
	require.Equal(t, "900", money(900))
	require.Equal(t, "12 000.5", money(12000.5))
	require.Equal(t, "−1 500", money(-1500))
}
