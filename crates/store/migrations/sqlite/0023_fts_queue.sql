-- Issue 27: a new case's trigrams go into the index in batches, not one case at a time. FTS5
-- writes its pending terms to a new segment at every statement savepoint of the transaction, and
-- each save of a case opens several: every case became a segment of its own, merged (and the old
-- pages deleted) at once — 40 % of a write at 150,000 cases, growing with the store (the
-- generator fell from 2,700 to 1,200 cases/s by 400,000). Now a new case is queued here and the
-- writer indexes the queue in one statement (`Store::index_pending`, each second beside the
-- server, after each batch of the generator); search reads the queue directly until then.
CREATE TABLE cases_fts_queue (id INTEGER PRIMARY KEY);
DROP TRIGGER cases_fts_insert;
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
  INSERT INTO cases_fts_queue (id) VALUES (new.id);
END;
-- A queued case is not in the index yet: a changed text waits for the queue (which reads the
-- case as it is then); an indexed case's old trigrams are deleted and its new ones written.
DROP TRIGGER cases_fts_update;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases
WHEN old.search_text IS NOT new.search_text AND NOT EXISTS (SELECT 1 FROM cases_fts_queue WHERE id = old.id) BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
DROP TRIGGER cases_fts_delete;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
  INSERT INTO cases_fts(cases_fts, rowid, search_text)
    SELECT 'delete', old.id, old.search_text WHERE NOT EXISTS (SELECT 1 FROM cases_fts_queue WHERE id = old.id);
  DELETE FROM cases_fts_queue WHERE id = old.id;
END
