package definitions_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
)

// Bounds on one input of a fuzz target: hostile input must be refused
// cheaply, not only without a panic.
const (
	fuzzMaxTime  = 2 * time.Second
	fuzzMaxAlloc = 256 << 20
)

// fuzzing says the test runs under -fuzz. The time bound holds only then:
// as part of `go test` the seeds run as ordinary tests, on machines of any
// speed, where timing is no assertion.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// withinBounds runs fn and fails the input if it took too long or
// allocated too much.
func withinBounds(t *testing.T, fn func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > fuzzMaxAlloc {
		t.Fatalf("allocated %d MiB", alloc>>20)
	}
	if fuzzing() && took > fuzzMaxTime {
		t.Fatalf("took %v", took)
	}
}

// FuzzCompile feeds arbitrary bytes through parse, validate and compile: it
// must never panic (Compile turns a panic into an internal-error problem,
// which counts as one here), must stay within bounds of time and memory, and
// must either give a plan or problems with positions.
func FuzzCompile(f *testing.F) {
	for _, pattern := range []string{"../examples/*.yaml", "testdata/rules/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	// What an attacker starts from: aliases, depth, expensive expressions.
	f.Add(laughs())
	f.Add(aliasChain(70))
	f.Add(staircase(70))
	f.Add([]byte(strings.Repeat("[", 10_000)))
	f.Add([]byte(strings.Repeat("- ", 100) + "x\n"))
	f.Add([]byte(strings.Replace(validDefinition, "assignee: {user: ivan}",
		`assignee: {expr: 'let s = repeat("x",990000); all(1..900, {len(s+s+s+s+s+s) > 0}) ? "a" : "b"'}`, 1)))
	f.Add([]byte(strings.Replace(validDefinition, "- to: done",
		"- when: 'all(1..900, all(1..900, {# > 0}))'\n        to: done\n      - to: done", 1)))
	f.Fuzz(func(t *testing.T, src []byte) {
		var plan *definitions.Plan
		var err error
		withinBounds(t, func() { plan, err = definitions.Compile(src) })
		if err == nil {
			if plan == nil || plan.Hash == "" {
				t.Fatalf("no error and no sealed plan")
			}
			return
		}
		var problems definitions.Problems
		if !errors.As(err, &problems) || len(problems) == 0 {
			t.Fatalf("error is not a list of problems: %v", err)
		}
		for _, p := range problems {
			if p.Line < 1 || p.Column < 1 || p.Message == "" {
				t.Fatalf("problem without a position or message: %+v", p)
			}
			if strings.HasPrefix(p.Message, "internal error") {
				t.Fatalf("a panic: %s", p.Message)
			}
		}
	})
}

// FuzzRuntime completes a stage of the sales conveyor with arbitrary data:
// CheckData must not panic, and data it accepts must choose a transition
// and enter the next stage without an error.
func FuzzRuntime(f *testing.F) {
	for _, seed := range []struct {
		stage byte
		data  string
	}{
		{0, `{"result":"interested"}`},
		{0, `{"result":"call_back","callBackAt":"2026-12-01T10:00:00+03:00","note":"x"}`},
		{1, `{"result":"won","amount":1200}`},
		{1, `{"result":"next_step","nextStepAt":"2026-12-01T10:00:00Z"}`},
		{1, `{"result":"won","amount":5.0e0}`},
		{1, `{"result":"next_step","amount":1e400}`},
		{2, `{"result":"done"}`},
		{0, `{"result":"refused","extra":1}`},
		{1, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`},
	} {
		f.Add(seed.stage, []byte(seed.data))
	}
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	if err != nil {
		f.Fatal(err)
	}
	plan, err := definitions.Compile(src)
	if err != nil {
		f.Fatal(err)
	}
	r, err := definitions.NewRuntime(plan)
	if err != nil {
		f.Fatal(err)
	}
	stages := []string{"cold_call", "deal", "service"}
	sc := definitions.Scope{Now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Vars: json.RawMessage(`{"source":"website"}`),
		Process: definitions.Process{ID: "p1", Definition: "sales", Version: 1, Assignee: "ivan"}}
	f.Fuzz(func(t *testing.T, pick byte, data []byte) {
		stage := stages[int(pick)%len(stages)]
		withinBounds(t, func() {
			if r.CheckData(stage, data) != nil {
				return
			}
			i, err := r.Choose(stage, data, sc)
			if err != nil {
				t.Fatalf("accepted data chose no transition: %v", err)
			}
			tr := plan.Stages[stage].Transitions[i]
			if tr.ToEnd {
				return
			}
			if _, err := r.Enter(tr.To, stage, &tr, data, sc); err != nil {
				t.Fatalf("accepted data entered no stage: %v", err)
			}
		})
	})
}
