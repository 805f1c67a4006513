-- Clients and who may see them. A user sees a client they own, one owned by
-- someone below them in the hierarchy, or one whose segments and product
-- groups both meet their grants (a grant on a parent covers its children).

-- "Client roles": market segments by geography, industry or activity, as trees.
CREATE TABLE segments (
    id     text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    name   text NOT NULL,
    kind   text NOT NULL CHECK (kind IN ('geography', 'industry', 'activity')),
    parent text REFERENCES segments (id)
);
CREATE INDEX segments_parent ON segments (parent);

CREATE TABLE product_groups (
    id     text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    name   text NOT NULL,
    parent text REFERENCES product_groups (id)
);
CREATE INDEX product_groups_parent ON product_groups (parent);

CREATE TABLE segment_grants (
    login      text NOT NULL REFERENCES users (login),
    segment_id text NOT NULL REFERENCES segments (id),
    PRIMARY KEY (login, segment_id)
);

CREATE TABLE product_group_grants (
    login    text NOT NULL REFERENCES users (login),
    group_id text NOT NULL REFERENCES product_groups (id),
    PRIMARY KEY (login, group_id)
);

CREATE TABLE clients (
    id         text        PRIMARY KEY,
    name       text        NOT NULL CHECK (name <> ''),
    inn        text,
    kpp        text,
    ogrn       text,
    owner      text        NOT NULL REFERENCES users (login),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX clients_inn_kpp ON clients (inn, coalesce(kpp, '')) WHERE inn IS NOT NULL;
CREATE INDEX clients_owner ON clients (owner);
CREATE INDEX clients_name ON clients (name, id);

CREATE TABLE client_segments (
    client_id  text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    segment_id text NOT NULL REFERENCES segments (id),
    PRIMARY KEY (client_id, segment_id)
);
CREATE INDEX client_segments_segment ON client_segments (segment_id, client_id);

CREATE TABLE client_product_groups (
    client_id text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    group_id  text NOT NULL REFERENCES product_groups (id),
    PRIMARY KEY (client_id, group_id)
);
CREATE INDEX client_product_groups_group ON client_product_groups (group_id, client_id);

ALTER TABLE processes ADD FOREIGN KEY (client_id) REFERENCES clients (id);
CREATE INDEX processes_client ON processes (client_id) WHERE client_id IS NOT NULL;

-- A segment or product group tree must stay a tree.
CREATE FUNCTION refuse_tree_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
BEGIN
    IF NEW.parent IS NULL THEN
        RETURN NEW;
    END IF;
    EXECUTE format(
        'WITH RECURSIVE up(id, parent) AS (
             SELECT id, parent FROM %I WHERE id = $1
             UNION SELECT t.id, t.parent FROM %I t JOIN up ON t.id = up.parent)
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)', TG_TABLE_NAME, TG_TABLE_NAME)
        INTO found USING NEW.parent, NEW.id;
    IF found THEN
        RAISE EXCEPTION '% % cannot be under %: that would make a cycle', TG_TABLE_NAME, NEW.id, NEW.parent
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER segments_tree BEFORE INSERT OR UPDATE OF parent ON segments
    FOR EACH ROW EXECUTE FUNCTION refuse_tree_cycle();
CREATE TRIGGER product_groups_tree BEFORE INSERT OR UPDATE OF parent ON product_groups
    FOR EACH ROW EXECUTE FUNCTION refuse_tree_cycle();

-- can_see_client is the visibility rule for one user and one client (admins
-- aside): lists use the same rule written out in their queries, where the
-- planner can use the indexes.
CREATE FUNCTION can_see_client(viewer text, client text) RETURNS boolean LANGUAGE sql STABLE AS $$
    WITH RECURSIVE scope(login) AS (
        SELECT viewer
        UNION SELECT u.login FROM users u JOIN scope s ON u.supervisor = s.login),
    my_segments(id) AS (
        SELECT segment_id FROM segment_grants WHERE login = viewer
        UNION SELECT t.id FROM segments t JOIN my_segments m ON t.parent = m.id),
    my_groups(id) AS (
        SELECT group_id FROM product_group_grants WHERE login = viewer
        UNION SELECT t.id FROM product_groups t JOIN my_groups m ON t.parent = m.id)
    SELECT EXISTS (
        SELECT 1 FROM clients c
        WHERE c.id = client AND (
            c.owner IN (SELECT login FROM scope)
            OR (EXISTS (SELECT 1 FROM client_segments cs WHERE cs.client_id = c.id AND cs.segment_id IN (SELECT id FROM my_segments))
                AND EXISTS (SELECT 1 FROM client_product_groups cg WHERE cg.client_id = c.id AND cg.group_id IN (SELECT id FROM my_groups)))))
$$;
