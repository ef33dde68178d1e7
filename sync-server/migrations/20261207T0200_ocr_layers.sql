-- The words OCR read on a page, with their boxes, so a teammate's viewer has a text layer over a scan.
-- Unquoted, the name folds to ocrlayers, as every query (which names it unquoted too) expects.
CREATE TABLE ocrLayers (LIKE cases INCLUDING ALL);
ALTER TABLE ocrLayers ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX ocrlayers_case ON ocrLayers (team_id, case_id);
