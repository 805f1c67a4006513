package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/conveyorhq/conveyor/refusal"
)

// Work item states.
const (
	ItemAttention  = "attention"
	ItemInProgress = "in_progress"
	ItemDone       = "done"
	ItemCancelled  = "cancelled"
)

// WorkItem is one stage's task for one executor.
type WorkItem struct {
	ID           string          `json:"id"`
	ProcessID    string          `json:"processId"`
	Seq          int             `json:"seq"`
	Definition   string          `json:"definition"`
	Version      int             `json:"version"` // of the definition the process runs
	Stage        string          `json:"stage"`
	Title        string          `json:"title"`
	Assignee     string          `json:"assignee"`
	State        string          `json:"state"`
	PlannedStart time.Time       `json:"plannedStart"`
	Due          *time.Time      `json:"due,omitempty"`
	Overdue      bool            `json:"overdue"`
	CreatedAt    time.Time       `json:"createdAt"`
	StartedAt    *time.Time      `json:"startedAt,omitempty"`
	CompletedAt  *time.Time      `json:"completedAt,omitempty"`
	CompletedBy  string          `json:"completedBy,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
	// DelegatedFrom is the absent user this item was meant for.
	DelegatedFrom string `json:"delegatedFrom,omitempty"`
	// ClientName is the name of the process's client, for lists.
	ClientName string `json:"clientName,omitempty"`
	// HandedOverBy handed the item to its assignee, saying HandoverNote.
	HandedOverBy string `json:"handedOverBy,omitempty"`
	HandoverNote string `json:"handoverNote,omitempty"`
}

// Open tells whether the item still waits for its executor.
func (w WorkItem) Open() bool { return w.State == ItemAttention || w.State == ItemInProgress }

const itemColumns = `w.id, w.process_id, w.seq, p.definition_id, p.version, w.stage, w.title, w.assignee, w.state, w.planned_start,
	w.due, w.overdue, w.created_at, w.started_at, w.completed_at, coalesce(w.completed_by, ''), w.data,
	coalesce(w.delegated_from, ''), coalesce(cl.name, ''), coalesce(w.handed_over_by, ''), coalesce(w.handover_note, '')`

const itemFrom = ` FROM work_items w JOIN processes p ON p.id = w.process_id
	LEFT JOIN clients cl ON cl.id = p.client_id `

func scanItem(row pgx.Row) (WorkItem, error) {
	var w WorkItem
	err := row.Scan(&w.ID, &w.ProcessID, &w.Seq, &w.Definition, &w.Version, &w.Stage, &w.Title, &w.Assignee, &w.State,
		&w.PlannedStart, &w.Due, &w.Overdue, &w.CreatedAt, &w.StartedAt, &w.CompletedAt, &w.CompletedBy, &w.Data,
		&w.DelegatedFrom, &w.ClientName, &w.HandedOverBy, &w.HandoverNote)
	w.PlannedStart, w.CreatedAt = w.PlannedStart.UTC(), w.CreatedAt.UTC()
	utc(w.Due, w.StartedAt, w.CompletedAt)
	return w, err
}

func collectItems(rows pgx.Rows) ([]WorkItem, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WorkItem, error) { return scanItem(r) })
}

// itemVisible: an admin sees every work item; others their own, those of
// everyone below them, and those of clients they may see.
const itemVisible = `(@admin OR w.assignee IN (SELECT login FROM scope)
	OR EXISTS (SELECT 1 FROM clients c WHERE c.id = p.client_id AND ` + clientVisible + `))`

// VisibleWorkItem returns a work item viewer may see; any other is not
// found.
func (s *Store) VisibleWorkItem(ctx context.Context, viewer Viewer, id string) (WorkItem, error) {
	w, err := scanItem(s.pool.QueryRow(ctx, viewerScope+grantScope+`
		SELECT `+itemColumns+itemFrom+`WHERE w.id = @id AND `+itemVisible, viewer.args(pgx.NamedArgs{"id": id})))
	return w, notFound(err, "work item "+id)
}

// WorkItem returns one work item.
func (s *Store) WorkItem(ctx context.Context, id string) (WorkItem, error) {
	w, err := scanItem(s.pool.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+`WHERE w.id = @id`, pgx.NamedArgs{"id": id}))
	return w, notFound(err, "work item "+id)
}

// ProcessItems is a process's history: its work items in order.
func (s *Store) ProcessItems(ctx context.Context, processID string) ([]WorkItem, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+itemColumns+itemFrom+`WHERE w.process_id = @process ORDER BY w.seq`, pgx.NamedArgs{"process": processID})
	return collectItems(rows)
}

// ItemFilter narrows a work item list. Assignee "" means everyone the viewer
// may see; State "open" means attention or in_progress. Q finds the items
// whose client's name or title holds it, folded as the client search folds
// (search_fold: case, Cyrillic included, and ё); Definition and Stage are
// the process's definition and the item's stage, "" any. From and To are a
// half-open range [From, To) an item's planned start or its deadline falls
// in (an item due in the range is in it though planned before); a zero
// time leaves that end open.
type ItemFilter struct {
	Assignee, State, Client string
	Q, Definition, Stage    string
	From, To                time.Time
	Page
}

// WorkItems lists the work items viewer may see (their own and those of
// everyone below them, and those of clients they may see; admins all), by
// planned start.
func (s *Store) WorkItems(ctx context.Context, viewer Viewer, f ItemFilter) ([]WorkItem, string, error) {
	after, err := f.decode()
	if err != nil {
		return nil, "", err
	}
	rows, _ := s.pool.Query(ctx, viewerScope+grantScope+`
		SELECT `+itemColumns+itemFrom+`
		WHERE `+itemVisible+`
		  AND (@assignee = '' OR w.assignee = @assignee)
		  AND (@state = '' OR w.state = @state OR (@state = 'open' AND w.state IN ('attention', 'in_progress')))
		  AND (@after_at::timestamptz IS NULL OR (w.planned_start, w.id) > (@after_at, @after_id))
		  AND (@client = '' OR p.client_id = @client)
		  AND (@q = '' OR strpos(search_fold(w.title), search_fold(@q)) > 0
		       OR strpos(search_fold(coalesce(cl.name, '')), search_fold(@q)) > 0)
		  AND (@definition = '' OR p.definition_id = @definition)
		  AND (@stage = '' OR w.stage = @stage)
		  AND ((@from::timestamptz IS NULL OR w.planned_start >= @from::timestamptz)
		        AND (@to::timestamptz IS NULL OR w.planned_start < @to::timestamptz)
		       OR w.due IS NOT NULL AND (@from::timestamptz IS NULL OR w.due >= @from::timestamptz)
		        AND (@to::timestamptz IS NULL OR w.due < @to::timestamptz))
		ORDER BY w.planned_start, w.id
		LIMIT @limit`,
		viewer.args(pgx.NamedArgs{"assignee": f.Assignee, "state": f.State, "after_at": after.At, "after_id": after.ID,
			"limit": f.limit() + 1, "client": f.Client, "q": strings.TrimSpace(f.Q), "definition": f.Definition, "stage": f.Stage,
			"from": timeOrNil(f.From), "to": timeOrNil(f.To)}))
	list, err := collectItems(rows)
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, f.limit(), func(w WorkItem) cursor { return cursor{At: &w.PlannedStart, ID: w.ID} })
	return list, next, nil
}

// timeOrNil is t as a query argument, nil (NULL) when it is zero.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// StartWorkItem moves an item from attention to in_progress: its executor
// has opened it. Starting an item in progress again changes nothing.
func (s *Store) StartWorkItem(ctx context.Context, id string) (WorkItem, error) {
	var started bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE work_items SET state = 'in_progress', started_at = now()
			WHERE id = @id AND state = 'attention'`, pgx.NamedArgs{"id": id})
		started = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return WorkItem{}, err
	}
	w, err := s.WorkItem(ctx, id)
	if err != nil {
		return WorkItem{}, err
	}
	if !started && w.State != ItemInProgress {
		return WorkItem{}, fmt.Errorf("work item %s is %s: %w", id, w.State, refusal.ErrConflict)
	}
	return w, nil
}

// Escalation is an overdue work item reported to the assignee's supervisor.
type Escalation struct {
	ID         int64      `json:"id"`
	WorkItemID string     `json:"workItemId"`
	ProcessID  string     `json:"processId"`
	Assignee   string     `json:"assignee"`
	Supervisor string     `json:"supervisor,omitempty"`
	State      string     `json:"state"`
	Due        time.Time  `json:"due"`
	CreatedAt  time.Time  `json:"createdAt"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
}

// Escalations lists the escalations addressed to viewer (admins: all),
// newest first; state "" means any.
func (s *Store) Escalations(ctx context.Context, viewer Viewer, state string, page Page) ([]Escalation, string, error) {
	after, err := page.decode()
	if err != nil {
		return nil, "", err
	}
	var afterID *int64
	if after.ID != "" {
		id, err := strconv.ParseInt(after.ID, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("cursor %q: %w", page.After, ErrBadCursor)
		}
		afterID = &id
	}
	// Ids grow with time: newest first is id descending.
	rows, _ := s.pool.Query(ctx, `SELECT id, work_item_id, process_id, assignee, coalesce(supervisor, ''), state, due,
			created_at, resolved_at
		FROM escalations WHERE (@admin OR supervisor = @login) AND (@state = '' OR state = @state)
		  AND (@after_id::bigint IS NULL OR id < @after_id)
		ORDER BY id DESC LIMIT @limit`, viewer.args(pgx.NamedArgs{"state": state, "after_id": afterID, "limit": page.limit() + 1}))
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Escalation, error) {
		var e Escalation
		err := r.Scan(&e.ID, &e.WorkItemID, &e.ProcessID, &e.Assignee, &e.Supervisor, &e.State, &e.Due, &e.CreatedAt, &e.ResolvedAt)
		e.Due, e.CreatedAt = e.Due.UTC(), e.CreatedAt.UTC()
		utc(e.ResolvedAt)
		return e, err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := cut(list, page.limit(), func(e Escalation) cursor { return cursor{ID: strconv.FormatInt(e.ID, 10)} })
	return list, next, nil
}

// MarkOverdue flags an open item and its process overdue and escalates it
// to the assignee's supervisor, once: a retry or a second timer finds the
// escalation's unique key taken. It reports whether it escalated now.
func (s *Store) MarkOverdue(ctx context.Context, itemID string) (bool, error) {
	var escalated bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var processID, assignee string
		var due *time.Time
		err := tx.QueryRow(ctx, `UPDATE work_items SET overdue = true
			WHERE id = @id AND state IN ('attention', 'in_progress') AND due IS NOT NULL
			RETURNING process_id, assignee, due`, pgx.NamedArgs{"id": itemID}).Scan(&processID, &assignee, &due)
		if err == pgx.ErrNoRows {
			return nil // done or cancelled meanwhile: nothing is late
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE processes SET overdue = true WHERE id = @id AND state = 'running'`, pgx.NamedArgs{"id": processID}); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO escalations (work_item_id, process_id, assignee, supervisor, due)
			SELECT @item, @process, @assignee, u.supervisor, @due FROM users u WHERE u.login = @assignee
			ON CONFLICT (work_item_id) DO NOTHING`, pgx.NamedArgs{"item": itemID, "process": processID, "assignee": assignee, "due": due})
		escalated = tag.RowsAffected() == 1
		return err
	})
	return escalated, err
}

// CountOpenItems counts open work items and those of them overdue.
func (s *Store) CountOpenItems(ctx context.Context) (open, overdue int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE overdue)
		FROM work_items WHERE state IN ('attention', 'in_progress')`).Scan(&open, &overdue)
	return open, overdue, err
}

// ReassignWorkItem gives an open item to another active user and makes them
// the process's current assignee.
func (s *Store) ReassignWorkItem(ctx context.Context, itemID, to, by, note, updateID string) (WorkItem, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM users WHERE login = @login`, pgx.NamedArgs{"login": to}).Scan(&active)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
			return fmt.Errorf("assignee: %q is not an active user: %w", to, refusal.ErrInvalid)
		}
		if err != nil {
			return err
		}
		var processID string
		err = tx.QueryRow(ctx, `UPDATE work_items SET assignee = @assignee, handed_over_by = nullif(@by, ''), handover_note = nullif(@note, '')
			WHERE id = @id AND state IN ('attention', 'in_progress')
			RETURNING process_id`, pgx.NamedArgs{"id": itemID, "assignee": to, "by": by, "note": note}).Scan(&processID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("work item %s is not open: %w", itemID, refusal.ErrConflict)
		}
		if err != nil {
			return err
		}
		if err := markChanged(ctx, tx, processID, updateID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE processes SET assignee = @assignee WHERE id = @id`, pgx.NamedArgs{"id": processID, "assignee": to})
		return err
	})
	if err != nil {
		return WorkItem{}, err
	}
	return s.WorkItem(ctx, itemID)
}
