-- Each code's shortcut key in the coding app (1-9, 0, then A-Z), kept for the life of the
-- codeframe so that keys never move when codes are added. NULL: no key (nets, or a key freed).
-- Existing frames get the keys they showed until now: codable codes in use, in tree order
-- (depth first, siblings by position then output code), take 1-9, 0, A-Z in turn.
ALTER TABLE codes ADD COLUMN shortcut TEXT;
WITH RECURSIVE tree(id, codeframe_id, sort_path) AS (
    SELECT id, codeframe_id, printf('%012d.%012d/', position + 100000000, output_code)
    FROM codes WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, c.codeframe_id,
           t.sort_path || printf('%012d.%012d/', c.position + 100000000, c.output_code)
    FROM codes c JOIN tree t ON c.parent_id = t.id
),
ranked AS (
    SELECT t.id, row_number() OVER (PARTITION BY t.codeframe_id ORDER BY t.sort_path) AS n
    FROM tree t JOIN codes c ON c.id = t.id
    WHERE c.codable = 1 AND c.status <> 'retired'
)
UPDATE codes SET shortcut = (
    SELECT substr('1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ', CAST(r.n AS INTEGER), 1) FROM ranked r
    WHERE r.id = codes.id AND r.n <= 36
);
