package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Process states.
const (
	ProcessRunning   = "running"
	ProcessCompleted = "completed"
	ProcessCancelled = "cancelled"
	ProcessFailed    = "failed"
)

// Process is a row of the process read model.
type Process struct {
	ID           string          `json:"id"`
	Definition   string          `json:"definition"`
	Version      int             `json:"version"`
	BusinessKey  string          `json:"businessKey,omitempty"`
	Client       string          `json:"client,omitempty"`
	Vars         json.RawMessage `json:"variables"`
	State        string          `json:"state"`
	End          string          `json:"end,omitempty"`
	Stage        string          `json:"stage,omitempty"`
	Assignee     string          `json:"assignee,omitempty"`
	PlannedStart *time.Time      `json:"plannedStart,omitempty"`
	Due          *time.Time      `json:"due,omitempty"`
	Overdue      bool            `json:"overdue"`
	Progress     int             `json:"progress"`
	Failure      string          `json:"failure,omitempty"`
	// Attention says why the process waits for a supervisor: a rule of its
	// definition failed at run time.
	Attention string `json:"attention,omitempty"`
	// CancelledBy cancelled the process, for CancelReason.
	CancelledBy  string     `json:"cancelledBy,omitempty"`
	CancelReason string     `json:"cancelReason,omitempty"`
	StartedBy    string     `json:"startedBy"`
	StartedAt    time.Time  `json:"startedAt"`
	CompletedAt  *time.Time `json:"completedAt,omitempty"`
	// ClientName is the name of the process's client, for lists.
	ClientName string `json:"clientName,omitempty"`
}

const processColumns = `p.id, p.definition_id, p.version, coalesce(p.business_key, ''), coalesce(p.client_id, ''), p.vars,
	p.state, coalesce(p.end_id, ''), coalesce(p.stage, ''), coalesce(p.assignee, ''), p.planned_start, p.due, p.overdue,
	p.progress, coalesce(p.failure, ''), coalesce(p.attention, ''), coalesce(p.cancelled_by, ''), coalesce(p.cancel_reason, ''),
	p.started_by, p.started_at, p.completed_at, coalesce((SELECT cl.name FROM clients cl WHERE cl.id = p.client_id), '')`

func scanProcess(row pgx.Row) (Process, error) {
	var p Process
	err := row.Scan(&p.ID, &p.Definition, &p.Version, &p.BusinessKey, &p.Client, &p.Vars, &p.State, &p.End,
		&p.Stage, &p.Assignee, &p.PlannedStart, &p.Due, &p.Overdue, &p.Progress, &p.Failure, &p.Attention, &p.CancelledBy, &p.CancelReason, &p.StartedBy,
		&p.StartedAt, &p.CompletedAt, &p.ClientName)
	p.StartedAt = p.StartedAt.UTC()
	utc(p.PlannedStart, p.Due, p.CompletedAt)
	return p, err
}

func utc(ts ...*time.Time) {
	for _, t := range ts {
		if t != nil {
			*t = t.UTC()
		}
	}
}

// CreateProcess records a process about to start. With a business key that
// the conveyor already has, nothing is inserted and the existing process
// comes back with created false: the caller then (re)starts its workflow,
// which is idempotent, so a crash between this row and the workflow start is
// healed by retrying the request.
func (s *Store) CreateProcess(ctx context.Context, p Process) (Process, bool, error) {
	var bk, client *string
	if p.BusinessKey != "" {
		bk = &p.BusinessKey
	}
	if p.Client != "" {
		client = &p.Client
	}
	if len(p.Vars) == 0 {
		p.Vars = json.RawMessage(`{}`)
	}
	var created Process
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var err error
		created, err = scanProcess(tx.QueryRow(ctx, `INSERT INTO processes AS p (id, definition_id, version, business_key, client_id, vars, started_by)
			VALUES (@id, @definition, @version, @business_key, @client, @vars, @started_by)
			ON CONFLICT (definition_id, business_key) DO NOTHING
			RETURNING `+processColumns, pgx.NamedArgs{"id": p.ID, "definition": p.Definition, "version": p.Version,
			"business_key": bk, "client": client, "vars": p.Vars, "started_by": p.StartedBy}))
		return err
	})
	if err == nil {
		return created, true, nil
	}
	if err != pgx.ErrNoRows {
		return Process{}, false, mapConstraint(err, "process")
	}
	existing, err := scanProcess(s.pool.QueryRow(ctx, `SELECT `+processColumns+` FROM processes p
		WHERE definition_id = @definition AND business_key = @business_key`,
		pgx.NamedArgs{"definition": p.Definition, "business_key": p.BusinessKey}))
	if err != nil {
		return Process{}, false, fmt.Errorf("process with business key %q: %w", p.BusinessKey, err)
	}
	return existing, false, nil
}

// Process returns one process.
func (s *Store) Process(ctx context.Context, id string) (Process, error) {
	p, err := scanProcess(s.pool.QueryRow(ctx, `SELECT `+processColumns+` FROM processes p WHERE id = @id`, pgx.NamedArgs{"id": id}))
	return p, notFound(err, "process "+id)
}

// ProcessFilter narrows a process list; empty fields do not filter.
type ProcessFilter struct {
	Definition, State, Assignee, Client string
	// Q finds a process by any part of its client's name or of its
	// business key (search_fold: case, Cyrillic included, and ё).
	Q       string
	Overdue *bool
	// Sort is -startedAt (the default: newest first), startedAt, due or
	// -due (processes without a deadline last either way).
	Sort string
	Page
}

// processSorts are the orders of a process list: the key kept in the cursor
// (as text), the order, and the comparison a keyset page continues with. A
// missing deadline sorts as infinity.
var processSorts = map[string]struct {
	key          func(Process) string
	order, after string
}{
	"-startedAt": {processStarted, "p.started_at DESC, p.id DESC", "(p.started_at, p.id) < (@after_key::timestamptz, @after_id)"},
	"startedAt":  {processStarted, "p.started_at, p.id", "(p.started_at, p.id) > (@after_key::timestamptz, @after_id)"},
	"due":        {processDue("infinity"), "coalesce(p.due, 'infinity'), p.id", "(coalesce(p.due, 'infinity'), p.id) > (@after_key::timestamptz, @after_id)"},
	"-due":       {processDue("-infinity"), "coalesce(p.due, '-infinity') DESC, p.id DESC", "(coalesce(p.due, '-infinity'), p.id) < (@after_key::timestamptz, @after_id)"},
}

func processStarted(p Process) string { return p.StartedAt.Format(time.RFC3339Nano) }

// processDue is the deadline as a cursor key, none standing as the order's
// far end.
func processDue(none string) func(Process) string {
	return func(p Process) string {
		if p.Due == nil {
			return none
		}
		return p.Due.Format(time.RFC3339Nano)
	}
}

// processVisible: an admin sees every process; others those where they or
// anyone below them worked or started, and those of clients they may see.
const processVisible = `(@admin OR p.started_by IN (SELECT login FROM scope)
	OR EXISTS (SELECT 1 FROM work_items pw WHERE pw.process_id = p.id AND pw.assignee IN (SELECT login FROM scope))
	OR EXISTS (SELECT 1 FROM clients c WHERE c.id = p.client_id AND ` + clientVisible + `))`

// Processes lists the processes viewer may see, newest first.
func (s *Store) Processes(ctx context.Context, viewer Viewer, f ProcessFilter) ([]Process, string, error) {
	after, err := f.decode()
	if err != nil {
		return nil, "", err
	}
	if f.Sort == "" {
		f.Sort = "-startedAt"
	}
	order, ok := processSorts[f.Sort]
	if !ok {
		return nil, "", fmt.Errorf("sort %q: %w", f.Sort, ErrBadSort)
	}
	rows, _ := s.pool.Query(ctx, viewerScope+grantScope+`
		SELECT `+processColumns+` FROM processes p
		WHERE `+processVisible+`
		  AND (@definition = '' OR p.definition_id = @definition)
		  AND (@state = '' OR p.state = @state)
		  AND (@assignee = '' OR p.assignee = @assignee)
		  AND (@overdue::boolean IS NULL OR p.overdue = @overdue)
		  AND (@after_id = '' OR `+order.after+`)
		  AND (@client = '' OR p.client_id = @client)
		  AND (@q = '' OR strpos(search_fold(coalesce(p.business_key, '')), search_fold(@q)) > 0
		       OR strpos(search_fold(coalesce((SELECT name FROM clients WHERE id = p.client_id), '')), search_fold(@q)) > 0)
		ORDER BY `+order.order+`
		LIMIT @limit`,
		viewer.args(pgx.NamedArgs{"definition": f.Definition, "state": f.State, "assignee": f.Assignee, "overdue": f.Overdue,
			"after_key": nullable(after.Name), "after_id": after.ID, "limit": f.limit() + 1, "client": f.Client, "q": f.Q}))
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Process, error) { return scanProcess(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, f.limit(), func(p Process) cursor { return cursor{Name: order.key(p), ID: p.ID} })
	return list, next, nil
}

// CanSeeProcess tells whether viewer may see process id (same rule as
// Processes); an unknown process is ErrNotFound.
func (s *Store) CanSeeProcess(ctx context.Context, viewer Viewer, id string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, viewerScope+grantScope+`
		SELECT `+processVisible+` FROM processes p WHERE p.id = @id`, viewer.args(pgx.NamedArgs{"id": id})).Scan(&ok)
	return ok, notFound(err, "process "+id)
}

// FailProcess marks a process failed with the reason, e.g. when its first
// stage names a user who does not exist.
func (s *Store) FailProcess(ctx context.Context, id, reason string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE processes SET state = 'failed', failure = @reason, completed_at = now()
			WHERE id = @id AND state = 'running'`, pgx.NamedArgs{"id": id, "reason": reason})
		return err
	})
}

// NeedAttention records why a running process cannot go on by itself: a
// rule of its definition failed at run time. A later step clears it.
// The workflow holds no state of its own for it, so a lost Update leaves
// nothing to reconcile.
func (s *Store) NeedAttention(ctx context.Context, id, reason string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE processes SET attention = @reason WHERE id = @id AND state = 'running'`, pgx.NamedArgs{"id": id, "reason": reason})
		return err
	})
}

// CancelProcess cancels a running process and its open work item, by by
// for reason. Cancelling a cancelled process again is harmless; a finished
// one is ErrConflict.
func (s *Store) CancelProcess(ctx context.Context, id, by, reason, updateID string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var state string
		if err := tx.QueryRow(ctx, `SELECT state FROM processes WHERE id = @id FOR UPDATE`, pgx.NamedArgs{"id": id}).Scan(&state); err != nil {
			return notFound(err, "process "+id)
		}
		switch state {
		case ProcessCancelled:
			return nil
		case ProcessRunning:
		default:
			return fmt.Errorf("process %s is %s: %w", id, state, refusal.ErrConflict)
		}
		rows, _ := tx.Query(ctx, `UPDATE work_items SET state = 'cancelled', completed_at = now()
			WHERE process_id = @process AND state IN ('attention', 'in_progress') RETURNING id`, pgx.NamedArgs{"process": id})
		open, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if err := logLeft(ctx, tx, "cancelled", "w.id = ANY (@items)", pgx.NamedArgs{"items": open}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET state = 'resolved', resolved_at = now()
			WHERE process_id = @process AND state = 'open'`, pgx.NamedArgs{"process": id}); err != nil {
			return err
		}
		if err := markChanged(ctx, tx, id, updateID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE processes SET state = 'cancelled', completed_at = now(), overdue = false, attention = NULL,
				cancelled_by = nullif(@by, ''), cancel_reason = nullif(@reason, '')
			WHERE id = @id`, pgx.NamedArgs{"id": id, "by": by, "reason": reason})
		return err
	})
}
