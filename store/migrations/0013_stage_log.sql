-- The stage log: what analytics count, appended in the transaction of each
-- step and never changed. A process's stage is entered (its work item
-- opened, for an assignee, after the previous stage's assignee: a handoff
-- when they differ), left (the item done, with its form data) or
-- cancelled, and the process ended at an end.
CREATE TABLE stage_log (
    id                bigserial   PRIMARY KEY,
    at                timestamptz NOT NULL DEFAULT now(),
    event             text        NOT NULL CHECK (event IN ('entered', 'left', 'cancelled', 'ended')),
    process_id        text        NOT NULL REFERENCES processes (id),
    definition_id     text        NOT NULL,
    version           integer     NOT NULL,
    stage             text,
    item_id           text,
    assignee          text,
    previous_assignee text,
    end_id            text,
    data              jsonb
);
CREATE INDEX stage_log_definition ON stage_log (definition_id, at);
CREATE INDEX stage_log_process ON stage_log (process_id, id);

CREATE TRIGGER stage_log_append_only
    BEFORE UPDATE OR DELETE ON stage_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- stage_log_backfill writes the log of the work done before it existed,
-- from the work items and processes, as the steps would have written it.
CREATE FUNCTION stage_log_backfill() RETURNS void LANGUAGE sql AS $$
    INSERT INTO stage_log (at, event, process_id, definition_id, version, stage, item_id, assignee, previous_assignee)
    SELECT w.created_at, 'entered', w.process_id, p.definition_id, p.version, w.stage, w.id, w.assignee,
           (SELECT prev.assignee FROM work_items prev WHERE prev.process_id = w.process_id AND prev.seq < w.seq
            ORDER BY prev.seq DESC LIMIT 1)
    FROM work_items w JOIN processes p ON p.id = w.process_id
    ORDER BY w.created_at, w.seq;
    INSERT INTO stage_log (at, event, process_id, definition_id, version, stage, item_id, assignee, data)
    SELECT w.completed_at, CASE w.state WHEN 'done' THEN 'left' ELSE 'cancelled' END, w.process_id, p.definition_id,
           p.version, w.stage, w.id, w.assignee, CASE w.state WHEN 'done' THEN w.data END
    FROM work_items w JOIN processes p ON p.id = w.process_id
    WHERE w.state IN ('done', 'cancelled') AND w.completed_at IS NOT NULL
    ORDER BY w.completed_at, w.seq;
    INSERT INTO stage_log (at, event, process_id, definition_id, version, end_id)
    SELECT p.completed_at, 'ended', p.id, p.definition_id, p.version, p.end_id
    FROM processes p WHERE p.state = 'completed' AND p.completed_at IS NOT NULL
    ORDER BY p.completed_at;
$$;

SELECT stage_log_backfill();
