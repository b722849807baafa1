-- A veto request's version is the number of decisions on it: a decision is saved only if no
-- other decision was saved since it was read (issue: two deciders at one level).
ALTER TABLE veto_requests ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
UPDATE veto_requests SET version = COALESCE(json_array_length((doc::json)->'chain'), 0);
-- Idempotency-Key: the first answer to a key, kept at least 24 hours.
CREATE TABLE idempotency (
  caller TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
  status BIGINT, body TEXT, created_at TEXT NOT NULL,
  PRIMARY KEY (caller, key));
CREATE INDEX idempotency_created ON idempotency(created_at);
