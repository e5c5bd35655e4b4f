-- Sessions: one per app window (or command) and coder, so undo in one window never takes back
-- what the same person did in another window that is still open. An open session proves it is
-- alive through last_seen (a heartbeat); closed_at is set when the window or command ends.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    coder      TEXT NOT NULL,
    label      TEXT NOT NULL DEFAULT '',   -- e.g. "app"; empty for a command
    host       TEXT NOT NULL DEFAULT '',
    pid        INTEGER,
    started_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    closed_at  TEXT
);
CREATE INDEX sessions_open_by_coder ON sessions(coder, closed_at);
-- The session that logged each event, and that owns each entry of the undo and redo stacks
-- (NULL for history made before sessions existed: it belongs to no open window).
ALTER TABLE events ADD COLUMN session_id INTEGER REFERENCES sessions(id);
ALTER TABLE history_stack ADD COLUMN session_id INTEGER REFERENCES sessions(id);
