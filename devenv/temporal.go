// Package devenv runs the pieces of a local development environment in-process.
package devenv

import (
	"context"
	"crypto/rand"
	dbsql "database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	// Importing the plugin registers the "sqlite" persistence plugin and,
	// through modernc.org/sqlite, the "sqlite" database/sql driver.
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/primitives/timestamp"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	temporalDBFile        = "temporal.db"
	temporalClusterIDFile = "cluster-id"
	temporalLockFile      = "lock"
	temporalSetupPrefix   = temporalDBFile + ".setup-"

	temporalHost        = "127.0.0.1"
	temporalClusterName = "active"
	temporalRetention   = 7 * 24 * time.Hour
	sqliteBusyTimeoutMS = "5000"
)

// ErrLocked is returned (wrapped) by StartTemporal when another process, or
// another Temporal in this process, already uses the data directory.
var ErrLocked = errors.New("devenv: temporal data dir is in use")

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	Dir       string       // holds temporal.db (SQLite file, WAL, synchronous=normal)
	Port      int          // frontend gRPC port; 0 = pick a free one
	Namespace string       // created if missing; "" = "default"
	Logger    *slog.Logger // server logs go here at Warn level and above
}

// Temporal is a running embedded Temporal server (frontend, history, matching
// and worker services in this process) persisting to SQLite under Dir.
type Temporal struct {
	srv       temporal.Server
	lock      *dirLock
	logLevel  *slog.LevelVar
	address   string
	namespace string

	stopOnce sync.Once
	stopErr  error
}

// StartTemporal starts the server and returns once a client can connect to
// the frontend and see the namespace. ctx bounds the readiness wait.
//
// Only one Temporal may use a Dir at a time; a second one gets ErrLocked.
func StartTemporal(ctx context.Context, opts TemporalOptions) (_ *Temporal, retErr error) {
	if opts.Dir == "" {
		return nil, errors.New("devenv: TemporalOptions.Dir is required")
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("devenv: invalid port %d", opts.Port)
	}
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("devenv: %w", err)
	}
	// The SQLite DSN is "file:<path>?<params>", so these would be misparsed.
	if strings.ContainsAny(dir, "?#") {
		return nil, fmt.Errorf("devenv: temporal dir %q must not contain '?' or '#'", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("devenv: create temporal dir: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	lock, err := acquireDirLock(filepath.Join(dir, temporalLockFile))
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = lock.release()
		}
	}()

	clusterID, err := loadOrCreateClusterID(filepath.Join(dir, temporalClusterIDFile))
	if err != nil {
		return nil, err
	}

	dbPath := filepath.Join(dir, temporalDBFile)
	if err := ensureSchema(dbPath); err != nil {
		return nil, err
	}

	sqlConf := config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",    // becomes _pragma=journal_mode=wal (no "_" prefix!)
			"synchronous":  "normal", // safe with WAL; fsync only at checkpoints
			"busy_timeout": sqliteBusyTimeoutMS,
		},
	}

	nsConf, err := sqliteschema.NewNamespaceConfig(temporalClusterName, ns, false, nil)
	if err != nil {
		return nil, fmt.Errorf("devenv: namespace config: %w", err)
	}
	// Only applies when the namespace is first created.
	nsConf.Detail.Config.Retention = timestamp.DurationPtr(temporalRetention)
	if err := sqliteschema.CreateNamespaces(&sqlConf, nsConf); err != nil { // no-op if it exists
		return nil, fmt.Errorf("devenv: create namespace %q: %w", ns, err)
	}

	ports, err := freePorts(4, opts.Port)
	if err != nil {
		return nil, err
	}
	frontendAddr := net.JoinHostPort(temporalHost, strconv.Itoa(ports[0]))
	services := map[primitives.ServiceName]int{
		primitives.FrontendService: ports[0],
		primitives.HistoryService:  ports[1],
		primitives.MatchingService: ports[2],
		primitives.WorkerService:   ports[3],
	}

	conf := &config.Config{}
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: temporalHost}
	conf.Global.Metrics = nil  // no metrics listener (noop handler)
	conf.Global.PProf.Port = 0 // no pprof listener
	conf.Persistence = config.Persistence{
		DefaultStore:     "sqlite-default",
		VisibilityStore:  "sqlite-default",
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{"sqlite-default": {SQL: &sqlConf}},
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        temporalClusterName,
		CurrentClusterName:       temporalClusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			temporalClusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				ClusterID:              clusterID,
			},
		},
	}
	conf.DCRedirectionPolicy = config.DCRedirectionPolicy{Policy: "noop"}
	conf.Services = map[string]config.Service{}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for svc, port := range services {
		conf.Services[string(svc)] = config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: temporalHost}}
		hosts[svc] = static.SingleLocalHost(net.JoinHostPort(temporalHost, strconv.Itoa(port)))
	}
	conf.Archival = config.Archival{
		History:    config.HistoryArchival{State: "disabled"},
		Visibility: config.VisibilityArchival{State: "disabled"},
	}
	conf.NamespaceDefaults = config.NamespaceDefaults{
		Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		},
	}
	// Required: without it the server's system workers panic at start.
	conf.PublicClient = config.PublicClient{HostPort: frontendAddr}

	logLevel := new(slog.LevelVar)
	logLevel.Set(slog.LevelWarn)
	logger := newServerLogger(opts.Logger, logLevel)
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devenv: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("devenv: claim mapper: %w", err)
	}

	dynConf := dynamicconfig.StaticClient{
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():            true,
		// Same as the Temporal CLI dev server.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}

	srv, err := temporal.NewServer(
		temporal.WithConfig(conf), // must precede WithClaimMapper (it reads the config at apply time)
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynConf),
	)
	if err != nil {
		return nil, fmt.Errorf("devenv: new temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		logLevel.Set(levelSilent)
		_ = srv.Stop()
		return nil, fmt.Errorf("devenv: start temporal server: %w", err)
	}
	t := &Temporal{srv: srv, lock: lock, logLevel: logLevel, address: frontendAddr, namespace: ns}
	if err := waitReady(ctx, frontendAddr, ns); err != nil {
		logLevel.Set(levelSilent)
		_ = srv.Stop()
		return nil, err
	}
	return t, nil
}

// Address is the frontend gRPC address, "127.0.0.1:PORT".
func (t *Temporal) Address() string { return t.address }

// Namespace is the namespace that StartTemporal ensured exists.
func (t *Temporal) Namespace() string { return t.namespace }

// Stop shuts the server down and releases the data dir. It is safe to call
// more than once. Server logging is silenced from here on: shutdown makes the
// server log cancellation errors and "connection refused" warnings that mean
// nothing.
func (t *Temporal) Stop() error {
	t.stopOnce.Do(func() {
		t.logLevel.Set(levelSilent)
		err := t.srv.Stop()
		t.stopErr = errors.Join(err, t.lock.release())
	})
	return t.stopErr
}

// waitReady dials the frontend until it answers a health check and knows the
// namespace, or ctx ends.
func waitReady(ctx context.Context, addr, ns string) error {
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	var lastErr error
	for delay := 50 * time.Millisecond; ; delay = min(delay*2, time.Second) {
		lastErr = probe(ctx, addr, ns, quiet)
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devenv: temporal at %s not ready: %w (last error: %v)", addr, ctx.Err(), lastErr)
		case <-time.After(delay):
		}
	}
}

func probe(ctx context.Context, addr, ns string, logger sdklog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: addr, Namespace: ns, Logger: logger})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return err
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	return err
}

// freePorts returns n distinct free TCP ports on temporalHost. If first is
// non-zero it is used as ports[0] after checking that it is free. All
// listeners are held open together so the ports are distinct; another process
// could still grab one before the server binds it (acceptable for dev).
func freePorts(n, first int) ([]int, error) {
	ports := make([]int, 0, n)
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for i := range n {
		port := 0
		if i == 0 {
			port = first
		}
		l, err := net.Listen("tcp", net.JoinHostPort(temporalHost, strconv.Itoa(port)))
		if err != nil {
			if port != 0 {
				return nil, fmt.Errorf("devenv: temporal frontend port %d is not available: %w", port, err)
			}
			return nil, fmt.Errorf("devenv: pick a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// loadOrCreateClusterID keeps one cluster ID per data dir. (The server stores
// the ID in the db on first start and prefers that copy afterwards; keeping
// the config stable avoids a fresh random ID on each run.)
func loadOrCreateClusterID(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if id := strings.TrimSpace(string(b)); uuidRE.MatchString(id) {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("devenv: read cluster id: %w", err)
	}
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", err
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	id := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	if err := writeFileAtomic(path, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("devenv: write cluster id: %w", err)
	}
	return id, nil
}

// ensureSchema creates dbPath with the Temporal schema if it does not exist.
// The schema is built in a temporary file in one transaction, synced, and
// renamed into place, so a crash can't leave a half-initialised temporal.db
// (which a later start would otherwise skip setting up).
//
// It deliberately does not go through the sqlite persistence plugin: the
// plugin keeps every connection it opens in a process-wide pool forever.
func ensureSchema(dbPath string) (retErr error) {
	dir := filepath.Dir(dbPath)
	// Leftovers from a crashed setup; we hold the dir lock, so nobody else is
	// using them.
	if stale, _ := filepath.Glob(filepath.Join(dir, temporalSetupPrefix+"*")); len(stale) > 0 {
		for _, p := range stale {
			_ = os.Remove(p)
		}
	}
	if _, err := os.Stat(dbPath); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devenv: stat %s: %w", dbPath, err)
	}

	f, err := os.CreateTemp(dir, temporalSetupPrefix+"*")
	if err != nil {
		return fmt.Errorf("devenv: create schema temp file: %w", err)
	}
	tmp := f.Name()
	_ = f.Close()
	defer func() {
		if retErr != nil {
			_ = os.Remove(tmp)
			_ = os.Remove(tmp + "-journal")
		}
	}()

	// Default rollback journal here; the server switches the file to WAL.
	db, err := dbsql.Open("sqlite", "file:"+tmp+"?mode=rw&_pragma=busy_timeout%3D"+sqliteBusyTimeoutMS)
	if err != nil {
		return fmt.Errorf("devenv: open %s: %w", tmp, err)
	}
	err = func() error {
		defer func() { _ = db.Close() }()
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if err := sqliteschema.SetupSchemaOnDB(&schemaTx{tx: tx}); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		return fmt.Errorf("devenv: set up temporal schema: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return fmt.Errorf("devenv: install temporal db: %w", err)
	}
	return syncFile(dir)
}

// schemaTx is the minimal sqlplugin.AdminDB that SetupSchemaOnDB needs: it
// only calls Exec.
type schemaTx struct {
	sqlplugin.AdminDB // unused methods; calling them panics
	tx                *dbsql.Tx
}

func (s *schemaTx) Exec(stmt string, args ...any) error {
	_, err := s.tx.Exec(stmt, args...)
	return err
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("devenv: sync %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("devenv: sync %s: %w", path, err)
	}
	return nil
}
