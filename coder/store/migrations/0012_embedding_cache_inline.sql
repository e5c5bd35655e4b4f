-- The embedding cache as an ordinary table (the rows in a table of their own, the key in an
-- index), not WITHOUT ROWID: a WITHOUT ROWID row keeps at most about a quarter of a page in
-- the tree, so every vector of 256 or more numbers went to an overflow page of its own (a
-- 4 KiB page per 1 KiB vector), and a report reading 100,000 vectors read 100,000 scattered
-- pages. Here a vector up to about 4 KiB stays in its row, several to a page, in key order
-- for the rows copied now.
CREATE TABLE embeddings_inline (
    model    TEXT NOT NULL,
    text_key TEXT NOT NULL,              -- sha1 of the normalised text
    dim      INTEGER NOT NULL,
    vector   BLOB NOT NULL,              -- float32, little-endian
    PRIMARY KEY (model, text_key)
);
INSERT INTO embeddings_inline (model, text_key, dim, vector)
    SELECT model, text_key, dim, vector FROM embeddings ORDER BY model, text_key;
DROP TABLE embeddings;
ALTER TABLE embeddings_inline RENAME TO embeddings;
