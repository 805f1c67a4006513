package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/internal/testenv"
)

// The kill -9 test runs `conveyor dev` as a real child process: this test
// binary re-executed with runDevEnv set behaves as the conveyor command.
const runDevEnv = "CONVEYOR_TEST_RUN_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(runDevEnv) == "1" {
		os.Exit(command(os.Args[1:]))
	}
	pgtest.Main(m)
}

type devProcess struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

// devPlace is a data directory and two free ports for a `conveyor dev`.
func devPlace(t *testing.T) (dir string, httpPort, temporalPort int) {
	t.Helper()
	base, err := os.MkdirTemp("", "conveyor-dev-") // not t.TempDir: PostgreSQL's user must reach it
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o755))
	return filepath.Join(base, "data"), freePort(t), freePort(t)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDev starts `conveyor dev` in dir and waits for its welcome line.
func startDev(t *testing.T, dir string, httpPort, temporalPort int) *devProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "dev", "--dir", dir,
		"--http", fmt.Sprintf("127.0.0.1:%d", httpPort), "--temporal-port", fmt.Sprint(temporalPort), "--log-level", "warn")
	cmd.Env = append(os.Environ(), runDevEnv+"=1", "DATABASE_URL=")
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	d := &devProcess{cmd: cmd, logs: logs}
	t.Cleanup(func() { d.kill() })

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "conveyor dev exited before it was ready:\n%s", logs)
			if url, found := strings.CutPrefix(line, "Conveyor is running at "); found {
				d.url = url
				go func() {
					for range lines { // keep draining
					}
				}()
				return d
			}
		case <-deadline:
			t.Fatalf("conveyor dev did not become ready:\n%s", logs)
		}
	}
}

func (d *devProcess) kill() {
	if d.cmd.ProcessState == nil {
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		_ = d.cmd.Wait()
	}
}

// call sends a request to the running dev server, reusing the integration
// tests' client.
func (d *devProcess) call(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	return (&testenv.Env{URL: d.url}).Do(t, method, path, token, body, out)
}

func (d *devProcess) login(t *testing.T, login, password string) string {
	var tok struct{ Token string }
	require.Equal(t, http.StatusOK, d.call(t, "POST", "/api/v1/auth/token", "", map[string]string{"login": login, "password": password}, &tok))
	return tok.Token
}

type devItem struct {
	ID, ProcessID, Stage, Assignee, State string
}

func (d *devProcess) items(t *testing.T, token, query string) []devItem {
	var list struct{ Items []devItem }
	require.Equal(t, http.StatusOK, d.call(t, "GET", "/api/v1/work-items?"+query, token, nil, &list))
	return list.Items
}

// TestDevSurvivesKill9 kills `conveyor dev` in the middle of a conveyor and
// restarts it: the processes go on from where they were, the demo is not
// seeded twice, and no work item is lost or duplicated.
func TestDevSurvivesKill9(t *testing.T) {
	dataDir, httpPort, temporalPort := devPlace(t)
	dev := startDev(t, dataDir, httpPort, temporalPort)
	admin := dev.login(t, "admin", "admin")
	var before []devItem
	require.Eventually(t, func() bool {
		before = dev.items(t, admin, "")
		return len(before) == 3
	}, time.Minute, 50*time.Millisecond, "the demo starts three processes")

	ivan := dev.login(t, "ivan", "demo")
	first := before[0]
	var done struct{ Next []devItem }
	require.Equal(t, http.StatusOK, dev.call(t, "POST", "/api/v1/work-items/"+first.ID+"/complete", ivan,
		map[string]any{"data": map[string]any{"result": "interested"}}, &done))
	require.Len(t, done.Next, 1)
	deal := done.Next[0]

	require.NoError(t, dev.cmd.Process.Signal(syscall.SIGKILL))
	_ = dev.cmd.Wait()

	dev = startDev(t, dataDir, httpPort, temporalPort)
	admin = dev.login(t, "admin", "admin")
	after := dev.items(t, admin, "")
	require.Len(t, after, 4, "three demo items and the deal: nothing lost, nothing seeded twice")
	ids := map[string]bool{}
	for _, w := range after {
		require.False(t, ids[w.ID], "duplicate work item %s", w.ID)
		ids[w.ID] = true
	}
	require.True(t, ids[deal.ID])

	// The workflows go on: the deal completes and the process moves on.
	maria := dev.login(t, "maria", "demo")
	var next struct{ Next []devItem }
	require.Equal(t, http.StatusOK, dev.call(t, "POST", "/api/v1/work-items/"+deal.ID+"/complete", maria,
		map[string]any{"data": map[string]any{"result": "won", "amount": 10}, "next": map[string]any{"assignee": "sergey"}}, &next))
	require.Len(t, next.Next, 1)
	require.Equal(t, "sergey", next.Next[0].Assignee)
	ivan = dev.login(t, "ivan", "demo")
	require.Equal(t, http.StatusOK, dev.call(t, "POST", "/api/v1/work-items/"+before[1].ID+"/complete", ivan,
		map[string]any{"data": map[string]any{"result": "refused"}}, nil))
	require.Len(t, dev.items(t, admin, ""), 5)
}

// TestDevStopsCleanlyOnSIGTERM: the HTTP server drains, the worker stops,
// the embedded services shut down, the process exits 0, and everything
// comes back on the next start.
func TestDevStopsCleanlyOnSIGTERM(t *testing.T) {
	dataDir, httpPort, temporalPort := devPlace(t)
	dev := startDev(t, dataDir, httpPort, temporalPort)
	token := dev.login(t, "admin", "admin")
	require.NoError(t, dev.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- dev.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "exit status after SIGTERM:\n%s", dev.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("conveyor dev did not stop within a minute of SIGTERM:\n%s", dev.logs)
	}
	_, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", httpPort), time.Second)
	require.Error(t, err, "the HTTP port is closed")

	dev = startDev(t, dataDir, httpPort, temporalPort)
	// The session survives; the demo processes go on where they stopped
	// (some may have been stopped before opening their first item).
	require.Eventually(t, func() bool { return len(dev.items(t, token, "")) == 3 }, time.Minute, 50*time.Millisecond)
}
