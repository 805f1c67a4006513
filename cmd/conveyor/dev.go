package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/pglocal"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
)

// devCmd runs everything in one process: a local PostgreSQL (unless
// DATABASE_URL is set) and an embedded Temporal server, both keeping their
// data under --dir, the worker and the HTTP API; it seeds the demo once.
func devCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("dev", args, stderr, flagHTTP|flagDB|flagDev, flagHTTP)
	if err != nil {
		return err
	}
	cfg.applyLimits()
	log := cfg.logger(stderr)
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	if cfg.DatabaseURL == "" {
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), Durable: true, Logger: log})
		if err != nil {
			return fmt.Errorf("local PostgreSQL: %w\n(or set DATABASE_URL to use a PostgreSQL server you run)", err)
		}
		defer pg.Stop() //nolint:errcheck // shutting down anyway
		if err := pg.CreateDatabase(ctx, "conveyor"); err != nil {
			return err
		}
		cfg.DatabaseURL = pg.DSN("conveyor")
		log.Info("local PostgreSQL", "dir", filepath.Join(dir, "pg"), "port", pg.Port())
	}
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()

	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	temporal, err := devenv.StartTemporal(tctx, devenv.TemporalOptions{
		Dir: filepath.Join(dir, "temporal"), Port: cfg.TemporalPort, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("embedded Temporal: %w", err)
	}
	defer temporal.Stop() //nolint:errcheck // shutting down anyway
	// One process is both the API and the worker: unless configured, a key
	// of its own signs and checks the Updates.
	key := updateauth.RandomKey()
	if cfg.UpdateKey != "" {
		if key, err = updateauth.NewKey(cfg.UpdateKey); err != nil {
			return fmt.Errorf("CONVEYOR_UPDATE_KEY: %w", err)
		}
	}
	tc, err := dialTemporal(ctx, temporal.Address(), temporal.Namespace(), nil, key, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	// The worker first: a start waits for its process's first step. Then
	// the seed, before serving, so the printed logins work at once.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return runWorker(gctx, st, tc, key, log) })
	if err := devenv.Seed(gctx, services.New(st, tc)); err != nil {
		stop()
		return errors.Join(fmt.Errorf("seeding the demo: %w", err), g.Wait())
	}
	ready := make(chan string, 1)
	g.Go(func() error { return serveHTTP(gctx, cfg, st, tc, log, func(a string) { ready <- a }) })
	select {
	case addr := <-ready:
		printWelcome(stdout, addr, temporal.Address(), log)
	case <-gctx.Done():
	}
	return g.Wait()
}

func printWelcome(w io.Writer, addr, temporalAddr string, log *slog.Logger) {
	host := addr
	if strings.HasPrefix(host, "[::]:") || strings.HasPrefix(host, "0.0.0.0:") {
		host = "localhost" + host[strings.LastIndexByte(host, ':'):]
	}
	var users []string
	for _, u := range devenv.DemoUsers {
		users = append(users, u.Login+"/"+u.Password)
	}
	fmt.Fprintf(w, "\nConveyor is running at http://%s\n  API:      http://%s/api/v1\n  Temporal: %s (namespace default)\n  Logins:   %s\n\n",
		host, host, temporalAddr, strings.Join(users, ", "))
	log.Info("ready", "url", "http://"+host)
}
