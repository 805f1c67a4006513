// Command bench measures a conveyor step against a bare Temporal Update on
// the same machine, in one run, and prints a table:
//
//	go run ./internal/bench            (make bench)
//
// Both run on the dev setup: an embedded Temporal server with its SQLite
// file (WAL) and a durable local PostgreSQL, in temporary directories.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/conveyorhq/conveyor/services"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/conveyorhq/conveyor/devenv"
	"github.com/conveyorhq/conveyor/pglocal"
	"github.com/conveyorhq/conveyor/reconcile"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
	"github.com/conveyorhq/conveyor/web"
	"github.com/conveyorhq/conveyor/worker"
)

type options struct {
	sequential int // operations measured one at a time, for latency
	inFlight   int // concurrent processes for throughput
	perProcess int // steps each concurrent process makes
	clients    int // clients for the "My clients" measure
	managers   int
	processes  int // processes and work items for the views' measure
	items      int
	hold       bool // fill only, then keep the database up for a look
}

func main() {
	var o options
	flag.IntVar(&o.sequential, "sequential", 200, "operations measured one at a time")
	flag.IntVar(&o.inFlight, "in-flight", 32, "processes in flight for the throughput run")
	flag.IntVar(&o.perProcess, "steps", 10, "steps per process in the throughput run")
	flag.IntVar(&o.clients, "clients", 100_000, "clients for the \"My clients\" measure")
	flag.IntVar(&o.managers, "managers", 1000, "managers for the \"My clients\" measure")
	flag.IntVar(&o.processes, "processes", 300_000, "processes for the saved views' measure")
	flag.IntVar(&o.items, "work-items", 1_000_000, "work items for the saved views' measure (3 or 4 a process)")
	flag.BoolVar(&o.hold, "hold", false, "fill the data, print the database's address and wait (for EXPLAIN by hand)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "conveyor-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: dir + "/pg", Durable: true, Logger: quiet})
	if err != nil {
		return err
	}
	defer pg.Stop() //nolint:errcheck
	if err := pg.CreateDatabase(ctx, "conveyor"); err != nil {
		return err
	}
	st, err := store.Open(ctx, pg.DSN("conveyor"))
	if err != nil {
		return err
	}
	defer st.Close()

	tmp, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{Dir: dir + "/temporal", Logger: quiet})
	if err != nil {
		return err
	}
	defer tmp.Stop() //nolint:errcheck
	key := updateauth.RandomKey()
	tc, err := client.Dial(client.Options{HostPort: tmp.Address(), Namespace: tmp.Namespace(), Logger: quietSDK{},
		Interceptors: []interceptor.ClientInterceptor{key.Client()}})
	if err != nil {
		return err
	}
	defer tc.Close()

	// The conveyor runs as it does in production: Updates signed and
	// checked, the reconciler beside the worker.
	w := worker.New(tc, st, key)
	rctx, stopReconciling := context.WithCancel(ctx)
	defer stopReconciling()
	go reconcile.New(st, tc, quiet).Run(rctx)
	bare := sdkworker.New(tc, bareQueue, sdkworker.Options{})
	bare.RegisterWorkflowWithOptions(bareWorkflow, bareOptions)
	for _, wk := range []sdkworker.Worker{w, bare} {
		if err := wk.Start(); err != nil {
			return err
		}
		defer wk.Stop()
	}
	svc := services.New(st, tc)
	svc.TokenTTL = time.Hour
	srv := &server.Server{Services: svc, Log: quiet, Metrics: server.NewMetrics(svc), Pages: web.Pages(quiet, time.UTC)}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	if o.hold {
		b := &bench{tc: tc, st: st, url: hs.URL}
		if err := b.prepare(ctx); err != nil {
			return err
		}
		if err := fillClients(ctx, st, o.clients, o.managers); err != nil {
			return err
		}
		if err := fillConveyorWork(ctx, st, o.processes, o.items, o.clients, o.managers); err != nil {
			return err
		}
		fmt.Fprintf(out, "filled: %s (psql %q); interrupt to stop\n", hs.URL, pg.DSN("conveyor"))
		<-ctx.Done()
		return nil
	}
	fmt.Fprintf(out, "Preparing: %d sequential operations, then %d processes x %d steps in flight...\n",
		o.sequential, o.inFlight, o.perProcess)
	b := &bench{tc: tc, st: st, url: hs.URL}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	res, err := b.measure(ctx, o)
	if err != nil {
		return err
	}
	res.print(out, o)

	cf, err := measureClients(ctx, st, o.clients, o.managers, 200)
	if err != nil {
		return fmt.Errorf("my clients: %w", err)
	}
	cf.print(out)

	vf, err := measureViews(ctx, svc, hs.URL, b.token, o.processes, o.items, o.clients, o.managers, 100)
	if err != nil {
		return fmt.Errorf("views: %w", err)
	}
	vf.print(out)
	return nil
}
