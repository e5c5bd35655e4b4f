-- The schema each event was written at, so that undo and redo can read row images recorded
-- before a later upgrade added or dropped columns. NULL: written before this was recorded (the
-- images' own columns then tell).
ALTER TABLE events ADD COLUMN schema_version INTEGER;
