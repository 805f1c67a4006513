package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// A sync mark says: this process's read model changed on behalf of a
// Temporal Update whose outcome Temporal may not have recorded yet. The
// change and its mark commit together; the mark is removed once Temporal
// is known to hold the Update's outcome, or once the workflow has adopted
// the change after the Update was lost (see reconcile/).

// markChanged leaves the mark of updateID on processID inside the change's
// own transaction. Changes made outside an Update (the first item, a
// deadline) need none: Temporal retries those tasks itself.
func markChanged(ctx context.Context, tx pgx.Tx, processID, updateID string) error {
	if updateID == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO process_sync (process_id, update_id) VALUES (@process, @update)
		ON CONFLICT (process_id) DO UPDATE SET update_id = excluded.update_id, changed_at = excluded.changed_at`,
		pgx.NamedArgs{"process": processID, "update": updateID})
	return err
}

// SyncMark is a change of the read model not yet known to be in Temporal,
// with what the read model says now.
type SyncMark struct {
	ProcessID string
	UpdateID  string
	ChangedAt time.Time
	// The read model's process state and open item ("" when none).
	State, ItemID, Assignee string
}

// SyncMarks returns up to limit marks older than grace, oldest first:
// younger ones are usually Updates still on their way.
func (s *Store) SyncMarks(ctx context.Context, grace time.Duration, limit int) ([]SyncMark, error) {
	rows, _ := s.pool.Query(ctx, `SELECT m.process_id, m.update_id, m.changed_at, p.state,
			coalesce(w.id, ''), coalesce(w.assignee, '')
		FROM process_sync m JOIN processes p ON p.id = m.process_id
		LEFT JOIN LATERAL (SELECT id, assignee FROM work_items
			WHERE process_id = m.process_id AND state IN ('attention', 'in_progress') ORDER BY seq DESC LIMIT 1) w ON true
		WHERE m.changed_at < clock_timestamp() - @grace::interval
		ORDER BY m.changed_at LIMIT @limit`, pgx.NamedArgs{"grace": grace.String(), "limit": limit})
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SyncMark, error) {
		var m SyncMark
		err := r.Scan(&m.ProcessID, &m.UpdateID, &m.ChangedAt, &m.State, &m.ItemID, &m.Assignee)
		return m, err
	})
}

// ClearSyncMarks removes the marks, in one statement, except those a later
// change has replaced meanwhile (another Update's ID).
func (s *Store) ClearSyncMarks(ctx context.Context, marks []SyncMark) error {
	if len(marks) == 0 {
		return nil
	}
	procs, updates := make([]string, len(marks)), make([]string, len(marks))
	for i, m := range marks {
		procs[i], updates[i] = m.ProcessID, m.UpdateID
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM process_sync m USING unnest(@processes::text[], @updates::text[]) AS c (process_id, update_id)
		WHERE m.process_id = c.process_id AND m.update_id = c.update_id`, pgx.NamedArgs{"processes": procs, "updates": updates})
	return err
}

// SyncView is what the read model holds of a process, for a workflow to
// adopt a change whose Update was lost.
type SyncView struct {
	State string
	End   string
	// Open is the open work item, Closed the last one done.
	Open, Closed *WorkItem
	// UpdateID names the Update of the last marked change.
	UpdateID  string
	Attention string
}

// ProcessSyncView reads a process as the read model has it.
func (s *Store) ProcessSyncView(ctx context.Context, processID string) (SyncView, error) {
	var v SyncView
	err := s.pool.QueryRow(ctx, `SELECT p.state, coalesce(p.end_id, ''), coalesce(p.attention, ''), coalesce(m.update_id, '')
		FROM processes p LEFT JOIN process_sync m ON m.process_id = p.id WHERE p.id = @process`, pgx.NamedArgs{"process": processID}).
		Scan(&v.State, &v.End, &v.Attention, &v.UpdateID)
	if err != nil {
		return v, notFound(err, "process "+processID)
	}
	last := func(states string) (*WorkItem, error) {
		w, err := scanItem(s.pool.QueryRow(ctx, `SELECT `+itemColumns+itemFrom+`
			WHERE w.process_id = @process AND w.state = ANY (@states::text[]) ORDER BY w.seq DESC LIMIT 1`,
			pgx.NamedArgs{"process": processID, "states": states}))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		return &w, err
	}
	if v.Open, err = last("{attention,in_progress}"); err != nil {
		return v, err
	}
	v.Closed, err = last("{done}")
	return v, err
}
