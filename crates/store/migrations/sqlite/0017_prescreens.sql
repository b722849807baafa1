-- NV-12: each pre-screening at a desk or window (what was brought, what is missing), counted per
-- window as guidance given, and linked to the case it became.
CREATE TABLE prescreens (
  id INTEGER PRIMARY KEY, center_id BIGINT NOT NULL REFERENCES centers(id), window_id BIGINT REFERENCES windows(id),
  staff_id BIGINT NOT NULL, item_code TEXT NOT NULL, doc TEXT NOT NULL, at TEXT NOT NULL, case_id BIGINT);
CREATE INDEX prescreens_window ON prescreens(window_id, at);
CREATE INDEX prescreens_case ON prescreens(case_id) WHERE case_id IS NOT NULL;
