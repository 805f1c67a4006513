-- A deputy works in a user's stead while they are absent: new work for them
-- goes to the deputy, and the work item says on whose behalf.
ALTER TABLE users
    ADD COLUMN deputy       text REFERENCES users (login),
    ADD COLUMN absent_from  timestamptz,
    ADD COLUMN absent_until timestamptz,
    ADD CONSTRAINT users_deputy_not_self CHECK (deputy IS NULL OR deputy <> login),
    ADD CONSTRAINT users_absence_order CHECK (absent_until IS NULL OR absent_from IS NULL OR absent_until > absent_from);

ALTER TABLE work_items ADD COLUMN delegated_from text REFERENCES users (login);
