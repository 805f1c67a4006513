package deploy

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/require"
)

const (
	composePath    = "../docker-compose.yml"
	dockerfilePath = "../Dockerfile"
	initSQLPath    = "postgres-init.sql"
)

// composeFile is the part of the Compose specification the tests look at.
type composeFile struct {
	Version  *string            `yaml:"version"`
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string       `yaml:"image"`
	Build       any          `yaml:"build"`
	Command     command      `yaml:"command"`
	Environment environment  `yaml:"environment"`
	DependsOn   dependsOn    `yaml:"depends_on"`
	Healthcheck *healthcheck `yaml:"healthcheck"`
	Ports       []string     `yaml:"ports"`
	Profiles    []string     `yaml:"profiles"`
	Volumes     []string     `yaml:"volumes"`
	Restart     string       `yaml:"restart"`
	Deploy      struct {
		Replicas *int `yaml:"replicas"`
	} `yaml:"deploy"`
}

type healthcheck struct {
	Test    any  `yaml:"test"`
	Disable bool `yaml:"disable"`
}

// command is a service's command, written either as a list or as a string.
type command []string

func (c *command) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	if err := unmarshal(&list); err == nil {
		*c = list
		return nil
	}
	var s string
	if err := unmarshal(&s); err != nil {
		return fmt.Errorf("command: want a list or a string: %w", err)
	}
	*c = strings.Fields(s)
	return nil
}

// environment is a service's environment, written either as a map
// (KEY: value) or as a list ("KEY=value"). A variable without a value
// (KEY: or "KEY") is taken from the host; it maps to "".
type environment map[string]string

func (e *environment) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	if err := unmarshal(&list); err == nil {
		env := environment{}
		for _, item := range list {
			k, v, _ := strings.Cut(item, "=")
			env[k] = v
		}
		*e = env
		return nil
	}
	var m map[string]any
	if err := unmarshal(&m); err != nil {
		return fmt.Errorf("environment: want a map or a list: %w", err)
	}
	env := environment{}
	for k, v := range m {
		if v == nil {
			env[k] = ""
			continue
		}
		env[k] = fmt.Sprint(v)
	}
	*e = env
	return nil
}

// resolved returns the value of key with the Compose interpolation done as
// if no variable were set in the shell: ${VAR:-default} and ${VAR-default}
// give their default, ${VAR} gives "", $$ gives $.
func (e environment) resolved(key string) string {
	return os.Expand(e[key], func(name string) string {
		if name == "$" {
			return "$"
		}
		for _, sep := range []string{":-", "-"} {
			if _, def, ok := strings.Cut(name, sep); ok {
				return def
			}
		}
		return ""
	})
}

// dependsOn maps each dependency to its condition; the short (list) syntax
// means service_started.
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(unmarshal func(any) error) error {
	var list []string
	if err := unmarshal(&list); err == nil {
		deps := dependsOn{}
		for _, name := range list {
			deps[name] = "service_started"
		}
		*d = deps
		return nil
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := unmarshal(&m); err != nil {
		return fmt.Errorf("depends_on: want a map or a list: %w", err)
	}
	deps := dependsOn{}
	for name, dep := range m {
		cond := dep.Condition
		if cond == "" {
			cond = "service_started"
		}
		deps[name] = cond
	}
	*d = deps
	return nil
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(composePath)
	require.NoError(t, err)
	var cf composeFile
	require.NoError(t, yaml.Unmarshal(data, &cf), "parse %s", composePath)
	return cf
}

func mustService(t *testing.T, cf composeFile, name string) service {
	t.Helper()
	svc, ok := cf.Services[name]
	require.Truef(t, ok, "service %q is missing", name)
	return svc
}

func TestComposeFileParses(t *testing.T) {
	cf := loadCompose(t)
	require.NotEmpty(t, cf.Services)
	require.Nil(t, cf.Version, "the Compose spec has no top-level version key")
}

func TestComposeNamesExactlyTheSixServices(t *testing.T) {
	cf := loadCompose(t)
	var names []string
	for name := range cf.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	require.Equal(t, []string{"migrate", "postgres", "server", "temporal", "temporal-ui", "worker"}, names)
}

func TestServerAndWorkerRunTheirSubcommand(t *testing.T) {
	cf := loadCompose(t)
	for _, name := range []string{"migrate", "server", "worker"} {
		t.Run(name, func(t *testing.T) {
			svc := mustService(t, cf, name)
			require.NotNil(t, svc.Build, "%s is built from the repository's Dockerfile", name)
			require.Equal(t, command{name}, svc.Command)
		})
	}
}

func TestServerAndWorkerReachPostgresAndTemporal(t *testing.T) {
	cf := loadCompose(t)
	migrateURL := mustService(t, cf, "migrate").Environment.resolved("DATABASE_URL")
	for _, name := range []string{"migrate", "server", "worker"} {
		t.Run(name, func(t *testing.T) {
			env := mustService(t, cf, name).Environment
			dsn := env.resolved("DATABASE_URL")
			require.NotEmpty(t, dsn, "DATABASE_URL is set")
			u, err := url.Parse(dsn)
			require.NoError(t, err)
			require.Contains(t, []string{"postgres", "postgresql"}, u.Scheme)
			require.Equal(t, "postgres", u.Hostname())
			require.Equal(t, "/conveyor", u.Path, "Conveyor uses its own database, not Temporal's")
			require.Equal(t, migrateURL, dsn, "%s uses the database migrate migrated", name)
			if name != "migrate" {
				require.Equal(t, "temporal:7233", env.resolved("TEMPORAL_ADDRESS"))
				// Servers sign their Updates and workers check them with one
				// key, which compose demands instead of defaulting.
				require.Contains(t, env["CONVEYOR_UPDATE_KEY"], "${CONVEYOR_UPDATE_KEY:?")
			}
		})
	}
}

func TestServerPublishesItsHTTPPort(t *testing.T) {
	cf := loadCompose(t)
	require.Contains(t, mustService(t, cf, "server").Ports, "8080:8080")
}

func TestWorkerRunsSeveralReplicas(t *testing.T) {
	cf := loadCompose(t)
	replicas := mustService(t, cf, "worker").Deploy.Replicas
	require.NotNil(t, replicas)
	require.GreaterOrEqual(t, *replicas, 2)
}

func TestTemporalPersistsToPostgres(t *testing.T) {
	cf := loadCompose(t)
	temporal := mustService(t, cf, "temporal")
	env := temporal.Environment
	require.True(t, strings.HasPrefix(temporal.Image, "temporalio/auto-setup:"), "image %q", temporal.Image)
	require.Equal(t, "postgres12", env.resolved("DB"))
	require.Equal(t, "postgres", env.resolved("POSTGRES_SEEDS"))
	require.Equal(t, "5432", env.resolved("DB_PORT"))
	require.NotEmpty(t, env.resolved("POSTGRES_USER"))
	require.NotEmpty(t, env.resolved("POSTGRES_PWD"))

	// Temporal logs in with the superuser credentials of the postgres service.
	pg := mustService(t, cf, "postgres").Environment
	require.Equal(t, pg.resolved("POSTGRES_USER"), env.resolved("POSTGRES_USER"))
	require.Equal(t, pg.resolved("POSTGRES_PASSWORD"), env.resolved("POSTGRES_PWD"))
}

// Temporal's frontend and web UI have no authentication of their own:
// neither is published, but the UI to this host only, when asked for.
func TestNoTemporalPortIsPublished(t *testing.T) {
	cf := loadCompose(t)
	require.Empty(t, mustService(t, cf, "temporal").Ports, "the frontend is reached on the compose network only")
	require.Empty(t, mustService(t, cf, "postgres").Ports)
	ui := mustService(t, cf, "temporal-ui")
	require.NotEmpty(t, ui.Profiles, "the UI starts only with its profile")
	for _, p := range ui.Ports {
		require.True(t, strings.HasPrefix(p, "127.0.0.1:"), "the UI listens on this host only: %q", p)
	}
}

func TestTemporalUIPointsAtTemporal(t *testing.T) {
	cf := loadCompose(t)
	ui := mustService(t, cf, "temporal-ui")
	require.Equal(t, "temporal:7233", ui.Environment.resolved("TEMPORAL_ADDRESS"))
	require.Contains(t, ui.Ports, "127.0.0.1:8233:8080")
}

func TestServerAndWorkerWaitForMigrationsAndTemporal(t *testing.T) {
	cf := loadCompose(t)
	for _, name := range []string{"server", "worker"} {
		t.Run(name, func(t *testing.T) {
			deps := mustService(t, cf, name).DependsOn
			require.Equal(t, "service_completed_successfully", deps["migrate"])
			require.Contains(t, deps, "temporal")
		})
	}
}

func TestMigrateWaitsForAHealthyPostgres(t *testing.T) {
	cf := loadCompose(t)
	migrate := mustService(t, cf, "migrate")
	require.Equal(t, "service_healthy", migrate.DependsOn["postgres"])
	require.Equal(t, "no", migrate.Restart, "a one-shot job must not be restarted")

	pg := mustService(t, cf, "postgres")
	require.NotNil(t, pg.Healthcheck, "postgres has a healthcheck")
	require.False(t, pg.Healthcheck.Disable)
	require.Contains(t, fmt.Sprint(pg.Healthcheck.Test), "pg_isready")
}

func TestEveryDependencyIsAnExistingService(t *testing.T) {
	cf := loadCompose(t)
	valid := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for name, svc := range cf.Services {
		for dep, cond := range svc.DependsOn {
			_, exists := cf.Services[dep]
			require.Truef(t, exists, "%s depends on unknown service %q", name, dep)
			require.NotEqualf(t, name, dep, "%s depends on itself", name)
			require.Containsf(t, valid, cond, "%s -> %s: condition", name, dep)
			if cond == "service_healthy" {
				require.NotNilf(t, cf.Services[dep].Healthcheck, "%s waits for %s to be healthy but it has no healthcheck", name, dep)
			}
		}
	}
}

func TestEveryImageIsPinnedToATag(t *testing.T) {
	cf := loadCompose(t)
	for name, svc := range cf.Services {
		if svc.Image == "" {
			require.NotNilf(t, svc.Build, "%s has neither image nor build", name)
			continue
		}
		tag, ok := imageTag(svc.Image)
		require.Truef(t, ok, "%s: image %q has no tag", name, svc.Image)
		require.NotEqualf(t, "latest", tag, "%s: image %q", name, svc.Image)
	}
}

// imageTag returns the tag of an image reference, or the digest if it is
// pinned by digest.
func imageTag(ref string) (string, bool) {
	if _, digest, ok := strings.Cut(ref, "@"); ok {
		return digest, digest != ""
	}
	lastSlash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	if colon < lastSlash || colon == -1 { // a colon before the last / is a registry port
		return "", false
	}
	tag := ref[colon+1:]
	return tag, tag != ""
}

func TestImageTagHandlesRegistryPortsAndDigests(t *testing.T) {
	for ref, want := range map[string]string{
		"postgres:15":                      "15",
		"temporalio/auto-setup:1.29.1":     "1.29.1",
		"localhost:5000/conveyor:v1":       "v1",
		"postgres@sha256:abc":              "sha256:abc",
		"localhost:5000/conveyor":          "",
		"postgres":                         "",
		"gcr.io/distroless/static:nonroot": "nonroot",
	} {
		tag, ok := imageTag(ref)
		require.Equal(t, want, tag, ref)
		require.Equal(t, want != "", ok, ref)
	}
}

func TestPostgresRunsTheInitScript(t *testing.T) {
	cf := loadCompose(t)
	var mounted bool
	for _, v := range mustService(t, cf, "postgres").Volumes {
		src, rest, _ := strings.Cut(v, ":")
		if src == "./deploy/"+initSQLPath && strings.HasPrefix(rest, "/docker-entrypoint-initdb.d/") {
			mounted = true
		}
	}
	require.True(t, mounted, "deploy/%s is mounted into /docker-entrypoint-initdb.d", initSQLPath)
}

func TestInitSQLCreatesTheTemporalDatabases(t *testing.T) {
	data, err := os.ReadFile(initSQLPath)
	require.NoError(t, err)
	sql := string(data)
	for _, db := range []string{"temporal", "temporal_visibility"} {
		re := regexp.MustCompile(`(?im)^\s*CREATE\s+DATABASE\s+"?` + db + `"?\s*(;|\s)`)
		require.Regexpf(t, re, sql, "creates database %s", db)
	}

	// The names agree with what Temporal is told to use.
	env := mustService(t, loadCompose(t), "temporal").Environment
	for key, def := range map[string]string{"DBNAME": "temporal", "VISIBILITY_DBNAME": "temporal_visibility"} {
		if v := env.resolved(key); v != "" {
			require.Equal(t, def, v, key)
		}
	}
}

func TestEnvironmentAcceptsMapAndListForms(t *testing.T) {
	const doc = `
services:
  a:
    environment:
      DB_PORT: 5432
      FLAG: true
      FROM_HOST:
      URL: postgres://u:${PW:-secret}@postgres/conveyor
    depends_on: [b]
  b:
    environment:
      - DB_PORT=5432
      - FROM_HOST
      - URL=postgres://u:${PW:-secret}@postgres/conveyor
    depends_on:
      a:
        condition: service_healthy
`
	var cf composeFile
	require.NoError(t, yaml.Unmarshal([]byte(doc), &cf))
	for _, name := range []string{"a", "b"} {
		env := cf.Services[name].Environment
		require.Equal(t, "5432", env.resolved("DB_PORT"), name)
		require.Contains(t, env, "FROM_HOST", name)
		require.Equal(t, "postgres://u:secret@postgres/conveyor", env.resolved("URL"), name)
	}
	require.Equal(t, "true", cf.Services["a"].Environment["FLAG"])
	require.Equal(t, dependsOn{"b": "service_started"}, cf.Services["a"].DependsOn)
	require.Equal(t, dependsOn{"a": "service_healthy"}, cf.Services["b"].DependsOn)
}

// dockerStage is one FROM ... stage of a Dockerfile, with its instructions
// (continuation lines joined, comments dropped).
type dockerStage struct {
	From         string
	Instructions []string
}

func parseDockerfile(t *testing.T) []dockerStage {
	t.Helper()
	f, err := os.Open(dockerfilePath)
	require.NoError(t, err)
	defer f.Close()

	var stages []dockerStage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		if strings.EqualFold(firstWord(line), "FROM") {
			stages = append(stages, dockerStage{From: line})
			return
		}
		require.NotEmpty(t, stages, "instruction before the first FROM: %s", line)
		stages[len(stages)-1].Instructions = append(stages[len(stages)-1].Instructions, line)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if body, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	require.NoError(t, sc.Err())
	flush()
	return stages
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

func TestDockerfileBuildsConveyorAndRunsAsNonRoot(t *testing.T) {
	stages := parseDockerfile(t)
	require.GreaterOrEqual(t, len(stages), 2, "multi-stage build")

	builds := slices.ContainsFunc(stages[:len(stages)-1], func(s dockerStage) bool {
		return slices.ContainsFunc(s.Instructions, func(in string) bool {
			return strings.EqualFold(firstWord(in), "RUN") &&
				strings.Contains(in, "go build") &&
				strings.Contains(in, "CGO_ENABLED=0") &&
				strings.Contains(in, "-o /conveyor") &&
				strings.HasSuffix(in, "./cmd/conveyor")
		})
	})
	require.True(t, builds, "a build stage runs `CGO_ENABLED=0 go build ... -o /conveyor ./cmd/conveyor`")

	final := stages[len(stages)-1]
	var user, entrypoint string
	var copiesBinary bool
	for _, in := range final.Instructions {
		word, rest, _ := strings.Cut(in, " ")
		switch strings.ToUpper(word) {
		case "USER":
			user = strings.TrimSpace(rest)
		case "ENTRYPOINT":
			entrypoint = strings.TrimSpace(rest)
		case "COPY":
			copiesBinary = copiesBinary || (strings.Contains(rest, "--from=") && strings.Contains(rest, "/conveyor"))
		}
	}
	require.True(t, copiesBinary, "the final stage copies /conveyor from the build stage")
	require.NotEmpty(t, user, "the final stage sets USER")
	name, _, _ := strings.Cut(user, ":")
	require.NotContains(t, []string{"root", "0"}, name, "the final stage runs as a non-root user")
	require.Equal(t, `["/conveyor"]`, entrypoint)
}
