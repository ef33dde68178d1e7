-- People's edits to a case's chronology events (drop, corrected date, note), synced like any row.
-- Unquoted, the name folds to eventedits, as every query (which names it unquoted too) expects.
CREATE TABLE eventEdits (LIKE cases INCLUDING ALL);
ALTER TABLE eventEdits ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX eventedits_case ON eventEdits (team_id, case_id);
