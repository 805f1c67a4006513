-- Facts about the installation itself, such as whether the demo was seeded.
CREATE TABLE settings (
    key    text        PRIMARY KEY,
    value  text        NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now()
);
