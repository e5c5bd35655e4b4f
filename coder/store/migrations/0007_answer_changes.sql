-- When a re-import last changed an answer's text (NULL: never since it was first imported), so
-- that answers whose text changed after they were coded can be found and recoded.
ALTER TABLE answers ADD COLUMN text_changed_at TEXT;
