package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/updateauth"
)

// config is every setting of the long-running commands. Each has a default,
// an environment variable and a flag; a flag wins over the variable.
type config struct {
	HTTPAddr          string
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TokenTTL          time.Duration
	Dir               string // dev: where the local PostgreSQL and Temporal keep their data
	TemporalPort      int    // dev: the embedded Temporal frontend's port
	LogLevel          string
	LogFormat         string
	TimeZone          string // the web UI shows and reads times in it

	// What clients may hold and who may listen (config_security.go).
	HTTP        httpSettings
	DB          dbSettings
	TemporalTLS temporalTLS
	envErrs     []error // variables that did not parse, for Validate
	// UpdateKey signs the Updates API servers send and workers check: the
	// same on all of them (CONVEYOR_UPDATE_KEY; `dev` makes one if unset).
	UpdateKey string
	// MaxCompletionBytes bounds a completion's data (and a start's
	// variables), on servers and workers alike. It may only be lowered from
	// definitions.MaxDataBytes: expressions are checked for cost as if data
	// could be that large.
	MaxCompletionBytes int
}

func defaultConfig() config {
	c := config{
		HTTPAddr:          env("CONVEYOR_HTTP_ADDR", ":8080"),
		DatabaseURL:       env("DATABASE_URL", ""),
		TemporalAddress:   env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", "default"),
		TokenTTL:          24 * time.Hour,
		Dir:               env("CONVEYOR_DIR", ".conveyor"),
		TemporalPort:      7233,
		LogLevel:          env("CONVEYOR_LOG_LEVEL", "info"),
		LogFormat:         env("CONVEYOR_LOG_FORMAT", "text"),
		TimeZone:          env("CONVEYOR_TIME_ZONE", "Local"),
		UpdateKey:         env("CONVEYOR_UPDATE_KEY", ""),
	}
	c.MaxCompletionBytes = c.envInt("CONVEYOR_MAX_COMPLETION_BYTES", definitions.MaxDataBytes)
	if v, err := time.ParseDuration(os.Getenv("CONVEYOR_TOKEN_TTL")); err == nil {
		c.TokenTTL = v
	}
	if v, err := strconv.Atoi(os.Getenv("CONVEYOR_TEMPORAL_PORT")); err == nil {
		c.TemporalPort = v
	}
	c.defaultSecurity()
	return c
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// The flag groups a command takes.
const (
	flagHTTP = 1 << iota
	flagDB
	flagTemporal
	flagDev
)

func (c *config) register(fs *flag.FlagSet, groups int) {
	if groups&flagHTTP != 0 {
		fs.StringVar(&c.HTTPAddr, "http", c.HTTPAddr, "HTTP listen address (CONVEYOR_HTTP_ADDR)")
		fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "lifetime of API tokens (CONVEYOR_TOKEN_TTL)")
		fs.StringVar(&c.TimeZone, "time-zone", c.TimeZone, "time zone of the web UI, e.g. Europe/Moscow (CONVEYOR_TIME_ZONE)")
	}
	if groups&flagDB != 0 {
		fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	}
	if groups&flagTemporal != 0 {
		fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port (TEMPORAL_ADDRESS)")
		fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (TEMPORAL_NAMESPACE)")
	}
	if groups&flagDev != 0 {
		fs.StringVar(&c.Dir, "dir", c.Dir, "data directory of the local PostgreSQL and Temporal (CONVEYOR_DIR)")
		fs.IntVar(&c.TemporalPort, "temporal-port", c.TemporalPort, "port of the embedded Temporal frontend (CONVEYOR_TEMPORAL_PORT)")
	}
	c.registerSecurity(fs, groups)
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (CONVEYOR_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (CONVEYOR_LOG_FORMAT)")
}

// Validate checks the settings the groups need.
func (c config) Validate(groups int) error {
	var problems []error
	if groups&flagDB != 0 && c.DatabaseURL == "" {
		problems = append(problems, errors.New("DATABASE_URL (or --database-url) is required: a PostgreSQL URL such as postgres://user:pass@host:5432/conveyor"))
	}
	if groups&flagTemporal != 0 && c.TemporalAddress == "" {
		problems = append(problems, errors.New("TEMPORAL_ADDRESS (or --temporal-address) is required"))
	}
	if c.MaxCompletionBytes < 1024 || c.MaxCompletionBytes > definitions.MaxDataBytes {
		problems = append(problems, fmt.Errorf("CONVEYOR_MAX_COMPLETION_BYTES must be between 1024 and %d, not %d", definitions.MaxDataBytes, c.MaxCompletionBytes))
	}
	if _, err := updateauth.NewKey(c.UpdateKey); groups&flagTemporal != 0 && err != nil {
		problems = append(problems, fmt.Errorf("CONVEYOR_UPDATE_KEY is required, the same on every server and worker (e.g. `openssl rand -hex 32`): %w", err))
	}
	if groups&flagHTTP != 0 && c.TokenTTL <= 0 {
		problems = append(problems, errors.New("--token-ttl must be positive"))
	}
	if _, err := time.LoadLocation(c.TimeZone); groups&flagHTTP != 0 && err != nil {
		problems = append(problems, fmt.Errorf("--time-zone: %w", err))
	}
	if _, err := c.level(); err != nil {
		problems = append(problems, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	problems = append(problems, c.validateSecurity(groups)...)
	return errors.Join(problems...)
}

// applyLimits puts the limits that live in pure packages into force, once,
// before anything serves.
func (c config) applyLimits() {
	definitions.MaxDataBytes = c.MaxCompletionBytes
}

// updateKey is the configured key; Validate has checked it.
func (c config) updateKey() updateauth.Key {
	k, _ := updateauth.NewKey(c.UpdateKey)
	return k
}

func (c config) level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(strings.ToUpper(c.LogLevel)))
	if err != nil {
		return l, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel)
	}
	return l, nil
}

func (c config) logger(w io.Writer) *slog.Logger {
	level, _ := c.level()
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse registers the groups' flags, parses args and validates.
func parse(name string, args []string, stderr io.Writer, groups int, validate int) (config, *flag.FlagSet, error) {
	c := defaultConfig()
	if groups&flagDev != 0 { // demo passwords: this machine only, unless told otherwise
		c.HTTPAddr = env("CONVEYOR_HTTP_ADDR", devHTTPAddr)
	}
	fs := newFlagSet(name, stderr)
	c.register(fs, groups)
	if err := fs.Parse(args); err != nil {
		return c, fs, exitCode(2)
	}
	if err := c.Validate(validate); err != nil {
		return c, fs, err
	}
	return c, fs, nil
}
