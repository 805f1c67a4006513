package definitions_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/conveyorhq/conveyor/definitions"
)

// FuzzCompile feeds arbitrary bytes through parse, validate and compile: it
// must never panic, and must either give a plan or problems with positions.
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
	f.Fuzz(func(t *testing.T, src []byte) {
		plan, err := definitions.Compile(src)
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
		}
	})
}
