-- Issue 27: what lists, counts and reports filter on is a column with an index, never a
-- document's text. The events an analysis counts carry their tag (a closing's outcome, a kind
-- change's new kind, a referral's handoff) and whether a reply was flagged.
ALTER TABLE case_events ADD COLUMN tag TEXT;
ALTER TABLE case_events ADD COLUMN flagged BIGINT NOT NULL DEFAULT 0;
UPDATE case_events SET tag = json_extract(detail, '$.outcome') WHERE kind = 'closed';
UPDATE case_events SET tag = json_extract(detail, '$.to') WHERE kind = 'kind_changed';
UPDATE case_events SET tag = CASE WHEN json_extract(detail, '$.handoff') THEN 'handoff' ELSE 'guide' END WHERE kind = 'referred';
UPDATE case_events SET flagged = 1 WHERE kind = 'reply' AND json_array_length(json_extract(detail, '$.flagged')) > 0;
CREATE INDEX case_events_kind_at ON case_events(kind, at);
CREATE INDEX case_events_kind_tag ON case_events(kind, tag, at);

-- Search: the applicant's name and phone as columns (exact phone, name by prefix), and the
-- name, organisation and request in a trigram full-text index kept by triggers.
ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN applicant_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE cases SET applicant_name = COALESCE(json_extract(doc, '$.applicant.name'), ''),
  applicant_phone = COALESCE(json_extract(doc, '$.applicant.phone'), ''),
  search_text = COALESCE(json_extract(doc, '$.applicant.name'), '') || ' ' || COALESCE(json_extract(doc, '$.applicant.org'), '')
    || ' ' || COALESCE(json_extract(doc, '$.request'), '');
CREATE INDEX cases_applicant_name ON cases(applicant_name, id);
CREATE INDEX cases_applicant_phone ON cases(applicant_phone, id);
CREATE VIRTUAL TABLE cases_fts USING fts5(search_text, content='cases', content_rowid='id', tokenize='trigram');
INSERT INTO cases_fts(cases_fts) VALUES ('rebuild');
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
  INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
