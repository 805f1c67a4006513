-- A step is written here and into Temporal's history by two systems that
-- can fail between the two commits. Every change the workflow makes to the
-- read model on behalf of an Update leaves a mark, naming that Update, in
-- the same transaction; the mark goes once Temporal has the Update's
-- outcome. A mark that stays means the Update was lost after the database
-- committed: the reconciler then makes the workflow adopt the committed
-- step (see reconcile/). Not audited: it is bookkeeping of the runtime,
-- not a change anybody made.
CREATE TABLE process_sync (
    process_id text        PRIMARY KEY REFERENCES processes (id),
    update_id  text        NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX process_sync_changed ON process_sync (changed_at);

-- Why a process needs a person: one of its definition's rules failed at run
-- time (an expression over its budget, an error in it). The process waits
-- for a supervisor to cancel it or move it on.
ALTER TABLE processes ADD COLUMN attention text;
