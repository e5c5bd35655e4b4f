-- QA: double-coding samples and adjudication.
CREATE TABLE qa_samples (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id TEXT NOT NULL REFERENCES questions(id),
    created_at  TEXT NOT NULL,
    share       REAL NOT NULL,
    seed        INTEGER NOT NULL,
    coders      TEXT NOT NULL            -- JSON list of coder names
);
CREATE TABLE qa_assignments (
    sample_id INTEGER NOT NULL REFERENCES qa_samples(id),
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    coder_id  INTEGER NOT NULL REFERENCES coders(id),
    PRIMARY KEY (sample_id, answer_id, coder_id)
);
CREATE INDEX qa_assignments_by_coder ON qa_assignments(coder_id, answer_id);
CREATE TABLE adjudications (             -- who settled an answer's final codes, and when
    answer_id INTEGER PRIMARY KEY REFERENCES answers(id),
    reviewer  TEXT NOT NULL,
    at        TEXT NOT NULL
);
