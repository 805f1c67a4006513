-- Who cancelled a process and why: a supervisor gives a reason, which the
-- process page and the API show. The bound is the UI's text area's
-- (limits.CancelReason).
ALTER TABLE processes
    ADD COLUMN cancelled_by  text,
    ADD COLUMN cancel_reason text CHECK (length(cancel_reason) <= 2000);
