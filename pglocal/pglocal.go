// Package pglocal runs a private PostgreSQL server as a child process: a
// throwaway one for tests, or a persistent one for `conveyor dev`.
//
// The server is started with `postgres` directly rather than via pg_ctl so
// that it is our child and dies with us (see startProcess).
package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Options configures Start.
type Options struct {
	// Dir is the data directory. It is created and initialised (initdb) if it
	// holds no cluster yet; an existing cluster is reused.
	Dir string
	// Port to listen on (127.0.0.1 only). 0 picks a free one.
	Port int
	// Durable keeps PostgreSQL's crash safety. When false (tests), fsync,
	// synchronous_commit and full_page_writes are off: much faster, but a
	// crash of postgres loses the last commits and a machine crash can
	// corrupt the cluster.
	Durable bool
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running server started by Start.
type Cluster struct {
	dir    string
	port   int
	log    *slog.Logger
	cmd    *exec.Cmd
	exited chan struct{} // closed when the postgres process has exited
	err    error         // wait result, valid once exited is closed

	stopOnce sync.Once
	stopErr  error
}

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	portAttempts = 5
)

// pickPort is a variable so tests can simulate losing the port race.
var pickPort = freePort

// Start initialises opts.Dir if needed and runs postgres on it, returning once
// the server accepts connections. ctx bounds only the startup; stop the
// server with Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Dir == "" {
		return nil, errors.New("pglocal: Options.Dir is required")
	}
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	as, err := serverUser()
	if err != nil {
		return nil, err
	}
	// Absolute because the children run with Dir as working directory;
	// symlink-free because we compare it with /proc/*/cwd.
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	// First make sure no earlier server still works in the directory (one
	// whose owner was just killed may be finishing its shutdown), before
	// touching anything in it.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if err := clearStalePidFile(real); err != nil {
			return nil, err
		}
	}
	if err := prepareDir(dir, as); err != nil {
		return nil, err
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}

	logPath := filepath.Join(dir, "postgres.log")
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		if err := initdb(ctx, log, bin, dir, logPath, as, opts.Durable); err != nil {
			return nil, err
		}
	}

	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = pickPort(); err != nil {
				return nil, err
			}
		}
		c, err := start(ctx, log, bin, dir, logPath, port, as, opts.Durable)
		if err == nil {
			return c, nil
		}
		// Lost the race for the port picked by freePort: pick another one.
		if opts.Port == 0 && attempt < portAttempts && strings.Contains(err.Error(), "already in use") {
			log.Info("port taken, retrying", "port", port)
			continue
		}
		return nil, err
	}
}

// initdb creates the cluster. Its output goes to the log only afterwards:
// initdb insists on an empty directory, so the log file cannot exist yet.
func initdb(ctx context.Context, log *slog.Logger, bin, dir, logPath string, as *runAs, durable bool) error {
	log.Info("initialising PostgreSQL cluster", "dir", dir)
	args := []string{"-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"}
	if !durable {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Working directory inside dir: initdb fails when it cannot getcwd(),
	// which happens as the postgres user in e.g. /root.
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as.credential(), Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	if err != nil {
		return fmt.Errorf("pglocal: initdb %s: %w\n%s", dir, err, strings.TrimSpace(out.String()))
	}
	f, err := openLog(logPath, as)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(out.Bytes())
	return err
}

func openLog(path string, as *runAs) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	if as != nil {
		// Keep the whole data directory owned by the server user.
		_ = f.Chown(int(as.uid), int(as.gid))
	}
	return f, nil
}

// start runs postgres once on port and waits until it accepts connections.
func start(ctx context.Context, log *slog.Logger, bin, dir, logPath string, port int, as *runAs, durable bool) (*Cluster, error) {
	logFile, err := openLog(logPath, as)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child keeps its own descriptor
	st, err := logFile.Stat()
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	logStart := st.Size()

	args := []string{"-D", dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		// TCP only: no socket file to clash with a system server or to
		// outlive us in /var/run/postgresql.
		"-c", "unix_socket_directories="}
	if !durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: as.credential(),
		// SIGINT = fast shutdown when we die, even by SIGKILL.
		Pdeathsig: syscall.SIGINT,
		// Own process group: a terminal Ctrl-C must reach us first, so the
		// server is stopped in order rather than from under running code.
		Setpgid: true,
	}

	c := &Cluster{dir: dir, port: port, log: log, cmd: cmd, exited: make(chan struct{})}
	if err := startProcess(c); err != nil {
		return nil, fmt.Errorf("pglocal: starting postgres: %w", err)
	}
	log.Info("starting postgres", "pid", cmd.Process.Pid, "port", port, "dir", dir)

	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop()
		if tail := logTail(logPath, logStart, 4096); tail != "" {
			err = fmt.Errorf("%w\n--- %s ---\n%s", err, logPath, tail)
		}
		return nil, err
	}
	log.Info("postgres ready", "port", port)
	return c, nil
}

// startProcess starts c.cmd from a goroutine locked to its OS thread until
// the process exits. Pdeathsig fires when the *thread* that forked the child
// exits (go.dev/issue/27505), not the process; the Go runtime may retire
// ordinary threads, which would kill the server at a random moment.
func startProcess(c *Cluster) error {
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := c.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	return <-started
}

// waitReady polls until a connection succeeds, the child exits, or time runs out.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	// Abort a pending attempt as soon as the child dies: when another
	// program holds the port, the attempt would otherwise hang talking to it.
	attemptsCtx, cancelAttempts := context.WithCancel(ctx)
	defer cancelAttempts()
	go func() {
		select {
		case <-c.exited:
			cancelAttempts()
		case <-attemptsCtx.Done():
		}
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attemptCtx, cancelAttempt := context.WithTimeout(attemptsCtx, time.Second)
		conn, err := pgx.Connect(attemptCtx, c.DSN("postgres"))
		cancelAttempt()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			return fmt.Errorf("pglocal: postgres exited during startup (%v)", c.err)
		case <-ctx.Done():
			return fmt.Errorf("pglocal: postgres not accepting connections on port %d after %v: %w (last error: %v)", c.port, startTimeout, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// DSN returns a URL connecting to dbname as the superuser "postgres".
func (c *Cluster) DSN(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, url.PathEscape(dbname))
}

// Port returns the TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Stop shuts the server down (fast shutdown: open transactions are rolled
// back) and waits for it to exit, killing it after 30 s. It is safe to call
// more than once.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
	return c.stopErr
}

func (c *Cluster) stop() error {
	select {
	case <-c.exited:
		return fmt.Errorf("pglocal: postgres had already exited: %v", c.err)
	default:
	}
	pid := c.cmd.Process.Pid
	c.log.Info("stopping postgres", "pid", pid)
	_ = syscall.Kill(pid, syscall.SIGINT)
	select {
	case <-c.exited:
		if c.err != nil {
			return fmt.Errorf("pglocal: postgres exited with %v", c.err)
		}
		return nil
	case <-time.After(stopTimeout):
	}
	// Kill the whole group so no backend keeps the data directory busy.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-c.exited
	return fmt.Errorf("pglocal: postgres (pid %d) did not stop within %v; killed", pid, stopTimeout)
}

// CreateDatabase creates the database name unless it already exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	// A concurrent caller may have won the race since our check.
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("pglocal: creating database %q: %w", name, err)
	}
	return nil
}
