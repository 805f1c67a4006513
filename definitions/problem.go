package definitions

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one mistake in a definition, located in its YAML source.
// Path is a JSON pointer into the definition ("/stages/deal/due"), so editors
// and API clients can point at the value even when lines have moved.
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
	// Cause is the reason as a value, for a surface that words it in its
	// own language; set on problems found outside this package.
	Cause error `json:"-"`
	// Translations are Message in other languages, by language.
	Translations map[string]string `json:"translations,omitempty"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message)
}

// Problems is every mistake found in one definition, sorted by position.
// It is an error so callers can return it as one.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sorted orders problems by position and drops exact repeats, which arise when
// two checks look at the same value from different sides.
func (ps Problems) sorted() Problems {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			strings.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(ps, func(a, b Problem) bool {
		return a.Line == b.Line && a.Column == b.Column && a.Path == b.Path && a.Message == b.Message
	})
}
