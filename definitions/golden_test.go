package definitions_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
)

var update = flag.Bool("update", false, "rewrite the .golden files from the current output")

// Each testdata/rules/NAME.yaml holds one kind of mistake; NAME.golden lists
// what the validator must report for it, one problem a line.
func TestRulesReportTheirProblemsAtTheirPositions(t *testing.T) {
	files, err := filepath.Glob("testdata/rules/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			got := render(definitions.Validate(src))
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./definitions -update to create it")
			require.NotEmpty(t, strings.TrimSpace(string(want)), "every rule file must produce at least one problem")
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("problems differ (-want +got):\n%s", diff)
			}
		})
	}
}

func render(ps definitions.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		if p.Path != "" {
			b.WriteString("  [" + p.Path + "]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
