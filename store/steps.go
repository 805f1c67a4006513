package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/definitions"
	"github.com/conveyorhq/conveyor/refusal"
)

// Step is one move of a process, applied in one transaction: close the
// completed item, open the next one (or reach an end), update the process.
type Step struct {
	ProcessID string
	Close     *CloseItem // nil when the process starts
	Open      *OpenItem  // nil when the process reaches an end
	End       string
	// Progress after the step; nil keeps the process's progress.
	Progress *int
	// UpdateID is the Temporal Update the step is applied for ("" for the
	// first item): its mark lets a lost Update be found (see sync.go).
	UpdateID string
}

type CloseItem struct {
	ItemID string
	Data   json.RawMessage
	By     string
}

type OpenItem struct {
	ItemID       string
	Seq          int
	Stage, Title string
	Rule         definitions.Assignee // AssignUser, AssignTeam or AssignChoose
	Chosen       string               // the completer's pick for AssignChoose (or to override a team pick)
	PlannedStart time.Time
	Due          *time.Time
}

// StepResult is the step's closed item and the item it opened (nil at an
// end or at the start).
type StepResult struct {
	Closed *WorkItem
	Next   *WorkItem
}

// ApplyStep applies a step exactly once. Running it again (a retried
// activity) finds the closed item and the opened one and returns them
// without changing anything; the item's id is derived by the workflow, so no
// second item can appear.
func (s *Store) ApplyStep(ctx context.Context, st Step) (StepResult, error) {
	var res StepResult
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if res.Next, err = applyStep(ctx, tx, st); err != nil || st.Close == nil {
			return err
		}
		closed, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+`WHERE w.id = @id`, pgx.NamedArgs{"id": st.Close.ItemID}))
		res.Closed = &closed
		return err
	})
	return res, err
}

func applyStep(ctx context.Context, tx pgx.Tx, st Step) (*WorkItem, error) {
	// Lock the process row: steps and cancellation of one process serialise.
	var state string
	var client *string
	if err := tx.QueryRow(ctx, `SELECT state, client_id FROM processes WHERE id = @id FOR UPDATE`, pgx.NamedArgs{"id": st.ProcessID}).Scan(&state, &client); err != nil {
		return nil, notFound(err, "process "+st.ProcessID)
	}
	if st.Open != nil {
		if w, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+`WHERE w.id = @id`, pgx.NamedArgs{"id": st.Open.ItemID})); err == nil {
			return &w, nil // already applied
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
	}
	if st.Open == nil && st.Close != nil && state == ProcessCompleted {
		var closed string
		err := tx.QueryRow(ctx, `SELECT state FROM work_items WHERE id = @id`, pgx.NamedArgs{"id": st.Close.ItemID}).Scan(&closed)
		if err == nil && closed == ItemDone {
			return nil, nil // the end was reached by this very step
		}
	}
	if state != ProcessRunning {
		return nil, fmt.Errorf("process %s is %s: %w", st.ProcessID, state, refusal.ErrConflict)
	}
	if st.Close != nil {
		if err := closeItem(ctx, tx, st.ProcessID, st.Close); err != nil {
			return nil, err
		}
	}
	if err := markChanged(ctx, tx, st.ProcessID, st.UpdateID); err != nil {
		return nil, err
	}
	// Views read a process's form data so far from its row: the closed
	// item's is merged in by the step's own update of the row.
	closedData := json.RawMessage(`{}`)
	if st.Close != nil && len(st.Close.Data) > 0 {
		closedData = st.Close.Data
	}
	if st.Open == nil {
		_, err := tx.Exec(ctx, `UPDATE processes SET state = 'completed', end_id = @end, progress = 100, attention = NULL,
				stage = NULL, assignee = NULL, planned_start = NULL, due = NULL, overdue = false, completed_at = now(),
				data = data || @data::jsonb
			WHERE id = @id`, pgx.NamedArgs{"id": st.ProcessID, "end": st.End, "data": closedData})
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO stage_log (event, process_id, definition_id, version, end_id)
				SELECT 'ended', p.id, p.definition_id, p.version, p.end_id FROM processes p WHERE p.id = @id`,
				pgx.NamedArgs{"id": st.ProcessID})
		}
		return nil, err
	}
	var closed string
	if st.Close != nil {
		closed = st.Close.ItemID
	}
	assignee, err := resolveAssignee(ctx, tx, st.Open, client, closed)
	if err != nil {
		return nil, err
	}
	// An absent executor's new work goes to their deputy, on their behalf.
	worker, err := standIn(ctx, tx, assignee)
	if err != nil {
		return nil, err
	}
	var delegatedFrom *string
	if worker != assignee {
		delegatedFrom = &assignee
	}
	o := st.Open
	if _, err := tx.Exec(ctx, `INSERT INTO work_items (id, process_id, seq, stage, title, assignee, planned_start, due, delegated_from)
		VALUES (@id, @process, @seq, @stage, @title, @assignee, @planned_start, @due, @delegated_from)`,
		pgx.NamedArgs{"id": o.ItemID, "process": st.ProcessID, "seq": o.Seq, "stage": o.Stage, "title": o.Title,
			"assignee": worker, "planned_start": o.PlannedStart, "due": o.Due, "delegated_from": delegatedFrom}); err != nil {
		return nil, mapConstraint(err, "work item "+o.ItemID)
	}
	if _, err := tx.Exec(ctx, `UPDATE processes SET stage = @stage, assignee = @assignee, planned_start = @planned_start, due = @due,
			overdue = false, progress = coalesce(@progress, progress), attention = NULL, data = data || @data::jsonb
		WHERE id = @id`, pgx.NamedArgs{"id": st.ProcessID, "stage": o.Stage, "assignee": worker, "planned_start": o.PlannedStart,
		"due": o.Due, "progress": st.Progress, "data": closedData}); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO stage_log (event, process_id, definition_id, version, stage, item_id, assignee, previous_assignee)
		SELECT 'entered', p.id, p.definition_id, p.version, @stage, @item, @assignee,
			(SELECT prev.assignee FROM work_items prev WHERE prev.process_id = p.id AND prev.seq < @seq ORDER BY prev.seq DESC LIMIT 1)
		FROM processes p WHERE p.id = @process`,
		pgx.NamedArgs{"process": st.ProcessID, "stage": o.Stage, "item": o.ItemID, "assignee": worker, "seq": o.Seq}); err != nil {
		return nil, err
	}
	w, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+`WHERE w.id = @id`, pgx.NamedArgs{"id": o.ItemID}))
	return &w, err
}

func closeItem(ctx context.Context, tx pgx.Tx, processID string, c *CloseItem) error {
	data := c.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	tag, err := tx.Exec(ctx, `UPDATE work_items SET state = 'done', data = @data, completed_by = @by, completed_at = now(),
			started_at = coalesce(started_at, now())
		WHERE id = @id AND process_id = @process AND state IN ('attention', 'in_progress')`,
		pgx.NamedArgs{"id": c.ItemID, "data": data, "by": c.By, "process": processID})
	if err != nil {
		return mapConstraint(err, "work item "+c.ItemID)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("work item %s is not open: %w", c.ItemID, refusal.ErrConflict)
	}
	if err := logLeft(ctx, tx, "left", "w.id = @item", pgx.NamedArgs{"item": c.ItemID}); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE escalations SET state = 'resolved', resolved_at = now()
		WHERE work_item_id = @item AND state = 'open'`, pgx.NamedArgs{"item": c.ItemID})
	return err
}

// resolveAssignee turns a rule into a login, inside the step's transaction
// so a round-robin turn is taken only by a step that commits. A team's
// member must also be allowed to see the process's client, if it has one.
func resolveAssignee(ctx context.Context, tx pgx.Tx, o *OpenItem, client *string, closed string) (string, error) {
	switch o.Rule.Kind {
	case definitions.AssignSame:
		if closed == "" {
			return activeUser(ctx, tx, o.Stage, o.Rule.User)
		}
		var login string
		if err := tx.QueryRow(ctx, `SELECT assignee FROM work_items WHERE id = @id`, pgx.NamedArgs{"id": closed}).Scan(&login); err != nil {
			return "", err
		}
		return activeUser(ctx, tx, o.Stage, login)
	case definitions.AssignUser:
		return activeUser(ctx, tx, o.Stage, o.Rule.User)
	case definitions.AssignChoose, definitions.AssignTeam:
		if o.Chosen != "" {
			var member bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE login = @login AND active AND @team = ANY (teams)
					AND (@client::text IS NULL OR can_see_client(login, @client)))`,
				pgx.NamedArgs{"login": o.Chosen, "team": o.Rule.Team, "client": client}).Scan(&member)
			if err == nil && !member {
				err = fmt.Errorf("next.assignee: %q is not an active member of team %s who may see the client: %w", o.Chosen, o.Rule.Team, refusal.ErrInvalid)
			}
			return o.Chosen, err
		}
		if o.Rule.Kind == definitions.AssignChoose {
			return "", fmt.Errorf("next.assignee: choose a member of team %s for stage %s: %w", o.Rule.Team, o.Stage, refusal.ErrInvalid)
		}
		return pickMember(ctx, tx, o.Rule.Team, o.Rule.Pick, client)
	}
	return "", fmt.Errorf("stage %s: unknown assignee rule %q: %w", o.Stage, o.Rule.Kind, refusal.ErrInvalid)
}

// pickMember chooses an active member of team: in turn (round_robin, the
// team's cursor row locked so concurrent steps take different turns) or the
// one with the fewest open work items (least_loaded, ties by login).
func pickMember(ctx context.Context, tx pgx.Tx, team, pick string, client *string) (string, error) {
	var login string
	var err error
	if pick == definitions.PickLeastLoaded {
		err = tx.QueryRow(ctx, `SELECT u.login FROM users u
			WHERE u.active AND @team = ANY (u.teams) AND (@client::text IS NULL OR can_see_client(u.login, @client))
			ORDER BY (SELECT count(*) FROM work_items w WHERE w.assignee = u.login AND w.state IN ('attention', 'in_progress')), u.login
			LIMIT 1`, pgx.NamedArgs{"team": team, "client": client}).Scan(&login)
	} else {
		if _, err := tx.Exec(ctx, `INSERT INTO team_cursors (team, last_login) VALUES (@team, '') ON CONFLICT DO NOTHING`, pgx.NamedArgs{"team": team}); err != nil {
			return "", err
		}
		err = tx.QueryRow(ctx, `WITH c AS (SELECT last_login FROM team_cursors WHERE team = @team FOR UPDATE)
			SELECT u.login FROM users u, c WHERE u.active AND @team = ANY (u.teams) AND (@client::text IS NULL OR can_see_client(u.login, @client))
			ORDER BY u.login <= c.last_login, u.login LIMIT 1`, pgx.NamedArgs{"team": team, "client": client}).Scan(&login)
		if err == nil {
			_, err = tx.Exec(ctx, `UPDATE team_cursors SET last_login = @login WHERE team = @team`, pgx.NamedArgs{"team": team, "login": login})
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("team %s has no active members who may see the client: %w", team, refusal.ErrInvalid)
	}
	return login, err
}

// activeUser checks that login may be given work.
func activeUser(ctx context.Context, tx pgx.Tx, stage, login string) (string, error) {
	var active bool
	err := tx.QueryRow(ctx, `SELECT active FROM users WHERE login = @login`, pgx.NamedArgs{"login": login}).Scan(&active)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
		return "", fmt.Errorf("stage %s is assigned to %q, who is not an active user: %w", stage, login, refusal.ErrInvalid)
	}
	return login, err
}

// logLeft appends to the stage log that the work items where says (done:
// with their data, or cancelled) were left.
func logLeft(ctx context.Context, tx pgx.Tx, event, where string, args pgx.NamedArgs) error {
	args["event"] = event
	_, err := tx.Exec(ctx, `INSERT INTO stage_log (event, process_id, definition_id, version, stage, item_id, assignee, data)
		SELECT @event, w.process_id, p.definition_id, p.version, w.stage, w.id, w.assignee, CASE WHEN @event = 'left' THEN w.data END
		FROM work_items w JOIN processes p ON p.id = w.process_id WHERE `+where, args)
	return err
}
