package workflows_test

import (
	"encoding/json"
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/workflows"
	"github.com/conveyorhq/conveyor/workflows/wire"
)

var updatePayloads = flag.Bool("update-payloads", false, "rewrite testdata/payloads.golden")

// Everything the workflow writes into a history, one value of each: their
// JSON is the histories' format. A change here changes what running
// processes replay, so it must be deliberate (-update-payloads) and come
// with a workflow.GetVersion where old histories need it.
func TestWorkflowPayloadsKeepTheirFormat(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	due := at.Add(48 * time.Hour)
	progress := 20
	item := wire.WorkItem{ID: "p.2", ProcessID: "p", Seq: 2, Definition: "sales", Stage: "deal", Title: "Deal",
		Assignee: "maria", State: "attention", PlannedStart: at, Due: &due, CreatedAt: at, CompletedBy: "ivan",
		Data: json.RawMessage(`{"result":"won"}`), DelegatedFrom: "olga", ClientName: "Acme"}
	result := workflows.CompleteResult{Item: &item, Next: []wire.WorkItem{item}, End: "won", State: wire.Completed}
	payloads := []struct {
		name  string
		value any
	}{
		{"CompleteRequest", workflows.CompleteRequest{ItemID: "p.1", Data: json.RawMessage(`{"result":"interested"}`), By: "ivan",
			Next: workflows.NextOverride{Assignee: "sergey", PlannedStart: &at, Due: &due}}},
		{"CompleteResult", result},
		{"ReassignRequest", workflows.ReassignRequest{ItemID: "p.1", To: "maria", By: "olga", Note: "call after lunch"}},
		{"CancelRequest", workflows.CancelRequest{By: "olga", Reason: "the client closed"}},
		{"MoveRequest", workflows.MoveRequest{ItemID: "p.1", To: "service", Assignee: "sergey", By: "olga"}},
		{"SyncRequest", workflows.SyncRequest{State: wire.Running, ItemID: "p.2", Assignee: "maria", By: "system:reconciler"}},
		{"Input", workflows.Input{ProcessID: "p", Plan: &definitions.Plan{ID: "sales", Start: "cold_call"}, Version: 1,
			BusinessKey: "acme", Client: definitions.Client{ID: "c", Name: "Acme"}, Vars: json.RawMessage(`{}`), StartedAt: at,
			Current: &workflows.Item{ID: "p.2", Seq: 2, Stage: "deal", Assignee: "maria", Due: &due}, Seq: 2,
			Recent: []workflows.Applied{{UpdateID: "u", Result: result}}}},
		{"Step", wire.Step{ProcessID: "p", Progress: &progress, UpdateID: "u", End: "",
			Close: &wire.CloseItem{ItemID: "p.1", Data: json.RawMessage(`{}`), By: "ivan"},
			Open: &wire.OpenItem{ItemID: "p.2", Seq: 2, Stage: "deal", Title: "Deal", Chosen: "maria", PlannedStart: at, Due: &due,
				Rule: definitions.Assignee{Kind: definitions.AssignTeam, Team: "deal-makers", Pick: definitions.PickLeastLoaded}}}},
		{"StepOutput", wire.StepOutput{Closed: &item, Next: &item}},
		{"ProcessInput", wire.ProcessInput{ProcessID: "p", Reason: "why", By: "olga", UpdateID: "u"}},
		{"ReassignInput", wire.ReassignInput{ItemID: "p.1", To: "maria", By: "olga", UpdateID: "u", Note: "call after lunch"}},
		{"OverdueInput", wire.OverdueInput{ItemID: "p.1"}},
		{"OverdueOutput", wire.OverdueOutput{Escalated: true}},
		{"SyncView", wire.SyncView{State: wire.Running, Open: &item, Closed: &item, UpdateID: "u", Attention: "why"}},
	}
	var got strings.Builder
	for _, p := range payloads {
		b, err := json.Marshal(p.value)
		require.NoError(t, err)
		got.WriteString(p.name + " " + string(b) + "\n")
	}
	golden := filepath.Join("testdata", "payloads.golden")
	if *updatePayloads {
		require.NoError(t, os.WriteFile(golden, []byte(got.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), got.String(), "a workflow payload changed: run with -update-payloads if it is meant to")
}

// The workflow and its payloads depend on nothing that serves requests or
// stores rows, so neither an API body nor a table can reach a history.
func TestTheWorkflowImportsNeitherTheStoreNorTheSurfaces(t *testing.T) {
	forbidden := []string{"/store", "/server", "/web", "/services", "/activities", "/processes"}
	for _, dir := range []string{".", "wire"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					require.False(t, strings.HasPrefix(path, "github.com/conveyorhq/conveyor"+bad), "%s imports %s", f, path)
				}
			}
		}
	}
}
