package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every language has every text, and every text the pages and the code ask
// for exists: a key added to one language only, or misspelt where it is
// used, fails here instead of showing its name to a user.
func TestEveryTextExistsInEveryLanguage(t *testing.T) {
	langs := make([]string, 0, len(messages))
	for lang := range messages {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	require.Equal(t, []string{"en", "ru"}, langs)
	for _, a := range langs {
		for _, b := range langs {
			for key := range messages[a] {
				_, ok := messages[b][key]
				require.True(t, ok, "%q is in %s but not in %s", key, a, b)
			}
		}
	}

	used := map[string]string{}
	literal := regexp.MustCompile(`\bt (?:\.Lang|\$lang|\$\.Lang) "([^"]+)"|\btranslate\([^,()]+(?:\([^()]*\))?, "([^"]+)"\)`)
	for _, root := range []string{"templates", "."} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() && path != root || !(strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".go")) || strings.HasSuffix(path, "_test.go") {
				if d != nil && d.IsDir() && path != root {
					return fs.SkipDir
				}
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
				key := m[1] + m[2]
				used[key] = path
			}
			return nil
		})
		require.NoError(t, err)
	}
	require.Greater(t, len(used), 100, "the pages' and the code's texts are all found")
	for key, where := range used {
		for _, lang := range langs {
			_, ok := messages[lang][key]
			require.True(t, ok, "%s asks for %q, which %s does not have", where, key, lang)
		}
	}
}
