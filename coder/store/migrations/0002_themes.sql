-- Theme discovery: the embedding cache and stored runs.
CREATE TABLE embeddings (
    model    TEXT NOT NULL,
    text_key TEXT NOT NULL,              -- sha1 of the normalised text
    dim      INTEGER NOT NULL,
    vector   BLOB NOT NULL,              -- float32, little-endian
    PRIMARY KEY (model, text_key)
) WITHOUT ROWID;
CREATE TABLE theme_runs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id       TEXT NOT NULL REFERENCES questions(id),
    wave_id           INTEGER REFERENCES waves(id),
    created_at        TEXT NOT NULL,
    coder             TEXT,
    model             TEXT NOT NULL,
    params            TEXT NOT NULL,     -- JSON
    n_answers         INTEGER NOT NULL,
    n_non_substantive INTEGER NOT NULL,
    n_other           INTEGER NOT NULL,
    seconds           REAL NOT NULL
);
CREATE TABLE themes (
    run_id    INTEGER NOT NULL REFERENCES theme_runs(id),
    theme_id  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    keywords  TEXT NOT NULL,             -- JSON list
    size      INTEGER NOT NULL,
    share     REAL NOT NULL,
    quotes    TEXT NOT NULL,             -- JSON list of answer ids
    parent_id INTEGER,
    PRIMARY KEY (run_id, theme_id)
);
CREATE TABLE theme_assignments (
    run_id        INTEGER NOT NULL REFERENCES theme_runs(id),
    answer_id     INTEGER NOT NULL REFERENCES answers(id),
    theme_id      INTEGER NOT NULL,      -- -1 = other
    confidence    REAL NOT NULL,
    nearest_theme INTEGER,
    PRIMARY KEY (run_id, answer_id)
) WITHOUT ROWID;
