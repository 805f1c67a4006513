package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/conveyorhq/conveyor/server"
	"github.com/conveyorhq/conveyor/store"
)

// The settings that bound what a client can hold and say who may listen:
// HTTP timeouts, cookies, metrics, the database pool and TLS to Temporal.

// devHTTPAddr is where `conveyor dev`, with its well-known demo passwords,
// listens unless told otherwise: this machine only.
const devHTTPAddr = "127.0.0.1:8080"

// httpSettings are the HTTP server's.
type httpSettings struct {
	// Every http.Server gets these timeouts, so a slow or silent client
	// holds a connection (and its goroutine) for a bounded time only.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // the whole request, a 10 MiB upload included
	WriteTimeout      time.Duration // the whole response, a document download included
	IdleTimeout       time.Duration
	// SecureCookies marks every cookie Secure and sends HSTS: for a server
	// behind a proxy that terminates TLS.
	SecureCookies bool
	// MetricsToken, when set, is the bearer token /metrics asks for; from the
	// environment only, as a flag would show in the process list.
	MetricsToken string
	// MetricsAddr, when set, serves /metrics on a listener of its own and not
	// on the API's.
	MetricsAddr string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (comma-separated addresses or CIDRs): sign-in limits then count
	// the real client, not the proxy.
	TrustedProxies string
}

// dbSettings are the database pool's size and the database's timeouts.
type dbSettings = store.Options

// temporalTLS is the client side of mTLS to the Temporal frontend; the
// variables are those of the Temporal CLI.
type temporalTLS struct {
	Cert, Key  string // the client certificate and key (PEM files)
	CA         string // the CA that signed the frontend's certificate (PEM file); default: the system's
	ServerName string // the name in the frontend's certificate; default: the address's host
}

func (c *config) defaultSecurity() {
	c.HTTP = httpSettings{
		ReadHeaderTimeout: c.envDuration("CONVEYOR_HTTP_READ_HEADER_TIMEOUT", 10*time.Second),
		ReadTimeout:       c.envDuration("CONVEYOR_HTTP_READ_TIMEOUT", 60*time.Second),
		WriteTimeout:      c.envDuration("CONVEYOR_HTTP_WRITE_TIMEOUT", 60*time.Second),
		IdleTimeout:       c.envDuration("CONVEYOR_HTTP_IDLE_TIMEOUT", 120*time.Second),
		SecureCookies:     c.envBool("CONVEYOR_SECURE_COOKIES"),
		MetricsToken:      env("CONVEYOR_METRICS_TOKEN", ""),
		MetricsAddr:       env("CONVEYOR_METRICS_ADDR", ""),
		TrustedProxies:    env("CONVEYOR_TRUSTED_PROXIES", ""),
	}
	def := store.DefaultOptions()
	c.DB = dbSettings{
		MaxConns:                 def.MaxConns,
		AcquireTimeout:           c.envDuration("CONVEYOR_DB_ACQUIRE_TIMEOUT", def.AcquireTimeout),
		StatementTimeout:         c.envDuration("CONVEYOR_DB_STATEMENT_TIMEOUT", def.StatementTimeout),
		IdleInTransactionTimeout: c.envDuration("CONVEYOR_DB_IDLE_IN_TRANSACTION_TIMEOUT", def.IdleInTransactionTimeout),
	}
	c.DB.MaxConns = int32(c.envInt("CONVEYOR_DB_MAX_CONNS", int(def.MaxConns)))
	c.TemporalTLS = temporalTLS{
		Cert: env("TEMPORAL_TLS_CERT", ""), Key: env("TEMPORAL_TLS_KEY", ""),
		CA: env("TEMPORAL_TLS_CA", ""), ServerName: env("TEMPORAL_TLS_SERVER_NAME", ""),
	}
}

// envDuration is the duration in the variable name, else def; a value that
// is not a duration is a problem Validate reports, not a silent default.
func (c *config) envDuration(name string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return d
}

// envInt is the integer in the variable name, else def; a value that is
// not one is a problem Validate reports.
func (c *config) envInt(name string, def int) int {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return int(n)
}

func (c *config) envBool(name string) bool {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
	}
	return b
}

func (c *config) registerSecurity(fs *flag.FlagSet, groups int) {
	if groups&flagHTTP != 0 {
		h := &c.HTTP
		fs.DurationVar(&h.ReadHeaderTimeout, "http-read-header-timeout", h.ReadHeaderTimeout, "time to read a request's header (CONVEYOR_HTTP_READ_HEADER_TIMEOUT)")
		fs.DurationVar(&h.ReadTimeout, "http-read-timeout", h.ReadTimeout, "time to read a whole request, uploads included (CONVEYOR_HTTP_READ_TIMEOUT)")
		fs.DurationVar(&h.WriteTimeout, "http-write-timeout", h.WriteTimeout, "time to write a whole response, downloads included (CONVEYOR_HTTP_WRITE_TIMEOUT)")
		fs.DurationVar(&h.IdleTimeout, "http-idle-timeout", h.IdleTimeout, "time a kept-alive connection may idle (CONVEYOR_HTTP_IDLE_TIMEOUT)")
		fs.BoolVar(&h.SecureCookies, "secure-cookies", h.SecureCookies, "behind a TLS proxy: Secure cookies and HSTS (CONVEYOR_SECURE_COOKIES)")
		fs.StringVar(&h.MetricsAddr, "metrics-addr", h.MetricsAddr, "serve /metrics on this address instead of the HTTP one (CONVEYOR_METRICS_ADDR)")
		fs.StringVar(&h.TrustedProxies, "trusted-proxies", h.TrustedProxies,
			"reverse proxies trusted for X-Forwarded-For, comma-separated addresses or CIDRs (CONVEYOR_TRUSTED_PROXIES)")
	}
	if groups&flagDB != 0 {
		d := &c.DB
		fs.Func("db-max-conns", fmt.Sprintf("size of the database pool (CONVEYOR_DB_MAX_CONNS) (default %d)", d.MaxConns), func(v string) error {
			n, err := strconv.ParseInt(v, 10, 32)
			d.MaxConns = int32(n)
			return err
		})
		fs.DurationVar(&d.AcquireTimeout, "db-acquire-timeout", d.AcquireTimeout, "wait for a free database connection before a 503 (CONVEYOR_DB_ACQUIRE_TIMEOUT)")
		fs.DurationVar(&d.StatementTimeout, "db-statement-timeout", d.StatementTimeout, "PostgreSQL statement_timeout (CONVEYOR_DB_STATEMENT_TIMEOUT)")
		fs.DurationVar(&d.IdleInTransactionTimeout, "db-idle-in-transaction-timeout", d.IdleInTransactionTimeout,
			"PostgreSQL idle_in_transaction_session_timeout (CONVEYOR_DB_IDLE_IN_TRANSACTION_TIMEOUT)")
	}
	if groups&flagTemporal != 0 {
		t := &c.TemporalTLS
		fs.StringVar(&t.Cert, "temporal-tls-cert", t.Cert, "client certificate (PEM) for mTLS to Temporal (TEMPORAL_TLS_CERT)")
		fs.StringVar(&t.Key, "temporal-tls-key", t.Key, "its private key (PEM) (TEMPORAL_TLS_KEY)")
		fs.StringVar(&t.CA, "temporal-tls-ca", t.CA, "CA of the Temporal frontend's certificate (PEM) (TEMPORAL_TLS_CA)")
		fs.StringVar(&t.ServerName, "temporal-tls-server-name", t.ServerName, "name in the frontend's certificate (TEMPORAL_TLS_SERVER_NAME)")
	}
}

func (c config) validateSecurity(groups int) []error {
	problems := append([]error(nil), c.envErrs...)
	if groups&flagHTTP != 0 {
		for _, t := range []struct {
			flag string
			d    time.Duration
		}{
			{"--http-read-header-timeout", c.HTTP.ReadHeaderTimeout}, {"--http-read-timeout", c.HTTP.ReadTimeout},
			{"--http-write-timeout", c.HTTP.WriteTimeout}, {"--http-idle-timeout", c.HTTP.IdleTimeout},
		} {
			if t.d <= 0 {
				problems = append(problems, fmt.Errorf("%s must be positive", t.flag))
			}
		}
		if c.HTTP.MetricsAddr != "" && c.HTTP.MetricsAddr == c.HTTPAddr {
			problems = append(problems, errors.New("--metrics-addr must differ from --http"))
		}
		if _, err := server.ParseTrustedProxies(c.HTTP.TrustedProxies); err != nil {
			problems = append(problems, fmt.Errorf("--trusted-proxies: %w", err))
		}
	}
	if groups&flagDB != 0 {
		if c.DB.MaxConns < 1 {
			problems = append(problems, errors.New("--db-max-conns must be at least 1"))
		}
		if c.DB.AcquireTimeout <= 0 || c.DB.StatementTimeout <= 0 || c.DB.IdleInTransactionTimeout <= 0 {
			problems = append(problems, errors.New("the database timeouts must be positive"))
		}
	}
	if groups&flagTemporal != 0 {
		if _, err := c.TemporalTLS.config(); err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}

// config is the TLS configuration of the Temporal client, nil when no TLS
// setting is given (a plain connection).
func (t temporalTLS) config() (*tls.Config, error) {
	if t == (temporalTLS{}) {
		return nil, nil
	}
	if (t.Cert == "") != (t.Key == "") {
		return nil, errors.New("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.Cert != "" {
		pair, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: no PEM certificate in %s", t.CA)
		}
	}
	return cfg, nil
}

// temporalTLSConfig is the Temporal client's TLS; Validate has checked it.
func (c config) temporalTLSConfig() *tls.Config {
	cfg, _ := c.TemporalTLS.config()
	return cfg
}
