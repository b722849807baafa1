-- NV-2: the applicant's written withdrawal of an application, confirmed by the window head; a
-- case closes as withdrawn only with a confirmed one. `confirmed` is the row's version.
CREATE TABLE withdrawals (
  id INTEGER PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases(id), unit_id BIGINT, window_id BIGINT,
  statement TEXT NOT NULL, recorded_by BIGINT NOT NULL, recorded_at TEXT NOT NULL,
  confirmed BIGINT NOT NULL DEFAULT 0, confirmed_by BIGINT, confirmed_at TEXT);
CREATE INDEX withdrawals_case ON withdrawals(case_id);
CREATE INDEX withdrawals_window ON withdrawals(window_id, recorded_at);
