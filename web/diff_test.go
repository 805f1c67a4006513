package web

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// show writes a diff one line each: "  x" kept, "- x" removed, "+ x" added,
// with the old and new line numbers.
func show(d []diffLine) []string {
	out := make([]string, len(d))
	for i, l := range d {
		mark := " "
		switch l.Op {
		case diffDelete:
			mark = "-"
		case diffInsert:
			mark = "+"
		}
		out[i] = strings.Join([]string{mark, itoa(l.Old), itoa(l.New), l.Text}, " ")
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "."
	}
	return string(rune('0' + n%10))
}

func TestDiffLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
		want []string
	}{
		{"equal", "a\nb\nc\n", "a\nb\nc\n", []string{"  1 1 a", "  2 2 b", "  3 3 c"}},
		{"both empty", "", "", []string{}},
		{"old empty", "", "a\nb", []string{"+ . 1 a", "+ . 2 b"}},
		{"new empty", "a\nb\n", "", []string{"- 1 . a", "- 2 . b"}},
		{"insert in the middle", "a\nc", "a\nb\nc", []string{"  1 1 a", "+ . 2 b", "  2 3 c"}},
		{"insert at both ends", "b", "a\nb\nc", []string{"+ . 1 a", "  1 2 b", "+ . 3 c"}},
		{"delete", "a\nb\nc\nd", "a\nd", []string{"  1 1 a", "- 2 . b", "- 3 . c", "  4 2 d"}},
		{"replace one line", "id: x\ndue: 2d\nend", "id: x\ndue: 3d\nend",
			[]string{"  1 1 id: x", "- 2 . due: 2d", "+ . 2 due: 3d", "  3 3 end"}},
		{"replace all", "a\nb", "c\nd", []string{"- 1 . a", "- 2 . b", "+ . 1 c", "+ . 2 d"}},
		{"mixed", "a\nb\nc\nd\ne", "a\nx\nc\ne\nf",
			[]string{"  1 1 a", "- 2 . b", "+ . 2 x", "  3 3 c", "- 4 . d", "  5 4 e", "+ . 5 f"}},
		{"repeated lines", "a\na\nb", "a\nb\na\nb", []string{"  1 1 a", "+ . 2 b", "  2 3 a", "  3 4 b"}},
		{"windows line ends", "a\r\nb\r\n", "a\nb\n", []string{"  1 1 a", "  2 2 b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffLines(splitLines(tc.a), splitLines(tc.b))
			require.Equal(t, tc.want, show(got))
			checkDiff(t, splitLines(tc.a), splitLines(tc.b), got)
		})
	}
}

// checkDiff verifies that a diff rebuilds both texts and numbers their lines.
func checkDiff(t *testing.T, a, b []string, d []diffLine) {
	t.Helper()
	var old, nw []string
	for _, l := range d {
		if l.Op != diffInsert {
			old = append(old, l.Text)
			require.Equal(t, len(old), l.Old)
		}
		if l.Op != diffDelete {
			nw = append(nw, l.Text)
			require.Equal(t, len(nw), l.New)
		}
	}
	require.Equal(t, len(a), len(old))
	require.Equal(t, len(b), len(nw))
	for i := range a {
		require.Equal(t, a[i], old[i])
	}
	for i := range b {
		require.Equal(t, b[i], nw[i])
	}
}

func TestDiffIsMinimal(t *testing.T) {
	a := splitLines("1\n2\n3\n4\n5\n6\n7\n8\n9")
	b := splitLines("0\n1\n2\n4\n5\nx\n6\n7\n9\ny")
	d := diffLines(a, b)
	checkDiff(t, a, b, d)
	kept := 0
	for _, l := range d {
		if l.Op == diffEqual {
			kept++
		}
	}
	require.Equal(t, 7, kept, "the longest common subsequence 1 2 4 5 6 7 9")
}

func TestDiffTooLargeStaysCorrect(t *testing.T) {
	var a, b []string
	for i := range 5000 {
		a = append(a, "a"+strings.Repeat("x", i%7))
		b = append(b, "b"+strings.Repeat("x", i%7))
	}
	a = append([]string{"same"}, a...)
	b = append([]string{"same"}, b...)
	d := diffLines(a, b) // 5000 × 5000 cells: over the bound
	checkDiff(t, a, b, d)
	require.Equal(t, diffEqual, d[0].Op)
	require.Equal(t, diffDelete, d[1].Op)
	require.Equal(t, diffInsert, d[len(d)-1].Op)
}
