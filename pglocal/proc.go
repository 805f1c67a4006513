package pglocal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runAs describes the OS user the server runs as. A nil *runAs means "as
// ourselves".
type runAs struct {
	name     string
	uid, gid uint32
	groups   []uint32
}

// serverUser returns who must own and run the cluster. initdb and postgres
// refuse to run as root (a compromised superuser session must not own the
// machine), so as root we drop to the conventional "postgres" account.
func serverUser() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pglocal: running as root, but PostgreSQL refuses to run as root and there is no \"postgres\" OS user to run it as (%v); "+
			"create one (`useradd --system postgres`; the Debian postgresql package does this), run as a non-root user, or set DATABASE_URL", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pglocal: cannot parse uid/gid %q/%q of user postgres", u.Uid, u.Gid)
	}
	r := &runAs{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	ids, _ := u.GroupIds()
	for _, s := range ids {
		if g, err := strconv.ParseUint(s, 10, 32); err == nil {
			r.groups = append(r.groups, uint32(g))
		}
	}
	return r, nil
}

func (r *runAs) credential() *syscall.Credential {
	if r == nil {
		return nil
	}
	return &syscall.Credential{Uid: r.uid, Gid: r.gid, Groups: r.groups}
}

// prepareDir creates dir and, as root, hands it to the server user. Without
// the traversal check, the failure shows up as an obscure "permission denied"
// from initdb deep in its output (typical trap: t.TempDir() parents are 0700).
func prepareDir(dir string, as *runAs) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if as == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if !as.canTraverse(p) {
			return fmt.Errorf("pglocal: user %s cannot reach %s: parent directory %s is not searchable by it "+
				"(chmod o+x it, or put the cluster elsewhere, e.g. under os.MkdirTemp)", as.name, dir, p)
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err == nil {
			err = os.Lchown(path, int(as.uid), int(as.gid))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a file the previous server removed on its way out
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("pglocal: chown %s to %s: %w", dir, as.name, err)
	}
	return nil
}

func (r *runAs) canTraverse(dir string) bool {
	st, err := os.Stat(dir)
	if err != nil {
		return false
	}
	sys := st.Sys().(*syscall.Stat_t)
	mode := st.Mode().Perm()
	switch {
	case sys.Uid == r.uid:
		return mode&0o100 != 0
	case sys.Gid == r.gid || containsID(r.groups, sys.Gid):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// clearStalePidFile deals with postmaster.pid left behind when a previous
// server was SIGKILLed. If its pid is gone, the file is removed; if a
// postgres process still holds the directory, we refuse: two servers on one
// data directory corrupt it.
func clearStalePidFile(dir string) error {
	pidFile := filepath.Join(dir, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	// A postmaster whose owner was just killed (now an orphan of init) has
	// been told to stop by its death signal and is finishing its fast
	// shutdown: give it that time. One with a living owner is refused at once.
	for deadline := time.Now().Add(15 * time.Second); err == nil && pid > 0 && isPostgres(pid); time.Sleep(50 * time.Millisecond) {
		if !orphaned(pid) || time.Now().After(deadline) {
			return fmt.Errorf("pglocal: data directory %s is in use by a running postgres (pid %d); stop it first", dir, pid)
		}
	}
	// The postmaster is dead, but after a kill -9 of it alone its children
	// linger for a moment (they poll for postmaster death) and may still
	// write to the data directory.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		orphan := postgresIn(dir)
		if orphan == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pglocal: data directory %s is still used by postgres process %d (left over from a killed server); kill it first", dir, orphan)
		}
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("pglocal: removing stale %s: %w", pidFile, err)
	}
	return nil
}

// isPostgres reports whether pid is alive and (where /proc tells us) really a
// postgres: after a reboot or in a fresh container the old pid is often
// reused by an unrelated process, which must not block us forever. Zombies
// (killed but not yet reaped, e.g. by a lazy container init) count as dead.
func isPostgres(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // cannot tell: err on the side of not touching the data
	}
	// Format: "pid (comm) state ...", where comm may itself contain ')'.
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open || len(stat) < end+3 {
		return true
	}
	comm, state := string(stat[open+1:end]), stat[end+2]
	return state != 'Z' && (strings.HasPrefix(comm, "postgres") || strings.HasPrefix(comm, "postmaster"))
}

// orphaned reports whether pid's parent is init: its owner has died.
func orphaned(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	end := bytes.LastIndexByte(stat, ')')
	fields := strings.Fields(string(stat[end+1:])) // state, ppid, ...
	return len(fields) > 1 && fields[1] == "1"
}

// postgresIn returns the pid of a postgres process whose working directory
// is dir (every postgres process chdirs into its data directory), or 0.
func postgresIn(dir string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == dir && isPostgres(pid) {
			return pid
		}
	}
	return 0
}

// freePort asks the kernel for an unused port. Another process may grab it
// before postgres binds it; Start retries on "address already in use".
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pglocal: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
