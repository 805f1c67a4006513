package services

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/conveyorhq/conveyor/store"
)

// The vocabulary the API and the UI speak with the services: the records
// they show and the filters they pass. They are the store's rows for now
// (moving them to a package of their own is the next step of keeping the
// store to persistence); naming them here keeps server/ and web/ off the
// store.
type (
	User           = store.User
	UserPatch      = store.UserPatch
	Team           = store.Team
	Grants         = store.Grants
	Absence        = store.Absence
	Node           = store.Node
	Tree           = store.Tree
	Client         = store.Client
	ClientFilter   = store.ClientFilter
	Address        = store.Address
	BankAccount    = store.BankAccount
	Contact        = store.Contact
	Characteristic = store.Characteristic
	Document       = store.Document
	AuditEntry     = store.AuditEntry
	AuditFilter    = store.AuditFilter
	Version        = store.Version
	Process        = store.Process
	ProcessFilter  = store.ProcessFilter
	WorkItem       = store.WorkItem
	ItemFilter     = store.ItemFilter
	Escalation     = store.Escalation
	Page           = store.Page
	ColumnType     = store.ColumnType
	ViewRow        = store.ViewRow
	ViewGroup      = store.ViewGroup
)

// The lists views are kept for, and the types of their columns.
const (
	ListClients   = store.ListClients
	ListWorkItems = store.ListWorkItems
	ListProcesses = store.ListProcesses
	TypeText      = store.TypeText
	TypeEnum      = store.TypeEnum
	TypeNumber    = store.TypeNumber
	TypeDate      = store.TypeDate
	TypeBool      = store.TypeBool
	TypeUser      = store.TypeUser
	TypeSet       = store.TypeSet
)

// The directories, roles and list refusals by name.
const (
	Segments       = store.Segments
	ProductGroups  = store.ProductGroups
	RoleAdmin      = store.RoleAdmin
	RoleAnalyst    = store.RoleAnalyst
	RoleSupervisor = store.RoleSupervisor
	RoleManager    = store.RoleManager
)

// Roles are the roles a user can hold (the users table refuses others), in
// the order the pages offer them.
var Roles = []string{store.RoleAdmin, store.RoleAnalyst, store.RoleSupervisor, store.RoleManager}

var (
	ErrBadCursor = store.ErrBadCursor
	ErrBadSort   = store.ErrBadSort
)

// Busy tells whether err is the database not answering in time: a request
// to retry shortly (503), not a failure.
func Busy(err error) bool { return store.TimedOut(err) }

// Unstorable tells whether err is a value the database itself refused to
// store (too long, a NUL): the caller's mistake.
func Unstorable(err error) bool { return store.Unstorable(err) }

// AsActor makes ctx carry the acting user, whom every change is audited as.
func AsActor(ctx context.Context, login string) context.Context { return store.WithActor(ctx, login) }

// Ready tells whether the database and Temporal answer, saying which does
// not.
func (s *Services) Ready(ctx context.Context) error {
	if err := s.Store.Pool().Ping(ctx); err != nil {
		return fmt.Errorf("database not reachable: %w", err)
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal not reachable: %w", err)
	}
	return nil
}

// OpenItemCounts counts the open work items and those of them overdue, for
// the metrics.
func (s *Services) OpenItemCounts(ctx context.Context) (open, overdue int, err error) {
	return s.Store.CountOpenItems(ctx)
}
