package main

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/conveyorhq/conveyor/services"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/conveyorhq/conveyor/reconcile"
	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/updateauth"
	"github.com/conveyorhq/conveyor/web"
	"github.com/conveyorhq/conveyor/worker"
)

// shutdownGrace is how long in-flight requests and tasks get on SIGTERM.
const shutdownGrace = 30 * time.Second

// dialTemporal connects to Temporal; every Update sent is signed with key.
func dialTemporal(ctx context.Context, addr, namespace string, tlsCfg *tls.Config, key updateauth.Key, log *slog.Logger) (client.Client, error) {
	return client.DialContext(ctx, client.Options{
		HostPort: addr, Namespace: namespace, ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg}, // TLS nil: plain
		Logger:       sdklog.NewStructuredLogger(log.With(slog.String("component", "temporal-sdk"))),
		Interceptors: []interceptor.ClientInterceptor{key.Client()},
	})
}

// serveHTTP serves the API (and the metrics, when they have an address of
// their own) until ctx ends, then drains in-flight requests. ready, when
// given, receives the API's bound address.
func serveHTTP(ctx context.Context, cfg config, st *store.Store, tc client.Client, log *slog.Logger, ready func(addr string)) error {
	loc, _ := time.LoadLocation(cfg.TimeZone) // checked by Validate
	svc := services.New(st, tc)
	svc.TokenTTL, svc.Location = cfg.TokenTTL, loc
	srv := &server.Server{Services: svc, Log: log, Metrics: server.NewMetrics(svc), Pages: web.Pages(log, loc)}
	srv.SecureCookies, srv.MetricsToken = cfg.HTTP.SecureCookies, cfg.HTTP.MetricsToken
	srv.MetricsApart = cfg.HTTP.MetricsAddr != ""
	srv.TrustedProxies, _ = server.ParseTrustedProxies(cfg.HTTP.TrustedProxies) // checked by Validate
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	if srv.MetricsApart {
		mln, err := net.Listen("tcp", cfg.HTTP.MetricsAddr)
		if err != nil {
			ln.Close()
			return err
		}
		log.Info("serving metrics", "addr", mln.Addr().String())
		g.Go(func() error { return serveUntil(gctx, mln, srv.MetricsHandler(), cfg.HTTP, log) })
	} else if addr, ok := ln.Addr().(*net.TCPAddr); ok && srv.MetricsToken == "" && !addr.IP.IsLoopback() {
		log.Warn("/metrics is open to anyone who reaches the HTTP address: set CONVEYOR_METRICS_TOKEN or CONVEYOR_METRICS_ADDR")
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	g.Go(func() error { return serveUntil(gctx, ln, srv.Handler(), cfg.HTTP, log) })
	return g.Wait()
}

// serveUntil serves h on ln until ctx ends, then drains in-flight requests.
func serveUntil(ctx context.Context, ln net.Listener, h http.Handler, s httpSettings, log *slog.Logger) error {
	hs := newHTTPServer(h, s)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("draining HTTP requests", "addr", ln.Addr().String())
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

// newHTTPServer is every http.Server of ours: none without its timeouts, so
// a client that sends or reads slowly, or not at all, holds its connection
// for a bounded time.
func newHTTPServer(h http.Handler, s httpSettings) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: s.ReadHeaderTimeout, ReadTimeout: s.ReadTimeout,
		WriteTimeout: s.WriteTimeout, IdleTimeout: s.IdleTimeout}
}

// runWorker works the conveyor task queue until ctx ends; Stop then waits
// for running tasks, so no step is left half-done. Beside it the
// reconciler heals the steps whose Updates a crash lost.
func runWorker(ctx context.Context, st *store.Store, tc client.Client, key updateauth.Key, log *slog.Logger) error {
	w := worker.New(tc, st, key)
	if err := w.Start(); err != nil {
		return err
	}
	rctx, stopReconciling := context.WithCancel(ctx)
	defer stopReconciling()
	go reconcile.New(st, tc, log.With(slog.String("component", "reconciler"))).Run(rctx)
	<-ctx.Done()
	log.Info("stopping the worker")
	w.Stop()
	return nil
}
