-- The read model of running conveyors. Temporal holds the truth of a
-- process's progress; these rows are what lists, reports and authorization
-- read, written by the workflow's activities in the same transaction as each
-- step.
CREATE TABLE processes (
    id            text        PRIMARY KEY,
    definition_id text        NOT NULL,
    version       integer     NOT NULL,
    business_key  text,
    client_id     text,
    vars          jsonb       NOT NULL DEFAULT '{}',
    state         text        NOT NULL DEFAULT 'running'
                  CHECK (state IN ('running', 'completed', 'cancelled', 'failed')),
    end_id        text,
    stage         text,
    assignee      text REFERENCES users (login),
    planned_start timestamptz,
    due           timestamptz,
    overdue       boolean     NOT NULL DEFAULT false,
    progress      integer     NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    failure       text,
    started_by    text        NOT NULL REFERENCES users (login),
    started_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    FOREIGN KEY (definition_id, version) REFERENCES definition_versions (definition_id, version),
    -- The same business key never starts a second process of a conveyor.
    UNIQUE (definition_id, business_key)
);
CREATE INDEX processes_started ON processes (started_at DESC, id DESC);
CREATE INDEX processes_assignee ON processes (assignee) WHERE state = 'running';

CREATE TABLE work_items (
    -- "<process id>.<seq>": the workflow derives it, so a retried activity
    -- meets its own earlier row instead of creating a second one.
    id            text        PRIMARY KEY,
    process_id    text        NOT NULL REFERENCES processes (id),
    seq           integer     NOT NULL,
    stage         text        NOT NULL,
    title         text        NOT NULL,
    assignee      text        NOT NULL REFERENCES users (login),
    state         text        NOT NULL DEFAULT 'attention'
                  CHECK (state IN ('attention', 'in_progress', 'done', 'cancelled')),
    planned_start timestamptz NOT NULL,
    due           timestamptz,
    overdue       boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    completed_at  timestamptz,
    completed_by  text REFERENCES users (login),
    data          jsonb,
    UNIQUE (process_id, seq)
);
CREATE INDEX work_items_open ON work_items (assignee, planned_start) WHERE state IN ('attention', 'in_progress');
CREATE INDEX work_items_assignee ON work_items (assignee, process_id);

-- An overdue work item is escalated once to its assignee's supervisor
-- (NULL: nobody above; admins see those).
CREATE TABLE escalations (
    id           bigserial   PRIMARY KEY,
    work_item_id text        NOT NULL UNIQUE REFERENCES work_items (id),
    process_id   text        NOT NULL REFERENCES processes (id),
    assignee     text        NOT NULL,
    supervisor   text REFERENCES users (login),
    state        text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    due          timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE INDEX escalations_supervisor ON escalations (supervisor, state);

-- Round-robin position of each team: the last member given work.
CREATE TABLE team_cursors (
    team       text PRIMARY KEY,
    last_login text NOT NULL
);
