-- QA: what each adjudication was based on, so re-coding after it can be detected exactly.
-- basis: JSON object coder id -> that coder's answer_status.coded_at when the reviewer decided.
ALTER TABLE adjudications ADD COLUMN basis TEXT NOT NULL DEFAULT '{}';
