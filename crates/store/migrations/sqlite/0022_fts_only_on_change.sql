-- Issue 27: the trigram index of a case's name, organisation and request is rewritten only when
-- that text changes. Every save of a case sets `search_text` (to the same value almost always),
-- and the trigger fired on any UPDATE that named the column: each acceptance, notice or closing
-- deleted and re-inserted the case's trigrams.
DROP TRIGGER cases_fts_update;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases
WHEN old.search_text IS NOT new.search_text BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
