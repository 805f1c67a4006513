package definitions_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

// uniqueForm is a definition whose form and variables use property names
// no other definition uses, as dry runs of an attacker's would.
func uniqueForm(i int) []byte {
	var props strings.Builder
	for j := range 20 {
		fmt.Fprintf(&props, "        f%d_%d: {type: string}\n", i, j)
	}
	return fmt.Appendf(nil, `id: unique
title: Unique names
variables:
  type: object
  properties:
    v%d: {type: integer}
start: a
stages:
  a:
    title: A
    assignee: {user: ivan}
    form:
      type: object
      properties:
%s    transitions:
      - when: data.f%d_0 == "x" && vars.v%d > 1
        to: done
      - to: done
ends:
  done: {title: Done}
`, i, props.String(), i, i)
}

func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func TestCompilingDefinitionsWithUniquePropertyNamesKeepsNothingBehind(t *testing.T) {
	compile := func(i int) {
		_, err := definitions.Compile(uniqueForm(i))
		require.NoError(t, err)
	}
	for i := range 20 {
		compile(i) // caches of the libraries fill once
	}
	before := liveHeap()
	for i := 20; i < 1020; i++ {
		compile(i)
	}
	growth := liveHeap() - before
	// Go never frees types made with reflect.StructOf: when each of these
	// made its own, a thousand of them kept about 7 MB alive.
	require.Less(t, growth, int64(2<<20), "the live heap grew by %d bytes", growth)
}
