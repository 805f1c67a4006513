// Package processes is what is left of the process service, now in
// services/: the two calls the client pages still make. It goes once they
// call services (services.StartProcess, services.NewID).
package processes

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

// Request is what a start asks for.
type Request = services.StartRequest

// NewID is a random identifier.
func NewID() string { return services.NewID() }

// Start starts a process for the user by, with services.StartProcess's
// rules.
func Start(ctx context.Context, st *store.Store, tc client.Client, req Request, by store.Viewer) (store.Process, bool, error) {
	me, err := st.User(ctx, by.Login)
	if err != nil {
		return store.Process{}, false, err
	}
	return services.New(st, tc).StartProcess(ctx, me, req)
}
