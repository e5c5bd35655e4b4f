-- Foundation: survey data, coders, codeframes, codings and the event log.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                    -- JSON
);
CREATE TABLE waves (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE respondents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT NOT NULL UNIQUE
);
CREATE TABLE respondent_attributes (   -- closed answers and metadata, per wave
    respondent_id INTEGER NOT NULL REFERENCES respondents(id),
    wave_id       INTEGER NOT NULL REFERENCES waves(id),
    attributes    TEXT NOT NULL,         -- JSON object: column -> value
    PRIMARY KEY (respondent_id, wave_id)
);
CREATE TABLE codeframes (
    id          TEXT PRIMARY KEY,        -- uuid
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE questions (
    id           TEXT PRIMARY KEY,       -- the column name in the survey export
    text         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('open', 'other_specify', 'closed')),
    position     INTEGER NOT NULL DEFAULT 0,
    routing      TEXT,                   -- JSON {"column", "values"} or NULL
    value_labels TEXT NOT NULL DEFAULT '{}',
    codeframe_id TEXT REFERENCES codeframes(id)
);
CREATE TABLE answers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    respondent_id   INTEGER NOT NULL REFERENCES respondents(id),
    question_id     TEXT NOT NULL REFERENCES questions(id),
    wave_id         INTEGER NOT NULL REFERENCES waves(id),
    raw_text        TEXT NOT NULL,
    text            TEXT NOT NULL,
    non_substantive TEXT,                -- reason, NULL when substantive
    duplicate_of    INTEGER REFERENCES answers(id),
    UNIQUE (respondent_id, question_id, wave_id)
);
CREATE INDEX answers_by_question ON answers(question_id, wave_id, id);
CREATE TABLE coders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'model', 'adjudicated')),
    created_at TEXT NOT NULL
);
CREATE TABLE codes (
    id           TEXT PRIMARY KEY,       -- uuid, stable for life
    codeframe_id TEXT NOT NULL REFERENCES codeframes(id),
    parent_id    TEXT REFERENCES codes(id),
    label        TEXT NOT NULL,
    output_code  INTEGER NOT NULL,
    definition   TEXT NOT NULL DEFAULT '',
    include_note TEXT NOT NULL DEFAULT '',
    exclude_note TEXT NOT NULL DEFAULT '',
    examples     TEXT NOT NULL DEFAULT '[]',
    colour       TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired', 'draft')),
    codable      INTEGER NOT NULL DEFAULT 1,
    position     INTEGER NOT NULL DEFAULT 0,
    merged_into  TEXT REFERENCES codes(id),
    UNIQUE (codeframe_id, output_code)
);
CREATE INDEX codes_by_parent ON codes(codeframe_id, parent_id, position);
CREATE TABLE codings (
    answer_id      INTEGER NOT NULL REFERENCES answers(id),
    code_id        TEXT NOT NULL REFERENCES codes(id),
    coder_id       INTEGER NOT NULL REFERENCES coders(id),
    created_at     TEXT NOT NULL,
    needs_recoding INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (answer_id, code_id, coder_id)
);
CREATE INDEX codings_by_code ON codings(code_id, coder_id);
CREATE INDEX codings_by_coder ON codings(coder_id, answer_id);
CREATE TABLE answer_status (             -- per coder: done (even with no code), memo, review flag
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    coded_at  TEXT,                      -- set when the coder has coded it, codes or none
    memo      TEXT NOT NULL DEFAULT '',
    flagged   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (answer_id, coder_id)
);
CREATE TABLE starred_quotes (
    code_id   TEXT NOT NULL REFERENCES codes(id),
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    at        TEXT NOT NULL,
    PRIMARY KEY (code_id, answer_id)
);
-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    coder           TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    action          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    target_event_id INTEGER REFERENCES events(id),
    undoable        INTEGER NOT NULL,
    changes         TEXT NOT NULL DEFAULT '[]',   -- JSON row images: table, op, key, before, after
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- Derived from the log, kept so undo/redo need not replay it: each coder's undo and redo stacks.
CREATE TABLE history_stack (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    coder    TEXT NOT NULL,
    stack    TEXT NOT NULL CHECK (stack IN ('undo', 'redo')),
    seq      INTEGER NOT NULL
);
CREATE INDEX history_by_coder ON history_stack(coder, stack, seq);
