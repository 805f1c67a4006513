package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/store"
)

func parsed(t *testing.T, name string, groups int, args ...string) config {
	t.Helper()
	cfg, _, err := parse(name, args, io.Discard, groups, 0)
	require.NoError(t, err)
	return cfg
}

// Finding 11: `conveyor dev`, with its demo passwords, listened on every
// interface. It listens on this machine unless told otherwise; `conveyor
// server` keeps :8080.
func TestDevListensOnThisMachineUnlessTold(t *testing.T) {
	t.Setenv("CONVEYOR_HTTP_ADDR", "")
	dev, server := flagHTTP|flagDB|flagDev, flagHTTP|flagDB|flagTemporal
	require.Equal(t, "127.0.0.1:8080", parsed(t, "dev", dev).HTTPAddr)
	require.Equal(t, "0.0.0.0:8080", parsed(t, "dev", dev, "--http", "0.0.0.0:8080").HTTPAddr)
	require.Equal(t, ":8080", parsed(t, "server", server).HTTPAddr)
	t.Setenv("CONVEYOR_HTTP_ADDR", "0.0.0.0:9000")
	require.Equal(t, "0.0.0.0:9000", parsed(t, "dev", dev).HTTPAddr)
}

// Finding 7: every http.Server has read, write and idle timeouts, and the
// pool a size and the database timeouts; settings that do not parse are
// refused, not taken for defaults.
func TestServersAndThePoolAreBoundedBySettings(t *testing.T) {
	cfg := parsed(t, "server", flagHTTP|flagDB)
	hs := newHTTPServer(nil, cfg.HTTP)
	require.Equal(t, [4]time.Duration{10 * time.Second, time.Minute, time.Minute, 2 * time.Minute},
		[4]time.Duration{hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout})
	require.Equal(t, store.DefaultOptions(), cfg.DB)
	require.False(t, cfg.HTTP.SecureCookies)

	t.Setenv("CONVEYOR_HTTP_WRITE_TIMEOUT", "5m")
	t.Setenv("CONVEYOR_DB_MAX_CONNS", "32")
	t.Setenv("CONVEYOR_SECURE_COOKIES", "true")
	cfg = parsed(t, "server", flagHTTP|flagDB, "--http-idle-timeout", "30s", "--db-statement-timeout", "10s")
	hs = newHTTPServer(nil, cfg.HTTP)
	require.Equal(t, 5*time.Minute, hs.WriteTimeout)
	require.Equal(t, 30*time.Second, hs.IdleTimeout)
	require.Equal(t, int32(32), cfg.DB.MaxConns)
	require.Equal(t, 10*time.Second, cfg.DB.StatementTimeout)
	require.True(t, cfg.HTTP.SecureCookies)

	t.Setenv("CONVEYOR_HTTP_READ_TIMEOUT", "soon")
	t.Setenv("CONVEYOR_DB_MAX_CONNS", "many")
	_, _, err := parse("server", []string{"--http-idle-timeout", "0s"}, io.Discard, flagHTTP|flagDB, flagHTTP|flagDB)
	require.ErrorContains(t, err, "CONVEYOR_HTTP_READ_TIMEOUT")
	require.ErrorContains(t, err, "CONVEYOR_DB_MAX_CONNS")
	require.ErrorContains(t, err, "--http-idle-timeout must be positive")
}

// writePEM writes a certificate (and its key) signed by parent, or by
// itself as a CA when parent is nil.
func writePEM(t *testing.T, dir, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{name}}
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

// Finding 16: the Temporal client speaks mTLS when given a certificate, a
// key and the frontend's CA (the Temporal CLI's variables); without them
// it connects in plain.
func TestTheTemporalClientTLSIsBuiltFromItsSettings(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := writePEM(t, dir, "ca", nil, nil)
	writePEM(t, dir, "worker", ca, caKey)
	frontend, _ := writePEM(t, dir, "temporal.internal", ca, caKey)
	file := func(name string) string { return filepath.Join(dir, name) }

	tlsCfg, err := parsed(t, "server", flagTemporal).TemporalTLS.config()
	require.NoError(t, err)
	require.Nil(t, tlsCfg, "no settings: plain")

	t.Setenv("TEMPORAL_TLS_CA", file("ca.pem"))
	cfg := parsed(t, "worker", flagTemporal, "--temporal-tls-cert", file("worker.pem"), "--temporal-tls-key", file("worker.key"),
		"--temporal-tls-server-name", "temporal.internal")
	tlsCfg, err = cfg.TemporalTLS.config()
	require.NoError(t, err)
	require.Len(t, tlsCfg.Certificates, 1)
	require.Equal(t, "temporal.internal", tlsCfg.ServerName)
	require.Equal(t, uint16(tls.VersionTLS12), tlsCfg.MinVersion)
	_, err = frontend.Verify(x509.VerifyOptions{Roots: tlsCfg.RootCAs, DNSName: tlsCfg.ServerName})
	require.NoError(t, err, "the frontend's certificate is trusted through the CA given")

	for _, bad := range [][]string{
		{"--temporal-tls-cert", file("worker.pem")},
		{"--temporal-tls-cert", file("worker.pem"), "--temporal-tls-key", file("ca.key")},
		{"--temporal-tls-ca", file("nope.pem")},
		{"--temporal-tls-ca", file("worker.key")},
	} {
		_, _, err := parse("worker", append(bad, "--database-url", "postgres://x"), io.Discard, flagDB|flagTemporal, flagTemporal)
		require.ErrorContains(t, err, "TEMPORAL_TLS_", "%v", bad)
	}
}

// Finding 17: with CONVEYOR_METRICS_ADDR the metrics have a listener of
// their own, behind the token when one is set, and the API's has none.
func TestMetricsListenApartFromTheAPI(t *testing.T) {
	_, dsn := pgtest.NewDBURL(t)
	st, err := store.Open(context.Background(), dsn)
	require.NoError(t, err)
	defer st.Close()
	cfg := parsed(t, "server", flagHTTP)
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.HTTP.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cfg.HTTP.MetricsToken = "s3cret"

	ctx, stop := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- serveHTTP(ctx, cfg, st, nil, slog.New(slog.DiscardHandler), func(addr string) { ready <- addr })
	}()
	api := "http://" + <-ready
	get := func(url, token string) int {
		req, err := http.NewRequest("GET", url, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, get(api+"/healthz", ""))
	require.Equal(t, http.StatusNotFound, get(api+"/metrics", "s3cret"))
	require.Equal(t, http.StatusUnauthorized, get("http://"+cfg.HTTP.MetricsAddr+"/metrics", ""))
	require.Equal(t, http.StatusOK, get("http://"+cfg.HTTP.MetricsAddr+"/metrics", "s3cret"))
	stop()
	require.NoError(t, <-done)
}
