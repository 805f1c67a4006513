package identifiers

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// withDigit returns s with the byte at index i replaced by digit d.
func withDigit(s string, i, d int) string {
	b := []byte(s)
	b[i] = byte('0' + d)
	return string(b)
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a clean value is returned unchanged", "7707083893", "7707083893"},
		{"spaces pasted by users are removed", "7707 083 893", "7707083893"},
		{"hyphens are removed", "7707-083-893", "7707083893"},
		{"tabs, no-break spaces and dashes are removed", "7707\t083\u00a08\u20139\u20143", "7707083893"},
		{"letters and other punctuation are kept for validators to report", " 77O7.083893 ", "77O7.083893"},
		{"invalid UTF-8 is kept byte for byte", "12\xff 3", "12\xff3"},
		{"an empty string stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Normalize(tt.in))
		})
	}
}

func TestNormalizedValuesValidate(t *testing.T) {
	require.Error(t, INN("7707 083 893"), "validators are strict")
	require.NoError(t, INN(Normalize("7707 083 893")))
	require.NoError(t, OGRN(Normalize("1-02-77-00-13219-5")))
	require.NoError(t, Account(Normalize("04 45 25 225"), Normalize("30101 810 4 0000 0000225")))
}

func TestErrorsCarryKindAndValue(t *testing.T) {
	err := INN("7707083894")
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "INN", e.Kind)
	require.Equal(t, "7707083894", e.Value)
	require.Equal(t, "check digit is 4, expected 3", e.Reason)
}
