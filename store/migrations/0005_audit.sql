-- The audit log: every change to the organisation, clients, definitions,
-- processes and work items, written by triggers in the same transaction as
-- the change. A transaction that has not said who acts (the conveyor.actor
-- setting, see store.WithActor) cannot change an audited table, so no change
-- can commit without its audit row. Rows are never updated or deleted.
CREATE TABLE audit (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor     text        NOT NULL,
    action    text        NOT NULL,  -- insert, update, delete, login, login_failed
    entity    text        NOT NULL,  -- the table, or "session" for logins
    entity_id text        NOT NULL,
    client_id text,                  -- the client the change concerns: its trail
    before    jsonb,
    after     jsonb
);
CREATE INDEX audit_entity ON audit (entity, entity_id, id);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_at ON audit (at, id);
CREATE INDEX audit_client ON audit (client_id, id) WHERE client_id IS NOT NULL;

CREATE TRIGGER audit_immutable BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- audit_row(key column, client column or '') records one changed row.
-- Password hashes never enter the log.
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor  text := current_setting('conveyor.actor', true);
    old_r  jsonb;
    new_r  jsonb;
    row_r  jsonb;
    client text;
BEGIN
    IF actor IS NULL OR actor = '' THEN
        RAISE EXCEPTION 'change to % without an actor: every change is audited', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP <> 'INSERT' THEN old_r := to_jsonb(OLD) - 'password_hash'; END IF;
    IF TG_OP <> 'DELETE' THEN new_r := to_jsonb(NEW) - 'password_hash'; END IF;
    IF TG_OP = 'UPDATE' AND old_r = new_r THEN
        RETURN NULL;
    END IF;
    row_r := coalesce(new_r, old_r);
    IF TG_ARGV[1] <> '' THEN
        client := row_r ->> TG_ARGV[1];
    ELSIF TG_TABLE_NAME = 'work_items' THEN
        SELECT client_id INTO client FROM processes WHERE id = row_r ->> 'process_id';
    END IF;
    INSERT INTO audit (actor, action, entity, entity_id, client_id, before, after)
    VALUES (actor, lower(TG_OP), TG_TABLE_NAME, row_r ->> TG_ARGV[0], client, old_r, new_r);
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_users AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row('login', '');
CREATE TRIGGER audit_segments AFTER INSERT OR UPDATE OR DELETE ON segments
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
CREATE TRIGGER audit_product_groups AFTER INSERT OR UPDATE OR DELETE ON product_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
CREATE TRIGGER audit_segment_grants AFTER INSERT OR UPDATE OR DELETE ON segment_grants
    FOR EACH ROW EXECUTE FUNCTION audit_row('login', '');
CREATE TRIGGER audit_product_group_grants AFTER INSERT OR UPDATE OR DELETE ON product_group_grants
    FOR EACH ROW EXECUTE FUNCTION audit_row('login', '');
CREATE TRIGGER audit_clients AFTER INSERT OR UPDATE OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'id');
CREATE TRIGGER audit_client_segments AFTER INSERT OR UPDATE OR DELETE ON client_segments
    FOR EACH ROW EXECUTE FUNCTION audit_row('client_id', 'client_id');
CREATE TRIGGER audit_client_product_groups AFTER INSERT OR UPDATE OR DELETE ON client_product_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row('client_id', 'client_id');
CREATE TRIGGER audit_definition_versions AFTER INSERT ON definition_versions
    FOR EACH ROW EXECUTE FUNCTION audit_row('definition_id', '');
CREATE TRIGGER audit_processes AFTER INSERT OR UPDATE OR DELETE ON processes
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'client_id');
CREATE TRIGGER audit_work_items AFTER INSERT OR UPDATE OR DELETE ON work_items
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
CREATE TRIGGER audit_escalations AFTER INSERT OR UPDATE OR DELETE ON escalations
    FOR EACH ROW EXECUTE FUNCTION audit_row('work_item_id', '');
