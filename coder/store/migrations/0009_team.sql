-- Team mode: plain work assignments (a share, a range or a list of a question's answers given to
-- one coder), and which question each open window is coding (shown to colleagues).
CREATE TABLE work_assignments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id TEXT NOT NULL REFERENCES questions(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    created_at  TEXT NOT NULL,
    rule        TEXT NOT NULL            -- how the answers were chosen, e.g. "share 0.5 (seed 7)"
);
CREATE TABLE work_assigned_answers (
    assignment_id INTEGER NOT NULL REFERENCES work_assignments(id),
    answer_id     INTEGER NOT NULL REFERENCES answers(id),
    PRIMARY KEY (assignment_id, answer_id)
) WITHOUT ROWID;
CREATE INDEX work_assigned_by_answer ON work_assigned_answers(answer_id);
ALTER TABLE sessions ADD COLUMN question_id TEXT;
