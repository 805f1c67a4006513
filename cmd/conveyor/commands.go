package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/auth"
	"github.com/conveyorhq/conveyor/store"
)

// serverCmd runs the HTTP API against DATABASE_URL and TEMPORAL_ADDRESS.
func serverCmd(ctx context.Context, args []string, stderr io.Writer) error {
	return withServices(ctx, "server", args, stderr, flagHTTP, func(cfg config, st *store.Store, tc client.Client, log *slog.Logger) error {
		return serveHTTP(ctx, cfg, st, tc, log, func(addr string) { log.Info("serving the API", "addr", addr) })
	})
}

// workerCmd runs a Temporal worker for conveyor processes.
func workerCmd(ctx context.Context, args []string, stderr io.Writer) error {
	return withServices(ctx, "worker", args, stderr, 0, func(cfg config, st *store.Store, tc client.Client, log *slog.Logger) error {
		log.Info("worker started")
		return runWorker(ctx, st, tc, cfg.updateKey(), log)
	})
}

// withServices parses the flags of a long-running command, connects to the
// database (migrating it) and to Temporal, runs fn and closes both.
func withServices(ctx context.Context, name string, args []string, stderr io.Writer, extra int,
	fn func(config, *store.Store, client.Client, *slog.Logger) error) error {
	groups := flagDB | flagTemporal | extra
	cfg, _, err := parse(name, args, stderr, groups, groups)
	if err != nil {
		return err
	}
	cfg.applyLimits()
	log := cfg.logger(stderr)
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	tc, err := dialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, cfg.temporalTLSConfig(), cfg.updateKey(), log)
	if err != nil {
		return err
	}
	defer tc.Close()
	return fn(cfg, st, tc, log)
}

// migrateCmd brings the database schema up to date and exits.
func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("migrate", args, stderr, flagDB, flagDB)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL) // Open migrates
	if err != nil {
		return err
	}
	st.Close()
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}

// usersCmd: `conveyor users create --login L --roles admin ...`, the way to
// make the first admin outside dev. The password comes from
// CONVEYOR_PASSWORD or the first line of standard input, never a flag (it
// would show in the process list).
func usersCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: conveyor users create --login LOGIN [--name NAME] [--roles admin,...] [--teams t1,...] [--supervisor LOGIN]")
		return exitCode(2)
	}
	cfg := defaultConfig()
	fs := newFlagSet("users create", stderr)
	cfg.register(fs, flagDB)
	login := fs.String("login", "", "login of the new user")
	name := fs.String("name", "", "full name")
	roles := fs.String("roles", "", "comma-separated roles: admin, analyst, supervisor, manager")
	teams := fs.String("teams", "", "comma-separated teams")
	supervisor := fs.String("supervisor", "", "login of the user's supervisor")
	if err := fs.Parse(args[1:]); err != nil {
		return exitCode(2)
	}
	if err := cfg.Validate(flagDB); err != nil {
		return err
	}
	if *login == "" {
		return fmt.Errorf("--login is required")
	}
	password := os.Getenv("CONVEYOR_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("give the password in CONVEYOR_PASSWORD or on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(store.WithActor(ctx, "system:cli"), store.User{Login: *login, Name: *name, Roles: split(*roles), Teams: split(*teams), Supervisor: *supervisor}, hash)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (roles: %s)\n", u.Login, strings.Join(u.Roles, ", "))
	return nil
}

func split(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
