package server_test

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/conveyorhq/conveyor/internal/pgtest"
	"github.com/conveyorhq/conveyor/internal/testenv"
	"github.com/conveyorhq/conveyor/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// -update-histories records the histories that workflows' replay test
// replays, under names not yet taken: an old recording is what running
// processes look like and is never overwritten (give a new shape a new
// name).
var updateHistories = flag.Bool("update-histories", false, "record new workflow histories in ../workflows/testdata/histories")

func saveHistory(t *testing.T, e *testenv.Env, workflowID, name string) {
	path := "../workflows/testdata/histories/" + name + ".json"
	if _, err := os.Stat(path); *updateHistories && os.IsNotExist(err) {
		e.SaveHistory(t, workflowID, path)
	}
}

type item = store.WorkItem

type itemList struct {
	Items []item `json:"items"`
	Next  string `json:"next"`
}

type processDetail struct {
	store.Process
	History []item `json:"history"`
}

type completion struct {
	Item  item   `json:"item"`
	Next  []item `json:"next"`
	End   string `json:"end"`
	State string `json:"state"`
}

type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
}

func publish(t *testing.T, e *testenv.Env, src []byte) {
	t.Helper()
	status, body := e.Raw(t, "POST", "/api/v1/definitions", e.Login(t, "anna"), src)
	require.Contains(t, []int{http.StatusCreated, http.StatusOK}, status, string(body))
}

func exampleYAML(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("../examples/sales-conveyor.yaml")
	require.NoError(t, err)
	return src
}

func start(t *testing.T, e *testenv.Env, token string, body map[string]any) store.Process {
	t.Helper()
	var p store.Process
	status := e.Do(t, "POST", "/api/v1/processes", token, body, &p)
	require.Contains(t, []int{http.StatusCreated, http.StatusOK}, status)
	return p
}

// openItem waits for the process's open work item (the workflow creates it
// moments after the start) and returns it.
func openItem(t *testing.T, e *testenv.Env, token, processID string) item {
	t.Helper()
	var found item
	require.Eventually(t, func() bool {
		var p processDetail
		if e.Do(t, "GET", "/api/v1/processes/"+processID, token, nil, &p) != http.StatusOK {
			return false
		}
		for _, w := range p.History {
			if w.Open() {
				found = w
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "process %s has no open work item", processID)
	return found
}

func complete(t *testing.T, e *testenv.Env, token, itemID string, body map[string]any) completion {
	t.Helper()
	var c completion
	status, raw := e.Raw(t, "POST", "/api/v1/work-items/"+itemID+"/complete", token, body)
	require.Equal(t, http.StatusOK, status, string(raw))
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

func TestThreeManagersPassAClientAlongTheConveyor(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga, ivan, maria, sergey := e.Login(t, "olga"), e.Login(t, "ivan"), e.Login(t, "maria"), e.Login(t, "sergey")

	p := start(t, e, olga, map[string]any{"definition": "sales", "businessKey": "acme", "variables": map[string]any{"source": "website"}})
	require.Equal(t, store.ProcessRunning, p.State)
	cold := openItem(t, e, olga, p.ID)
	require.Equal(t, "cold_call", cold.Stage)
	require.Equal(t, "ivan", cold.Assignee, "the only cold caller")
	require.Equal(t, store.ItemAttention, cold.State)
	require.Equal(t, cold.PlannedStart.Add(48*time.Hour), *cold.Due)

	var opened item
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/start", ivan, nil, &opened))
	require.Equal(t, store.ItemInProgress, opened.State)

	c := complete(t, e, ivan, cold.ID, map[string]any{"data": map[string]any{"result": "interested", "note": "wants a demo"}})
	require.Equal(t, store.ItemDone, c.Item.State)
	require.Len(t, c.Next, 1)
	deal := c.Next[0]
	require.Equal(t, "deal", deal.Stage)
	require.Equal(t, "maria", deal.Assignee)

	var mine itemList
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/work-items?assignee=me&state=open", maria, nil, &mine))
	require.Len(t, mine.Items, 1)
	require.Equal(t, deal.ID, mine.Items[0].ID, "the next manager sees it in their work")

	c = complete(t, e, maria, deal.ID, map[string]any{"data": map[string]any{"result": "won", "amount": 1500}, "next": map[string]any{"assignee": "sergey"}})
	service := c.Next[0]
	require.Equal(t, "service", service.Stage)
	require.Equal(t, "sergey", service.Assignee)

	var mid processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &mid))
	require.Equal(t, 70, mid.Progress)
	require.Equal(t, "service", mid.Stage)
	require.Equal(t, "sergey", mid.Assignee)

	c = complete(t, e, sergey, service.ID, map[string]any{"data": map[string]any{"result": "done"}})
	require.Empty(t, c.Next)
	require.Equal(t, "won", c.End)
	require.Equal(t, store.ProcessCompleted, c.State)

	var done processDetail
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes/"+p.ID, olga, nil, &done))
	require.Equal(t, store.ProcessCompleted, done.State)
	require.Equal(t, "won", done.End)
	require.Equal(t, 100, done.Progress)
	require.NotNil(t, done.CompletedAt)
	require.Len(t, done.History, 3)
	who := []string{}
	for _, w := range done.History {
		who = append(who, w.Stage+":"+w.CompletedBy)
	}
	require.Equal(t, []string{"cold_call:ivan", "deal:maria", "service:sergey"}, who)
	saveHistory(t, e, p.ID, "three-managers")
	require.JSONEq(t, `{"result":"interested","note":"wants a demo"}`, string(done.History[0].Data))

	var list struct{ Items []store.Process }
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/processes?state=completed", olga, nil, &list))
	require.Len(t, list.Items, 1)
	require.Equal(t, p.ID, list.Items[0].ID)
}

func TestTheSameBusinessKeyNeverStartsASecondProcess(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga := e.Login(t, "olga")
	body := map[string]any{"definition": "sales", "businessKey": "deal-42"}
	var first, second store.Process
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", olga, body, &first))
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes", olga, body, &second))
	require.Equal(t, first.ID, second.ID)
	openItem(t, e, olga, first.ID)

	var list struct{ Items []store.Process }
	e.Do(t, "GET", "/api/v1/processes", olga, nil, &list)
	require.Len(t, list.Items, 1)
	items, err := e.Store.ProcessItems(t.Context(), first.ID)
	require.NoError(t, err)
	require.Len(t, items, 1, "one process, one first work item")
}

func TestTwoConcurrentCompletionsOfOneItemSucceedOnce(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	ivan := e.Login(t, "ivan")
	p := start(t, e, e.Login(t, "olga"), map[string]any{"definition": "sales"})
	cold := openItem(t, e, ivan, p.ID)

	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i], _ = e.Raw(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", ivan,
				map[string]any{"data": map[string]any{"result": "interested"}})
		})
	}
	wg.Wait()
	require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, statuses)
	items, err := e.Store.ProcessItems(t.Context(), p.ID)
	require.NoError(t, err)
	require.Len(t, items, 2, "the closed item and exactly one next item")
}

func TestInvalidCompletionDataIsRefusedWithItsPathAndChangesNothing(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	ivan := e.Login(t, "ivan")
	p := start(t, e, e.Login(t, "olga"), map[string]any{"definition": "sales"})
	cold := openItem(t, e, ivan, p.ID)

	var prob problem
	status := e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", ivan,
		map[string]any{"data": map[string]any{"result": "perhaps", "callBackAt": "tomorrow"}}, &prob)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	paths := []string{}
	for _, fe := range prob.Errors {
		paths = append(paths, fe.Path)
	}
	require.ElementsMatch(t, []string{"/data/result", "/data/callBackAt"}, paths)

	status = e.Do(t, "POST", "/api/v1/work-items/"+cold.ID+"/complete", ivan, []byte(`{"data": {"result": 5}, "extra": 1}`), &prob)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "/extra", prob.Errors[0].Path)

	items, err := e.Store.ProcessItems(t.Context(), p.ID)
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.True(t, items[0].Open())
	require.Nil(t, items[0].Data)
	after, err := e.Store.Process(t.Context(), p.ID)
	require.NoError(t, err)
	require.Equal(t, "cold_call", after.Stage)
	require.Equal(t, 0, after.Progress)

	// The workflow took nothing in: a valid completion still goes through.
	complete(t, e, ivan, cold.ID, map[string]any{"data": map[string]any{"result": "refused"}})
}

func TestDefinitionsArePublishedByAnalystsAndCheckedWithPositions(t *testing.T) {
	e := testenv.New(t)
	anna, ivan := e.Login(t, "anna"), e.Login(t, "ivan")

	status, _ := e.Raw(t, "POST", "/api/v1/definitions", ivan, exampleYAML(t))
	require.Equal(t, http.StatusForbidden, status)

	bad, err := os.ReadFile("../definitions/testdata/rules/many-mistakes.yaml")
	require.NoError(t, err)
	var prob problem
	require.Equal(t, http.StatusUnprocessableEntity, e.Do(t, "POST", "/api/v1/definitions?dryRun=true", anna, bad, &prob))
	require.GreaterOrEqual(t, len(prob.Errors), 6)
	require.Equal(t, 2, prob.Errors[0].Line)
	require.Equal(t, 5, prob.Errors[0].Column)
	require.Equal(t, "/id", prob.Errors[0].Path)

	var dry map[string]any
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/definitions?dryRun=true", anna, exampleYAML(t), &dry))
	require.Equal(t, true, dry["valid"])
	status, _ = e.Raw(t, "GET", "/api/v1/definitions/sales", anna, nil)
	require.Equal(t, http.StatusNotFound, status, "a dry run publishes nothing")

	var pub struct {
		Created bool
		Version store.Version
	}
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/definitions", anna, exampleYAML(t), &pub))
	require.Equal(t, 1, pub.Version.Version)
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/definitions", anna, exampleYAML(t), &pub))
	require.False(t, pub.Created)

	changed := []byte(strings.Replace(string(exampleYAML(t)), "due: 2d", "due: 1d", 1))
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/definitions", anna, changed, &pub))
	require.Equal(t, 2, pub.Version.Version)

	var v1 store.Version
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/definitions/sales/versions/1", ivan, nil, &v1))
	require.Equal(t, string(exampleYAML(t)), v1.Source)
	var schema map[string]any
	require.Equal(t, http.StatusOK, e.Do(t, "GET", "/api/v1/schema/definition.json", "", nil, &schema))
	require.Equal(t, "Conveyor definition", schema["title"])
}

// The answer to a start names the first work item: its stage, assignee and
// deadline, as the process page right after shows it; a start found by
// its business key names the item open now.
func TestAStartAnswersWithTheFirstWorkItem(t *testing.T) {
	e := testenv.New(t)
	publish(t, e, exampleYAML(t))
	olga := e.Login(t, "olga")
	var started struct {
		store.Process
		OpenItem *store.WorkItem `json:"openItem"`
	}
	body := map[string]any{"definition": "sales", "businessKey": "first-item", "variables": map[string]any{"source": "website"}}
	require.Equal(t, http.StatusCreated, e.Do(t, "POST", "/api/v1/processes", olga, body, &started))
	require.NotNil(t, started.OpenItem, "no need to poll for it")
	require.Equal(t, "cold_call", started.OpenItem.Stage)
	require.Equal(t, "ivan", started.OpenItem.Assignee)
	require.Equal(t, store.ItemAttention, started.OpenItem.State)
	require.NotNil(t, started.OpenItem.Due)
	require.Equal(t, "cold_call", started.Stage, "the process says where it is")
	require.Equal(t, "ivan", started.Assignee)
	require.Equal(t, started.OpenItem.Due, started.Due)

	var again struct {
		store.Process
		OpenItem *store.WorkItem `json:"openItem"`
	}
	require.Equal(t, http.StatusOK, e.Do(t, "POST", "/api/v1/processes", olga, body, &again))
	require.Equal(t, started.ID, again.ID)
	require.NotNil(t, again.OpenItem)
	require.Equal(t, started.OpenItem.ID, again.OpenItem.ID)
}
