-- The client card: addresses, bank accounts, contact persons, values of
-- characteristics (defined once by an admin) and documents. Every table but
-- the document content is audited into the client's trail.

CREATE TABLE client_addresses (
    id         text        PRIMARY KEY,
    client_id  text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('legal', 'postal', 'delivery')),
    text       text        NOT NULL CHECK (text <> '' AND length(text) <= 2000),
    is_primary boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_addresses_client ON client_addresses (client_id, created_at);
-- One primary address of each kind.
CREATE UNIQUE INDEX client_addresses_primary ON client_addresses (client_id, kind) WHERE is_primary;

CREATE TABLE client_bank_accounts (
    id         text        PRIMARY KEY,
    client_id  text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    bik        text        NOT NULL CHECK (bik ~ '^04[0-9]{7}$'),
    account    text        NOT NULL CHECK (account ~ '^[0-9]{20}$'),
    bank_name  text        NOT NULL DEFAULT '' CHECK (length(bank_name) <= 500),
    is_primary boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, bik, account)
);
-- One primary account.
CREATE UNIQUE INDEX client_bank_accounts_primary ON client_bank_accounts (client_id) WHERE is_primary;

CREATE TABLE client_contacts (
    id         text        PRIMARY KEY,
    client_id  text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (name <> '' AND length(name) <= 500),
    position   text        NOT NULL DEFAULT '' CHECK (length(position) <= 500),
    phone      text        NOT NULL DEFAULT '' CHECK (length(phone) <= 100),
    email      text        NOT NULL DEFAULT '' CHECK (length(email) <= 320),
    note       text        NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_contacts_client ON client_contacts (client_id, created_at);

-- Characteristics: typed fields an admin adds to every client card.
CREATE TABLE characteristics (
    id          text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    name        text        NOT NULL CHECK (name <> ''),
    type        text        NOT NULL CHECK (type IN ('string', 'number', 'date', 'enum')),
    enum_values text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((type = 'enum') = (cardinality(enum_values) > 0))
);

CREATE TABLE client_characteristics (
    client_id         text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    characteristic_id text        NOT NULL REFERENCES characteristics (id),
    value             jsonb       NOT NULL CHECK (value <> 'null'::jsonb),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, characteristic_id)
);
CREATE INDEX client_characteristics_characteristic ON client_characteristics (characteristic_id);

-- Documents. The content is kept in chunks, written one by one while an
-- upload is read, before the documents row that is inserted last in the same
-- transaction once the size and hash are known: hence the deferred key.
CREATE TABLE documents (
    id           text        PRIMARY KEY,
    client_id    text        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name <> ''),
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by  text        NOT NULL REFERENCES users (login),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_client ON documents (client_id, uploaded_at);

CREATE TABLE document_chunks (
    document_id text    NOT NULL REFERENCES documents (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    n           integer NOT NULL CHECK (n >= 0),
    data        bytea   NOT NULL,
    PRIMARY KEY (document_id, n)
);
-- Already compressed content (PDF, images, office zips) gains nothing from
-- TOAST compression: store the chunks as they are.
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TRIGGER audit_client_addresses AFTER INSERT OR UPDATE OR DELETE ON client_addresses
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'client_id');
CREATE TRIGGER audit_client_bank_accounts AFTER INSERT OR UPDATE OR DELETE ON client_bank_accounts
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'client_id');
CREATE TRIGGER audit_client_contacts AFTER INSERT OR UPDATE OR DELETE ON client_contacts
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'client_id');
CREATE TRIGGER audit_characteristics AFTER INSERT OR UPDATE OR DELETE ON characteristics
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', '');
CREATE TRIGGER audit_client_characteristics AFTER INSERT OR UPDATE OR DELETE ON client_characteristics
    FOR EACH ROW EXECUTE FUNCTION audit_row('characteristic_id', 'client_id');
CREATE TRIGGER audit_documents AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'client_id');
