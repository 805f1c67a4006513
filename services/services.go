// Package services is where every rule of Conveyor lives once: who may do
// what, and what is valid. Each method takes the acting user and plain
// inputs, applies every permission and validation rule, and returns domain
// values or a refusal (refusal.Error, or an error wrapping one of its
// kinds). The HTTP API (server/) and the web UI (web/) are adapters over
// it: they parse, call one method, and render JSON or HTML; neither reads
// the store or Temporal itself. A file per area: work items, processes,
// definitions, clients and their cards, documents, organisation.
package services

import (
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/store"
	"github.com/conveyorhq/conveyor/workflows"
)

// Services holds what the rules need: the database and Temporal.
type Services struct {
	Store    *store.Store
	Temporal client.Client
	// TokenTTL is how long a session lasts (DefaultTokenTTL when 0).
	TokenTTL time.Duration
	// TaskQueue is where processes run (workflows.TaskQueue when ""):
	// tests that share one Temporal server give each Conveyor its own.
	TaskQueue string
	// Location is the deployment's time zone (UTC when nil): "today" and
	// "this week" in a view's filter are counted in it.
	Location *time.Location

	// The sign-in limits live as long as the Services (see signin.go).
	signInOnce   sync.Once
	signInLimits *loginLimits
}

// New returns the services over st and tc.
func New(st *store.Store, tc client.Client) *Services {
	return &Services{Store: st, Temporal: tc}
}

// taskQueue is where processes run.
func (s *Services) taskQueue() string {
	if s.TaskQueue != "" {
		return s.TaskQueue
	}
	return workflows.TaskQueue
}
