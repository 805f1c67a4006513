-- Published definition versions. A version is immutable: a running process
-- interprets the plan it started with, so neither the source nor the plan may
-- change under it.
CREATE TABLE definition_versions (
    definition_id text        NOT NULL,
    version       integer     NOT NULL CHECK (version > 0),
    title         text        NOT NULL,
    source        text        NOT NULL,  -- the YAML as published, verbatim
    plan          json        NOT NULL,  -- json, not jsonb: kept byte for byte with its hash
    hash          text        NOT NULL,
    published_by  text        NOT NULL,
    published_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (definition_id, version)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER definition_versions_immutable
    BEFORE UPDATE OR DELETE ON definition_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TRIGGER definition_versions_no_truncate
    BEFORE TRUNCATE ON definition_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
