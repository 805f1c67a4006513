package web

import "strings"

// diffOp says what happened to one line between two texts.
type diffOp int

const (
	diffEqual  diffOp = iota // in both
	diffDelete               // only in the old text
	diffInsert               // only in the new text
)

// diffLine is one line of a line diff. Old and New are 1-based line numbers
// in the old and the new text, 0 where the line is not there.
type diffLine struct {
	Op       diffOp
	Old, New int
	Text     string
}

func (d diffLine) Added() bool   { return d.Op == diffInsert }
func (d diffLine) Removed() bool { return d.Op == diffDelete }

// maxDiffCells bounds the LCS table (rows × columns of the part that differs);
// beyond it the differing middle is shown as removed then added, which is
// still a correct diff, only not a minimal one.
const maxDiffCells = 16 << 20

// splitLines splits a text into lines without their ends; "" has no lines
// and a final newline does not start another one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffLines is a line diff of a and b by their longest common subsequence.
// Within a changed block the removed lines come before the added ones.
func diffLines(a, b []string) []diffLine {
	out := make([]diffLine, 0, max(len(a), len(b)))
	// The common head and tail need no table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	for i := 0; i < pre; i++ {
		out = append(out, diffLine{Op: diffEqual, Old: i + 1, New: i + 1, Text: a[i]})
	}
	out = append(out, diffMiddle(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for k := suf; k > 0; k-- {
		i, j := len(a)-k, len(b)-k
		out = append(out, diffLine{Op: diffEqual, Old: i + 1, New: j + 1, Text: a[i]})
	}
	return out
}

// diffMiddle diffs a and b, which start after offA and offB lines of their
// texts.
func diffMiddle(a, b []string, offA, offB int) []diffLine {
	n, m := len(a), len(b)
	var out []diffLine
	del := func(i int) { out = append(out, diffLine{Op: diffDelete, Old: offA + i + 1, Text: a[i]}) }
	ins := func(j int) { out = append(out, diffLine{Op: diffInsert, New: offB + j + 1, Text: b[j]}) }
	if n == 0 || m == 0 || n*m > maxDiffCells {
		for i := range a {
			del(i)
		}
		for j := range b {
			ins(j)
		}
		return out
	}
	// lcs[i*(m+1)+j] is the length of the longest common subsequence of
	// a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{Op: diffEqual, Old: offA + i + 1, New: offB + j + 1, Text: a[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			del(i)
			i++
		default:
			ins(j)
			j++
		}
	}
	for ; i < n; i++ {
		del(i)
	}
	for ; j < m; j++ {
		ins(j)
	}
	return out
}
