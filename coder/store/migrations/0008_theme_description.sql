-- A theme's one-line description in its own words (its most central answer); '' for runs
-- made before descriptions existed.
ALTER TABLE themes ADD COLUMN description TEXT NOT NULL DEFAULT '';
