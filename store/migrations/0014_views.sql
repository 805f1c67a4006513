-- Saved views: a user's way of showing a list (columns, filters, sort,
-- grouping), kept on the server. The spec is checked by the services before
-- it is stored; the query builder (store/viewquery.go) reads it over a
-- whitelist of columns and always adds the list's visibility rule.
CREATE TABLE views (
    id         text        PRIMARY KEY,
    list       text        NOT NULL CHECK (list IN ('clients', 'workitems', 'processes')),
    name       text        NOT NULL CHECK (name <> '' AND length(name) <= 80),
    owner      text        NOT NULL REFERENCES users (login),
    -- private: the owner; team: the owner and everyone below them; everyone.
    sharing    text        NOT NULL DEFAULT 'private' CHECK (sharing IN ('private', 'team', 'everyone')),
    -- A locked shared view is saved over by its owner (or an admin) only.
    locked     boolean     NOT NULL DEFAULT false,
    spec       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX views_owner ON views (owner, list);
CREATE INDEX views_shared ON views (list) WHERE sharing <> 'private';

-- The view each role opens a list with, set by an admin.
CREATE TABLE view_defaults (
    list    text NOT NULL,
    role    text NOT NULL CHECK (role IN ('admin', 'analyst', 'supervisor', 'manager')),
    view_id text NOT NULL REFERENCES views (id) ON DELETE CASCADE,
    PRIMARY KEY (list, role)
);

-- A user's desktop: what they pinned, in their order.
CREATE TABLE desk_pins (
    id         bigserial PRIMARY KEY,
    login      text      NOT NULL REFERENCES users (login),
    position   integer   NOT NULL,
    kind       text      NOT NULL CHECK (kind IN ('view', 'funnel')),
    view_id    text      REFERENCES views (id) ON DELETE CASCADE,
    definition text,
    CHECK ((kind = 'view') = (view_id IS NOT NULL)),
    CHECK ((kind = 'funnel') = (definition IS NOT NULL))
);
CREATE INDEX desk_pins_login ON desk_pins (login, position);

-- The form data of a process so far, every done item's merged over the
-- earlier ones: views show and sum a form field (the deal amount) per
-- process without reading its work items. Written in the step that closes
-- an item.
ALTER TABLE processes ADD COLUMN data jsonb NOT NULL DEFAULT '{}';
CREATE AGGREGATE jsonb_merge_agg(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');
UPDATE processes p SET data = merged.data
FROM (SELECT w.process_id, jsonb_merge_agg(w.data ORDER BY w.seq) AS data FROM work_items w
      WHERE w.state = 'done' AND w.data IS NOT NULL GROUP BY w.process_id) merged
WHERE merged.process_id = p.id;

-- The sort keys views use most, for keyset pages over large lists.
CREATE INDEX work_items_due ON work_items (due, id);
CREATE INDEX work_items_planned ON work_items (planned_start, id);
CREATE INDEX processes_due ON processes (due, id);
CREATE INDEX processes_definition ON processes (definition_id, started_at DESC, id DESC);
-- A view's visible set gathers the processes a viewer's people started.
CREATE INDEX processes_started_by ON processes (started_by);
-- The analytics report finds a work item's entry and exit in the stage log
-- by the item; without this each handoff read the whole log.
CREATE INDEX stage_log_item ON stage_log (item_id);

-- try_timestamptz reads a form or variable value as a time, or NULL: a
-- view compares dates that JSON holds as text and must not fail on one.
CREATE FUNCTION try_timestamptz(v text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN v::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

-- Views, their defaults and the desktops are changed by people: audited.
CREATE TRIGGER audit_views AFTER INSERT OR UPDATE OR DELETE ON views
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
CREATE TRIGGER audit_view_defaults AFTER INSERT OR UPDATE OR DELETE ON view_defaults
    FOR EACH ROW EXECUTE FUNCTION audit_row('list', '');
CREATE TRIGGER audit_desk_pins AFTER INSERT OR UPDATE OR DELETE ON desk_pins
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
