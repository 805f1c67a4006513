package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/worker"
)

// shutdownGrace is how long in-flight requests and tasks get on SIGTERM.
const shutdownGrace = 30 * time.Second

func dialTemporal(ctx context.Context, addr, namespace string, log *slog.Logger) (client.Client, error) {
	return client.DialContext(ctx, client.Options{
		HostPort: addr, Namespace: namespace,
		Logger: sdklog.NewStructuredLogger(log.With(slog.String("component", "temporal-sdk"))),
	})
}

// serveHTTP serves the API until ctx ends, then drains in-flight requests.
// ready, when given, receives the bound address.
func serveHTTP(ctx context.Context, cfg config, st *store.Store, tc client.Client, log *slog.Logger, ready func(addr string)) error {
	loc, _ := time.LoadLocation(cfg.TimeZone) // checked by Validate
	srv := &server.Server{Store: st, Temporal: tc, Log: log, TokenTTL: cfg.TokenTTL, Metrics: server.NewMetrics(st), Location: loc}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("draining HTTP requests")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runWorker works the conveyor task queue until ctx ends; Stop then waits
// for running tasks, so no step is left half-done.
func runWorker(ctx context.Context, st *store.Store, tc client.Client, log *slog.Logger) error {
	w := worker.New(tc, st)
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("stopping the worker")
	w.Stop()
	return nil
}
