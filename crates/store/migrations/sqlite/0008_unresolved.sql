-- BBC: matters that still did not get done, registered at the 办不成事 desk (or submitted online),
-- dispatched to the responsible unit and closed with its feedback. The domain's whole matter is
-- in doc; the columns are what lists and ledgers select and order by.
CREATE TABLE unresolved (
  id INTEGER PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE, center_id BIGINT NOT NULL REFERENCES centers(id),
  desk_id BIGINT REFERENCES windows(id), unit_id BIGINT REFERENCES units(id),
  case_id BIGINT REFERENCES cases(id), class TEXT NOT NULL, status TEXT NOT NULL,
  registered_at TEXT NOT NULL, dispatched_at TEXT, answered_at TEXT, due TEXT,
  doc TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1);
CREATE INDEX unresolved_center ON unresolved(center_id, registered_at);
CREATE INDEX unresolved_unit ON unresolved(unit_id, status);
