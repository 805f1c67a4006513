package pglocal

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// tempDir returns a fresh directory for a cluster. Not t.TempDir: as root the
// server runs as the postgres user, which cannot enter t.TempDir's 0700
// parent; os.MkdirTemp's parent is /tmp.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pglocal-test-")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, os.RemoveAll(dir)) })
	return dir
}

// startT starts a cluster stopped at the end of the test (registered after
// tempDir's cleanup, so it runs before the directory is removed).
func startT(t *testing.T, opts Options) *Cluster {
	t.Helper()
	c, err := Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop() })
	return c
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestStartStopRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	c := startT(t, Options{Dir: dir, Durable: true})
	require.NotZero(t, c.Port())
	require.Equal(t, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/app?sslmode=disable", c.Port()), c.DSN("app"))
	require.FileExists(t, filepath.Join(dir, "PG_VERSION"))
	require.FileExists(t, filepath.Join(dir, "postgres.log"))

	ctx := t.Context()
	require.NoError(t, c.CreateDatabase(ctx, "app"))
	require.NoError(t, c.CreateDatabase(ctx, "app"), "CreateDatabase must be idempotent")

	conn := connect(t, c.DSN("app"))
	var fsync string
	require.NoError(t, conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync))
	require.Equal(t, "on", fsync, "Durable cluster must keep fsync on")
	_, err := conn.Exec(ctx, "CREATE TABLE kv (k text PRIMARY KEY, v text); INSERT INTO kv VALUES ('hello', 'world')")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))

	require.NoError(t, c.Stop())
	require.NoError(t, c.Stop(), "Stop must be idempotent")
	require.NoFileExists(t, filepath.Join(dir, "postmaster.pid"), "clean shutdown removes the pid file")

	c2 := startT(t, Options{Dir: dir}) // reuses the existing cluster, no initdb
	conn2 := connect(t, c2.DSN("app"))
	var v string
	require.NoError(t, conn2.QueryRow(ctx, "SELECT v FROM kv WHERE k = 'hello'").Scan(&v))
	require.Equal(t, "world", v)
	require.NoError(t, conn2.QueryRow(ctx, "SHOW fsync").Scan(&fsync))
	require.Equal(t, "off", fsync, "non-durable cluster must run with fsync off")
}

func TestStalePidFileIsRemoved(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	c := startT(t, Options{Dir: dir})
	require.NoError(t, c.Stop())

	// A pid that certainly belongs to no running process.
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	pidFile := filepath.Join(dir, "postmaster.pid")
	require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(dead.Process.Pid)+"\n"+dir+"\n"), 0o600))

	c2 := startT(t, Options{Dir: dir})
	var one int
	require.NoError(t, connect(t, c2.DSN("postgres")).QueryRow(t.Context(), "SELECT 1").Scan(&one))
	require.Equal(t, 1, one)
}

func TestRestartAfterKill9(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	// Durable: with synchronous_commit=off the last commits may still sit in
	// shared memory when the server dies, and vanish.
	c := startT(t, Options{Dir: dir, Durable: true})
	conn := connect(t, c.DSN("postgres"))
	_, err := conn.Exec(t.Context(), "CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
	require.NoError(t, err)

	// Kill only the postmaster, as an OOM killer would: the pid file stays
	// and its children must notice and go away before we may restart.
	require.NoError(t, c.cmd.Process.Kill())
	<-c.exited
	require.FileExists(t, filepath.Join(dir, "postmaster.pid"))

	c2 := startT(t, Options{Dir: dir, Durable: true})
	var x int
	require.NoError(t, connect(t, c2.DSN("postgres")).QueryRow(t.Context(), "SELECT x FROM t").Scan(&x))
	require.Equal(t, 42, x, "committed data survives a crash (recovery replays the WAL)")
}

func TestDirInUseByLiveServer(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	c := startT(t, Options{Dir: dir})

	_, err := Start(t.Context(), Options{Dir: dir})
	require.Error(t, err)
	require.Contains(t, err.Error(), fmt.Sprintf("pid %d", c.cmd.Process.Pid))

	// The refused second start must not have disturbed the running server.
	require.NoError(t, connect(t, c.DSN("postgres")).Ping(t.Context()))
}

func TestPortInUseReportsLog(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	began := time.Now()
	_, err = Start(t.Context(), Options{Dir: tempDir(t), Port: port})
	require.Error(t, err)
	require.Contains(t, err.Error(), "exited during startup")
	require.Contains(t, err.Error(), "already in use", "error should carry the tail of postgres.log")
	require.Less(t, time.Since(began), 20*time.Second, "a dead child must not make us wait for the full timeout")
}

func TestPortRaceIsRetried(t *testing.T) {
	// Not parallel: replaces pickPort.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	// Simulate losing the race: the first "free" port is already taken.
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return taken, nil
		}
		return freePort()
	}
	t.Cleanup(func() { pickPort = freePort })

	c := startT(t, Options{Dir: tempDir(t)})
	require.Equal(t, 2, calls)
	require.NotEqual(t, taken, c.Port())
	require.NoError(t, connect(t, c.DSN("postgres")).Ping(t.Context()))
}

func TestUnreachableDirIsExplained(t *testing.T) {
	t.Parallel()
	parent := tempDir(t)
	require.NoError(t, os.Chmod(parent, 0o700))
	// Some other user, as the postgres user is when we run as root.
	other := &runAs{name: "someone", uid: uint32(os.Getuid()) + 4242, gid: uint32(os.Getgid()) + 4242}
	err := prepareDir(filepath.Join(parent, "pg"), other)
	require.Error(t, err)
	require.Contains(t, err.Error(), "cannot reach")
	require.Contains(t, err.Error(), parent)
}

// Without the server binaries, Start says exactly what to install or set.
func TestMissingBinariesAreExplained(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := debianBinDirs
	debianBinDirs = filepath.Join(t.TempDir(), "*", "bin")
	t.Cleanup(func() { debianBinDirs = saved })
	_, err := Start(t.Context(), Options{Dir: filepath.Join(t.TempDir(), "pg")})
	require.ErrorContains(t, err, "apt-get install postgresql")
	require.ErrorContains(t, err, "DATABASE_URL")
}
