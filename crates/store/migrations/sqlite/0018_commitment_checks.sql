-- NV-6: every case approved on a written commitment (告知承诺) is verified afterwards within the
-- policy's period; the result — confirmed, or false with what was done — is kept and counted.
CREATE TABLE commitment_checks (
  id INTEGER PRIMARY KEY, case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id), center_id BIGINT NOT NULL,
  unit_id BIGINT, window_id BIGINT, due TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL,
  created_at TEXT NOT NULL, decided_by BIGINT, decided_at TEXT);
CREATE INDEX commitment_checks_open ON commitment_checks(due) WHERE status = 'open';
CREATE INDEX commitment_checks_unit ON commitment_checks(unit_id, status);
