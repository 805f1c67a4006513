-- People who sign in. Users are deactivated, not deleted: work items and
-- history keep naming them.
CREATE TABLE users (
    login         text        PRIMARY KEY
                              CONSTRAINT users_login_format CHECK (login ~ '^[a-z][a-z0-9._-]{1,62}$'),
    name          text        NOT NULL,
    password_hash text        NOT NULL,  -- PHC string, see auth.HashPassword
    roles         text[]      NOT NULL DEFAULT '{}'
                              -- <@ is false for NULL elements, so those are refused too
                              CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['admin', 'analyst', 'supervisor', 'manager']),
    teams         text[]      NOT NULL DEFAULT '{}',
    supervisor    text        REFERENCES users (login),
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- For "who is in team X" (teams @> ARRAY[X]).
CREATE INDEX users_teams ON users USING gin (teams);

-- Supervisors form a forest: escalation and "is X above Y" walk up the chain
-- and must end. A foreign key cannot say that, so this trigger walks up from
-- the new supervisor and refuses the row when the walk comes back to it.
CREATE FUNCTION refuse_supervisor_cycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    loop_path text[];
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.supervisor IS NOT DISTINCT FROM OLD.supervisor THEN
        RETURN NEW;
    END IF;
    -- Two transactions could each add half of a cycle and both see none.
    -- Serialise the checks; under READ COMMITTED the query below then takes
    -- a fresh snapshot that includes the other transaction's committed edge.
    PERFORM pg_advisory_xact_lock(hashtext('users.supervisor'));
    WITH RECURSIVE chain (login, path) AS (
        SELECT NEW.supervisor, ARRAY[NEW.login, NEW.supervisor]
      UNION ALL
        SELECT u.supervisor, c.path || u.supervisor
        FROM chain c JOIN users u ON u.login = c.login
        WHERE c.login <> NEW.login
          AND u.supervisor IS NOT NULL
          -- stop on any older loop too, rather than recurse forever
          AND (u.supervisor = NEW.login OR u.supervisor <> ALL (c.path))
    )
    SELECT path INTO loop_path FROM chain WHERE login = NEW.login LIMIT 1;
    IF loop_path IS NOT NULL THEN
        RAISE EXCEPTION 'supervisor cycle: %', array_to_string(loop_path, ' -> ')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'users_supervisor_acyclic';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_supervisor_acyclic
    BEFORE INSERT OR UPDATE OF supervisor ON users
    FOR EACH ROW WHEN (NEW.supervisor IS NOT NULL)
    EXECUTE FUNCTION refuse_supervisor_cycle();

-- API and session tokens. Only a SHA-256 of the token is stored (see
-- auth.NewToken), so reading this table gives no usable credentials.
CREATE TABLE tokens (
    hash       bytea       PRIMARY KEY CHECK (octet_length(hash) = 32),
    login      text        NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX tokens_login ON tokens (login);
