package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/testenv"
)

// The funnel through the API counts what the conveyor did: two processes
// started, one past the cold call to a won deal, one refused; stages in the
// plan's order, ends by count; a bad period says where.
func TestTheFunnelCountsTheConveyorsWork(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan, maria, sergey := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey")
	won := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "f-won", "variables": map[string]any{"source": "website"}})
	refused := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "f-refused", "variables": map[string]any{"source": "website"}})
	c := complete(t, e, ivan, openItem(t, e, olga, won.ID).ID, map[string]any{"data": map[string]any{"result": "interested"}})
	d := complete(t, e, maria, c.Next[0].ID, map[string]any{"data": map[string]any{"result": "won", "amount": 900}, "next": map[string]any{"assignee": "sergey"}})
	complete(t, e, sergey, d.Next[0].ID, map[string]any{"data": map[string]any{"result": "done"}})
	complete(t, e, ivan, openItem(t, e, olga, refused.ID).ID, map[string]any{"data": map[string]any{"result": "refused"}})

	var f struct {
		Processes int
		Stages    []struct {
			Stage         string
			Reached, Left int
			Conversion    float64
		}
		Ends []struct {
			End   string
			Count int
		}
	}
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/analytics/funnel?definition=sales", olga, nil, &f))
	require.Equal(t, 2, f.Processes)
	require.Len(t, f.Stages, 3)
	require.Equal(t, "cold_call", f.Stages[0].Stage)
	require.Equal(t, 2, f.Stages[0].Reached)
	require.Equal(t, 2, f.Stages[0].Left)
	require.Equal(t, "deal", f.Stages[1].Stage)
	require.Equal(t, 1, f.Stages[1].Reached)
	require.Equal(t, "service", f.Stages[2].Stage)
	require.InDelta(t, 1.0, f.Stages[2].Conversion, 1e-9)
	require.Len(t, f.Ends, 2)
	require.Equal(t, 1, f.Ends[0].Count)

	status, body := e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&from=yesterday", olga, nil)
	require.Equal(t, "must be a date YYYY-MM-DD", requireRefused(t, status, body, "from"))
	status, body = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&from=2026-12-10&to=2026-12-01", olga, nil)
	require.Equal(t, "must be after from", requireRefused(t, status, body, "/to"))
	var money struct {
		SumOf  string
		Stages []struct{ Sum float64 }
	}
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/analytics/funnel?definition=sales&sum=amount", olga, nil, &money))
	require.Equal(t, "amount", money.SumOf)
	require.InDelta(t, 900, money.Stages[1].Sum, 1e-9, "the won deal's amount, next to the deal's counts")
	status, body = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=sales&sum=result", olga, nil)
	require.Equal(t, "not a number field of any stage's form", requireRefused(t, status, body, "/sum"))
	status, _ = e.Raw(t, "GET", "/api/v1/analytics/funnel?definition=nothing", olga, nil)
	require.Equal(t, http.StatusNotFound, status)
}

// The report through the API holds every section over what the conveyor
// did: the funnel in both kinds, the handoffs from the caller to the deal
// maker to the service manager, the weeks, the ends with their reasons; a
// parameter it refuses is named by its path.
func TestTheReportHoldsEverySection(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan, maria, sergey := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey")
	won := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "r-won", "variables": map[string]any{"source": "website"}})
	refused := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "r-refused", "variables": map[string]any{"source": "website"}})
	c := complete(t, e, ivan, openItem(t, e, olga, won.ID).ID, map[string]any{"data": map[string]any{"result": "interested"}})
	d := complete(t, e, maria, c.Next[0].ID, map[string]any{"data": map[string]any{"result": "won", "amount": 900}, "next": map[string]any{"assignee": "sergey"}})
	complete(t, e, sergey, d.Next[0].ID, map[string]any{"data": map[string]any{"result": "done"}})
	complete(t, e, ivan, openItem(t, e, olga, refused.ID).ID, map[string]any{"data": map[string]any{"result": "refused"}})

	var r struct {
		Definition string
		AsOf       time.Time
		Processes  int
		ReasonsOf  string
		Stages     []struct {
			Stage                           string
			Reached, InOrder, Left, DropOff int
			Conversion, ToNext, Sum         float64
			Items, Overdue                  int
		}
		Handoffs []struct {
			From, To         string
			Count, Converted int
			GapP50Seconds    float64
		}
		Chains []struct {
			People []string
			Count  int
		}
		Executors   []struct{ Login string }
		Weeks       []string
		Completions []struct {
			Login  string
			Counts []int
			Total  int
		}
		HeatMap []struct {
			Stage  string
			Counts []int
		}
		Ends []struct {
			End     string
			Count   int
			Reasons []struct {
				Stage, Value, Title string
				Count               int
			}
		}
		Cancelled struct{ Count int }
		Cohorts   []struct {
			Started int
			Stages  []struct {
				Stage   string
				Reached int
				Sum     float64
			}
			Ends map[string]int
		}
		Names map[string]string
	}
	status, raw := e.Raw(t, "GET", "/api/v1/analytics/report?definition=sales&sum=amount", olga, nil)
	require.Equal(t, http.StatusOK, status, string(raw))
	require.NoError(t, json.Unmarshal(raw, &r))
	requireDocumented(t, e, "Report", raw)
	require.Equal(t, "sales", r.Definition)
	require.False(t, r.AsOf.IsZero(), "the figures say when they are true of")
	require.Equal(t, 2, r.Processes)
	require.Equal(t, "result", r.ReasonsOf)
	require.Len(t, r.Stages, 3)
	require.Equal(t, "cold_call", r.Stages[0].Stage)
	require.Equal(t, 2, r.Stages[0].Reached)
	require.Equal(t, 2, r.Stages[0].InOrder)
	require.InDelta(t, 0.5, r.Stages[0].ToNext, 1e-9, "one of the two went on to the deal")
	require.Equal(t, 1, r.Stages[1].InOrder)
	require.Zero(t, r.Stages[1].DropOff)
	require.InDelta(t, 900, r.Stages[1].Sum, 1e-9)
	require.Equal(t, 2, r.Stages[0].Items, "a work item each")
	require.Zero(t, r.Stages[0].Overdue, "none is two days old")
	require.Len(t, r.Handoffs, 2)
	pairs := []string{r.Handoffs[0].From + ">" + r.Handoffs[0].To, r.Handoffs[1].From + ">" + r.Handoffs[1].To}
	require.ElementsMatch(t, []string{"ivan>maria", "maria>sergey"}, pairs)
	require.Zero(t, r.Handoffs[0].GapP50Seconds, "a step leaves and enters at once")
	require.Equal(t, 1, r.Handoffs[0].Converted)
	require.Len(t, r.Chains, 2)
	chains := map[string]int{}
	for _, c := range r.Chains {
		chains[strings.Join(c.People, " -> ")] = c.Count
	}
	require.Equal(t, map[string]int{"ivan -> maria -> sergey": 1, "ivan": 1}, chains, "manager 1 -> 2 -> 3")
	require.NotEmpty(t, r.Weeks)
	require.Len(t, r.Executors, 3)
	total := map[string]int{}
	for _, c := range r.Completions {
		require.Len(t, c.Counts, len(r.Weeks))
		total[c.Login] = c.Total
	}
	require.Equal(t, map[string]int{"ivan": 2, "maria": 1, "sergey": 1}, total)
	require.Len(t, r.HeatMap, 3)
	require.Len(t, r.Ends, 2)
	for _, end := range r.Ends {
		require.Equal(t, 1, end.Count)
		require.Len(t, end.Reasons, 1)
		if end.End == "lost" {
			require.Equal(t, "cold_call", end.Reasons[0].Stage)
			require.Equal(t, "refused", end.Reasons[0].Value)
			require.Equal(t, "Refused", end.Reasons[0].Title)
		}
	}
	require.Zero(t, r.Cancelled.Count)
	require.Len(t, r.Cohorts, 1)
	require.Equal(t, 2, r.Cohorts[0].Started)
	require.Equal(t, map[string]int{"won": 1, "lost": 1}, r.Cohorts[0].Ends)
	require.NotEmpty(t, r.Names["maria"])

	for _, c := range []struct{ query, path, message string }{
		{"version=two", "/version", "must be a version number from 1"},
		{"from=yesterday", "/from", "must be a date YYYY-MM-DD"},
		{"team=nobody", "/team", "unknown team"},
		{"segment=mars", "/segment", "unknown segment"},
		{"manager=ghost", "/manager", "unknown user"},
		{"reasons=amount", "/reasons", "not a text field of any stage's form"},
	} {
		status, body := e.Raw(t, "GET", "/api/v1/analytics/report?definition=sales&"+c.query, olga, nil)
		require.Equal(t, c.message, requireRefused(t, status, body, c.path), c.query)
	}
	status, _ = e.Raw(t, "GET", "/api/v1/analytics/report?definition=nothing", olga, nil)
	require.Equal(t, http.StatusNotFound, status)
}

// requireDocumented checks body against the schema name of the API's own
// OpenAPI document, and that every field it holds at the top is documented.
func requireDocumented(t *testing.T, e *testenv.Env, name string, body []byte) {
	t.Helper()
	status, doc := e.Raw(t, "GET", "/api/v1/openapi.json", "", nil)
	require.Equal(t, http.StatusOK, status)
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	require.NoError(t, c.AddResource("mem:///openapi.json", root))
	schema, err := c.Compile("mem:///openapi.json#/components/schemas/" + name)
	require.NoError(t, err)
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	require.NoError(t, err)
	require.NoError(t, schema.Validate(instance))
	var described struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(doc, &described))
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &fields))
	for f := range fields {
		require.Contains(t, described.Components.Schemas[name].Properties, f, "the %s field %s is documented", name, f)
	}
}
