package limits_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/refusal"
)

func TestAFieldRefusesWhatTheDatabaseWouldOrWhatIsUnbounded(t *testing.T) {
	name := limits.Field{Required: true, Max: 5}
	for _, tc := range []struct {
		name  string
		field limits.Field
		value string
		want  string // the message; "" fits
	}{
		{"a fitting value", name, "Acme", ""},
		{"five characters in any script", name, "Ромаш", ""},
		{"a missing required value", name, "", "required"},
		{"an empty optional value, whatever the minimum", limits.Field{Min: 3, Max: 5}, "", ""},
		{"one character too many", name, "Ромашк", "must be at most 5 characters"},
		{"a NUL", name, "a\x00b", "must not contain control characters or invalid UTF-8"},
		{"a line break in a line", name, "a\nb", "must not contain control characters or invalid UTF-8"},
		{"a line break in a text", limits.Field{Max: 5, Multiline: true}, "a\nb", ""},
		{"a NUL in a text", limits.Field{Max: 5, Multiline: true}, "a\x00b", "must not contain control characters or invalid UTF-8"},
		{"bytes that are not UTF-8", name, "a\xffb", "must not contain control characters or invalid UTF-8"},
		{"anything in a password being checked", limits.Field{Max: 5, Secret: true}, "a\x00\xff", ""},
		{"a short new password", limits.NewPassword, "123456789", "must be at least 10 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.field.Check("/name", tc.value)
			if tc.want == "" {
				require.Nil(t, v)
				return
			}
			require.NotNil(t, v)
			require.Equal(t, tc.want, v.Message())
			require.Equal(t, "/name: "+tc.want, v.Error())
			require.True(t, errors.Is(v, refusal.ErrInvalid))
		})
	}
}

// Indexed values stay under PostgreSQL's B-tree entry size (about 2,700
// bytes) even at four bytes a character.
func TestIndexedFieldsFitTheirIndexInAnyScript(t *testing.T) {
	require.Less(t, 4*limits.ClientName.Max, 2700)
	require.Nil(t, limits.ClientName.Check("/name", strings.Repeat("😀", limits.ClientName.Max)))
}

func TestChecksGatherEveryViolationWithItsPath(t *testing.T) {
	var c limits.Checks
	name, ok := "x\x00", "fine"
	c.Add(limits.ClientName, "/name", &name)
	c.Add(limits.ClientName, "/other", &ok)
	c.Add(limits.ClientName, "/absent", nil)
	c.AddEach(limits.Key, "/segments", &[]string{"msk", "", strings.Repeat("a", 64)})
	var paths []string
	for _, v := range c {
		paths = append(paths, v.Path)
	}
	require.Equal(t, []string{"/name", "/segments/1", "/segments/2"}, paths)
}
