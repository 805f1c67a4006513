// Command withpg runs a command against one private, throwaway PostgreSQL
// server:
//
//	go run ./internal/pgtest/withpg -- go test ./...
//
// go test runs package test binaries in parallel; with DATABASE_URL set they
// all share this one server (each test gets its own database via
// pgtest.NewDB) instead of starting a server per package.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/conveyorhq/conveyor/internal/pgtest"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withpg -- COMMAND [ARGS...]")
		return 2
	}

	// Catch signals before starting anything so that an early Ctrl-C still
	// lets us stop the server and remove its directory.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	c, dir, err := pgtest.StartTemp(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "withpg: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "withpg: %v\n", err)
		}
	}()

	select {
	case s := <-sigs: // interrupted while the server was starting
		return 128 + int(s.(syscall.Signal))
	default:
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "DATABASE_URL="+c.DSN("postgres"))
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "withpg: %v\n", err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)

	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()) // shell convention
		}
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "withpg: %v\n", err)
		return 1
	}
}
