package pglocal

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// installHint is appended to "binaries not found" errors so the user knows
// the two ways out without reading our source.
const installHint = "install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; " +
	"macOS: `brew install postgresql`) or set DATABASE_URL to use an existing server"

// debianBinDirs is where Debian and Ubuntu keep the server binaries, one
// directory per major version.
var debianBinDirs = "/usr/lib/postgresql/*/bin"

// findBinDir returns the directory holding both initdb and postgres.
//
// PATH wins so a user can pin a version; otherwise we fall back to the
// Debian/Ubuntu layout, which deliberately keeps the server binaries off PATH.
func findBinDir() (string, error) {
	if p, err := exec.LookPath("postgres"); err == nil {
		// Resolve symlinks (e.g. /usr/local/bin/postgres -> .../15/bin/postgres)
		// so initdb is taken from the same installation as postgres.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if dir := filepath.Dir(p); isExec(filepath.Join(dir, "initdb")) {
			return dir, nil
		}
	}

	dirs, _ := filepath.Glob(debianBinDirs)
	best, bestVer := "", -1.0
	for _, dir := range dirs {
		ver, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err != nil || ver <= bestVer {
			continue
		}
		if isExec(filepath.Join(dir, "postgres")) && isExec(filepath.Join(dir, "initdb")) {
			best, bestVer = dir, ver
		}
	}
	if best == "" {
		return "", errors.New("pglocal: PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin: " + installHint)
	}
	return best, nil
}

func isExec(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// logTail returns up to the last n bytes of the log written since offset,
// trimmed to whole lines, for error messages.
func logTail(path string, offset int64, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	start := max(offset, st.Size()-n)
	buf := make([]byte, st.Size()-start)
	if _, err := f.ReadAt(buf, start); err != nil {
		return ""
	}
	s := string(buf)
	if start > offset {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	return strings.TrimSpace(s)
}
