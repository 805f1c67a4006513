package definitions_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

// laughs is "billion laughs": ten levels of ten aliases, each level ten
// times the last, 10^10 values from under a kilobyte.
func laughs() []byte {
	var b strings.Builder
	b.WriteString("id: lol\ntitle: lol\na0: &a0 [x,x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return []byte(b.String())
}

func staircase(levels int) []byte {
	var b strings.Builder
	for i := range levels {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return []byte(b.String())
}

func aliasChain(links int) []byte {
	var b strings.Builder
	b.WriteString("a0: &a0 [x]\n")
	for i := 1; i < links; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d]\n", i, i, i-1)
	}
	return []byte(b.String())
}

func TestHostileYAMLIsRefusedAtThePlaceItGoesTooFar(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  []byte
		want string // the first problem
	}{
		{"a definition over 2 MiB is refused before it is read",
			[]byte("id: x\n" + strings.Repeat("#", definitions.MaxDefinitionBytes)),
			"1:1: the definition is 2097158 bytes: at most 2097152 (2 MiB) are allowed"},
		{"a hundred thousand open brackets stop at the 65th",
			[]byte(strings.Repeat("[", 100_000)), "1:65: the YAML nests deeper than 64 levels here"},
		{"ten thousand closed brackets stop at the 65th",
			[]byte(strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)), "1:65: the YAML nests deeper than 64 levels here"},
		{"flow mappings count as brackets do",
			[]byte(strings.Repeat("{a: ", 70) + "1" + strings.Repeat("}", 70)), "1:257: the YAML nests deeper than 64 levels here"},
		{"indentation 65 levels deep stops at its 65th line",
			staircase(70), "65:65: the YAML nests deeper than 64 levels here"},
		{"dashes on one line are nested sequences",
			[]byte(strings.Repeat("- ", 70) + "x\n"), "1:129: the YAML nests deeper than 64 levels here"},
		{"billion laughs stops at the alias that expands too far",
			laughs(), "7:38: alias *a3 expands the definition beyond 100000 YAML values"},
		{"a chain of aliases nests as deep as its links",
			aliasChain(70), "64:12: alias *a62 nests the definition deeper than 64 levels"},
		{"a hundred thousand values are too many tokens",
			[]byte("[" + strings.Repeat("a,", 100_000) + "]"), "1:199999: the definition is too large: more than 100000 YAML tokens (keys, values, brackets, commas)"},
		{"brackets a misread quote hides are still counted",
			[]byte("a: x\n  'y\n" + strings.Repeat("[", 2000)), "3:1001: the YAML nests too deeply: more than 1000 brackets and dashes are open here, counting those inside strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := definitions.Validate(tc.src)
			require.NotEmpty(t, problems)
			require.Contains(t, problems.Error(), tc.want)
		})
	}
}

func TestTextThatOnlyLooksDeepIsNotRefused(t *testing.T) {
	deep := strings.Repeat("[", 70)
	for _, tc := range []struct{ name, title string }{
		{"brackets in double quotes", `"` + deep + `"`},
		{"brackets in single quotes", `'it''s ` + deep + `'`},
		{"brackets in a comment", `x # ` + deep},
		{"brackets in a literal block", "|\n    " + deep + "\n      " + deep},
		{"brackets in a folded block with indentation given", ">2\n     " + deep},
		{"brackets inside a plain scalar", "a " + deep},
		{"a quoted string over several lines", "\"a\n    " + deep + "\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(validDefinition, "title: Valid", "title: "+tc.title, 1)
			require.Empty(t, definitions.Validate([]byte(src)))
		})
	}
}

const validDefinition = `id: valid
title: Valid
start: a
stages:
  a:
    title: A
    assignee: {user: ivan}
    transitions:
      - to: done
ends:
  done: {title: Done}
`

// The parser keeps aliases as references; the decoder counts what they
// expand to. A refused bomb must cost a few megabytes, not gigabytes.
func TestBillionLaughsCostsLittleMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	problems := definitions.Validate(laughs())
	runtime.ReadMemStats(&after)
	require.Contains(t, problems.Error(), "alias *a3 expands the definition beyond 100000 YAML values")
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20))
}
