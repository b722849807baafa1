-- HCP: 好差评 ratings, each written once; `once` is 1 for the device and the SMS, so a service
-- takes one rating there (NULLs are distinct: callbacks are a sample of their own).
CREATE TABLE ratings (
  id INTEGER PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE, center_id BIGINT NOT NULL REFERENCES centers(id),
  unit_id BIGINT REFERENCES units(id), window_id BIGINT REFERENCES windows(id), staff_id BIGINT,
  service TEXT NOT NULL, service_id BIGINT NOT NULL, channel TEXT NOT NULL, once BIGINT,
  satisfied BIGINT, quarter TEXT NOT NULL, rated_at TEXT NOT NULL, doc TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1);
CREATE UNIQUE INDEX ratings_once ON ratings(service, service_id, once);
CREATE INDEX ratings_quarter ON ratings(quarter, center_id);

-- HCP-6, TC-7: rectification tasks.
CREATE TABLE rectifications (
  id INTEGER PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE, center_id BIGINT NOT NULL REFERENCES centers(id),
  unit_id BIGINT NOT NULL REFERENCES units(id), assignee_id BIGINT, origin TEXT NOT NULL,
  rating_id BIGINT, status TEXT NOT NULL, opened_at TEXT NOT NULL, done_at TEXT, due TEXT,
  doc TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1);
CREATE INDEX rectifications_status ON rectifications(status, id);
