-- Each answer's key in the embedding cache (`coder.core.embedding.cache_key` of its text: SHA-1
-- of the NFKC, whitespace-collapsed text), written with the text, so that a report does not
-- hash every answer again to find its cached embedding. Existing answers get theirs when the
-- project is upgraded (computed in Python: SQL has no NFKC); NULL means "not known", and a
-- reader computes it.
ALTER TABLE answers ADD COLUMN embedding_key TEXT;
