package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/store"
)

// The pages with long lists, rendered with 1,000 rows: the server-side cost
// that grows with the data (the queries are measured by make bench).
func BenchmarkRender1000Rows(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	u := &UI{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Location: time.UTC, pages: parsePages()}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	due := now.Add(48 * time.Hour)
	procs := make([]store.Process, 1000)
	work := make([]workRow, 1000)
	for i := range procs {
		procs[i] = store.Process{ID: fmt.Sprintf("p%04d", i), Definition: "sales", Version: 1, State: store.ProcessRunning,
			Stage: "cold_call", Assignee: "ivan", PlannedStart: &now, Due: &due, Progress: i % 101, StartedAt: now}
		work[i] = workRow{WorkItem: store.WorkItem{ID: fmt.Sprintf("p%04d.1", i), Title: "Cold call", State: store.ItemAttention,
			PlannedStart: now, Due: &due, ClientName: "Romashka LLC"}, Overdue: i%7 == 0}
	}
	user := store.User{Login: "olga", Name: "Olga", Roles: []string{store.RoleSupervisor}}
	for _, page := range []struct {
		name string
		data any
	}{{"processes", processListPage{Items: procs}}, {"work", work}} {
		b.Run(page.name, func(b *testing.B) {
			for b.Loop() {
				c, _ := gin.CreateTestContext(httptest.NewRecorder())
				c.Request = httptest.NewRequest("GET", "/", nil)
				c.Set(userKey, user)
				u.render(c, 200, page.name, "bench", page.data)
			}
		})
	}
}
