package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIHandler is the real router; building it needs no store or Temporal.
func openAPIHandler(t *testing.T) *gin.Engine {
	t.Helper()
	h := (&Server{Metrics: NewMetrics(nil)}).Handler()
	engine, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("Handler() is a %T, not a *gin.Engine", h)
	}
	return engine
}

type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    *struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Security   []map[string][]string                 `json:"security"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
		Schemas         map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

type openAPIOperation struct {
	Security   *[]map[string][]string `json:"security"`
	Parameters []openAPIParameter     `json:"parameters"`
	Responses  map[string]json.RawMessage
}

type openAPIParameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

var openAPIMethods = []string{"get", "put", "post", "patch", "delete", "head", "options", "trace"}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	if doc.Info == nil || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Error("info needs a title and a version")
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths")
	}
	if _, ok := doc.Components.SecuritySchemes["bearerAuth"]; !ok {
		t.Error("no bearerAuth security scheme")
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("security = %v, want bearerAuth for everything by default", doc.Security)
	}
	for _, name := range []string{"Problem", "FieldError", "List"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("no schema %s", name)
		}
	}

	// Public operations opt out of the bearer scheme, and only they do.
	public := []string{
		"GET /api/v1/openapi.json", "GET /api/v1/schema/definition.json", "GET /api/v1/schema/view.json", "GET /healthz",
		"GET /metrics", "GET /readyz", "POST /api/v1/auth/token",
	}
	var open []string
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for p, item := range doc.Paths {
		var shared []openAPIParameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				t.Fatalf("%s parameters: %v", p, err)
			}
		}
		for method, raw := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue
			}
			name := strings.ToUpper(method) + " " + p
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if op.Security != nil && len(*op.Security) == 0 {
				open = append(open, name)
			}
			success := false
			for code := range op.Responses {
				success = success || strings.HasPrefix(code, "2")
			}
			if !success {
				t.Errorf("%s has no success response", name)
			}
			// Every {param} of the path is declared as a path parameter.
			declared := map[string]bool{}
			for _, prm := range append(slices.Clone(shared), op.Parameters...) {
				if prm.In == "path" {
					declared[prm.Name] = true
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(p, -1) {
				if !declared[m[1]] {
					t.Errorf("%s does not declare the path parameter %s", name, m[1])
				}
				delete(declared, m[1])
			}
			for extra := range declared {
				t.Errorf("%s declares a path parameter %s that is not in its path", name, extra)
			}
		}
	}
	sort.Strings(open)
	if !slices.Equal(open, public) {
		t.Errorf("operations without authentication:\n  %v\nwant:\n  %v", open, public)
	}
}

// TestOpenAPIRoutes holds the document and the router to each other: every
// route is documented and every documented operation is routed.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]bool{}
	for p, item := range doc.Paths {
		for method := range item {
			if slices.Contains(openAPIMethods, method) {
				documented[strings.ToUpper(method)+" "+p] = true
			}
		}
	}
	ginParam := regexp.MustCompile(`[:*]([^/]+)`)
	routed := map[string]bool{}
	for _, r := range openAPIHandler(t).Routes() {
		// The web UI's pages are not the API.
		if !strings.HasPrefix(r.Path, "/api/") && !slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, r.Path) {
			continue
		}
		routed[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var undocumented, unrouted []string
	for k := range routed {
		if !documented[k] {
			undocumented = append(undocumented, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unrouted)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from openapi.json:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unrouted) > 0 {
		t.Errorf("documented operations the router does not serve:\n  %s", strings.Join(unrouted, "\n  "))
	}
}

// TestOpenAPIRefs checks that every $ref points at something in the
// document, and that every component schema compiles as JSON Schema 2020-12.
func TestOpenAPIRefs(t *testing.T) {
	var root any
	if err := json.Unmarshal(openAPIDocument, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				s, _ := ref.(string)
				if !strings.HasPrefix(s, "#/components/") {
					t.Errorf("%s: $ref %q is not a local component", at, ref)
				} else if _, ok := pointer(root, strings.TrimPrefix(s, "#")); !ok {
					t.Errorf("%s: $ref %q resolves to nothing", at, s)
				}
			}
			for k, e := range v {
				walk(at+"/"+k, e)
			}
		case []any:
			for _, e := range v {
				walk(at+"/[]", e)
			}
		}
	}
	walk("#", root)

	const url = "mem:///openapi.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, root); err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPI(t)
	for name := range doc.Components.Schemas {
		if _, err := c.Compile(url + "#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}

// pointer resolves a JSON pointer in v.
func pointer(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return v, true
}

func TestOpenAPIServed(t *testing.T) {
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, openAPIDocument) {
		t.Fatal("the embedded document differs from openapi.json")
	}
	srv := httptest.NewServer(openAPIHandler(t))
	defer srv.Close()
	// No Authorization header: anyone may read the document.
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if !bytes.Equal(body, file) {
		t.Errorf("served %d bytes that differ from openapi.json (%d bytes)", len(body), len(file))
	}
}
