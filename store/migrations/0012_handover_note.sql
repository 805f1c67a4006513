-- Who handed a work item over and what they said: the note is shown with
-- the item in the process's history. The bound is limits.Note's.
ALTER TABLE work_items
    ADD COLUMN handed_over_by text,
    ADD COLUMN handover_note  text CHECK (length(handover_note) <= 2000);
