package devenv

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/examples"
	"github.com/conveyorhq/conveyor/services"
	"github.com/conveyorhq/conveyor/store"
)

// DemoUser is one login of the demo organisation.
type DemoUser struct {
	store.User
	Password string
}

// DemoUsers is the demo organisation: olga supervises the three managers of
// the sales conveyor, anna writes definitions.
var DemoUsers = []DemoUser{
	{store.User{Login: "admin", Name: "Administrator", Roles: []string{store.RoleAdmin}}, "admin"},
	{store.User{Login: "olga", Name: "Olga Petrova", Roles: []string{store.RoleSupervisor}}, "demo"},
	{store.User{Login: "ivan", Name: "Ivan Sidorov", Roles: []string{store.RoleManager}, Teams: []string{"cold-callers"}, Supervisor: "olga"}, "demo"},
	{store.User{Login: "maria", Name: "Maria Ivanova", Roles: []string{store.RoleManager}, Teams: []string{"deal-makers"}, Supervisor: "olga"}, "demo"},
	{store.User{Login: "sergey", Name: "Sergey Smirnov", Roles: []string{store.RoleManager}, Teams: []string{"service"}, Supervisor: "olga"}, "demo"},
	{store.User{Login: "anna", Name: "Anna Kuznetsova", Roles: []string{store.RoleAnalyst}}, "demo"},
}

// Seed makes the demo once: the organisation (users, directories, grants,
// clients) until it is complete, marked by a setting so a crash half-way
// is finished on the next start and a finished demo is never redone; the
// example conveyor is published (a no-op when unchanged) and the demo
// processes are started by business key, so running Seed again adds
// nothing.
func Seed(ctx context.Context, svc *services.Services) error {
	st := svc.Store
	ctx = store.WithActor(ctx, "system:seed")
	_, seeded, err := st.Setting(ctx, demoSeeded)
	if err != nil {
		return err
	}
	if !seeded {
		if err := seedOrganisation(ctx, st); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if err := st.SetSetting(ctx, demoSeeded, "true"); err != nil {
			return err
		}
	}
	plan, err := definitions.Compile(examples.SalesConveyor)
	if err != nil {
		return fmt.Errorf("seed: example conveyor: %w", err)
	}
	if _, _, err := st.Publish(ctx, examples.SalesConveyor, plan, "anna"); err != nil {
		return err
	}
	olga, err := st.User(ctx, "olga")
	if err != nil {
		return err
	}
	for i, source := range []string{"cold-base", "website", "referral"} {
		vars, _ := json.Marshal(map[string]string{"source": source})
		req := services.StartRequest{Definition: plan.ID, BusinessKey: fmt.Sprintf("demo-%d", i+1), Variables: vars,
			Client: demoProcessClients[i]}
		if _, err := svc.StartProcess(ctx, olga, req); err != nil {
			return fmt.Errorf("seed process %s: %w", req.BusinessKey, err)
		}
	}
	return nil
}
