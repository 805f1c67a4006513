// Command conveyor runs and checks sales conveyors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: conveyor <command> [flags] [args]

commands:
  dev                         run everything in one process: local PostgreSQL, embedded Temporal, worker, API; seeds a demo
  server                      run the HTTP API (DATABASE_URL, TEMPORAL_ADDRESS)
  worker                      run a Temporal worker (DATABASE_URL, TEMPORAL_ADDRESS)
  migrate                     bring the database schema up to date
  users create --login L ...  create a user (the first admin); password from CONVEYOR_PASSWORD or stdin
  validate [--json] FILE...   check definitions; print every problem as file:line:col: message

Run "conveyor COMMAND -h" for a command's flags.
`

// exitCode lets a command choose its exit status without printing more.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

func main() { os.Exit(command(os.Args[1:])) }

// command runs one command as the binary does: SIGINT and SIGTERM cancel
// its context, so it shuts down gracefully; it returns the exit status.
func command(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, os.Stdout, os.Stderr)
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	}
	fmt.Fprintln(os.Stderr, "conveyor:", err)
	return 1
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	switch args[0] {
	case "validate":
		return validateCmd(args[1:], stdout, stderr)
	case "dev":
		return devCmd(ctx, args[1:], stdout, stderr)
	case "server":
		return serverCmd(ctx, args[1:], stderr)
	case "worker":
		return workerCmd(ctx, args[1:], stderr)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout, stderr)
	case "users":
		return usersCmd(ctx, args[1:], os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "conveyor: unknown command %q\n\n%s", args[0], usage)
	return exitCode(2)
}
