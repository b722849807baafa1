-- FAQ-2: the consultation a used hit answered, and when it was used (so that every server learns
-- a used question without waiting for its restart).
ALTER TABLE search_log ADD COLUMN used_at TEXT;
ALTER TABLE search_log ADD COLUMN case_id BIGINT;
CREATE INDEX search_log_used ON search_log(used_at);
CREATE INDEX search_log_case ON search_log(case_id);
-- FAQ-3: suggestions from companies and citizens, judged and followed to a process change.
CREATE TABLE suggestions (
  id BIGSERIAL PRIMARY KEY, center_id BIGINT NOT NULL REFERENCES centers(id),
  unit_id BIGINT REFERENCES units(id), window_id BIGINT REFERENCES windows(id), item_code TEXT,
  case_id BIGINT REFERENCES cases(id), source TEXT NOT NULL, text TEXT NOT NULL,
  contact TEXT NOT NULL, status TEXT NOT NULL, recorded_by BIGINT NOT NULL,
  recorded_at TEXT NOT NULL, decided_by BIGINT, decided_at TEXT, decision_note TEXT,
  change_doc TEXT, done_by BIGINT, done_at TEXT);
CREATE INDEX suggestions_status ON suggestions(status, id);
