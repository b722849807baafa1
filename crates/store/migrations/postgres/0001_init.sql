-- noveto schema v1. Booleans are BIGINT 0/1, times RFC 3339 text (+08:00), dates YYYY-MM-DD,
-- JSON as text, so that one SQL text serves both backends.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE centers (
  id BIGSERIAL PRIMARY KEY, parent_id BIGINT REFERENCES centers(id), name TEXT NOT NULL,
  level TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', hotline TEXT NOT NULL DEFAULT '',
  supervision_phone TEXT NOT NULL DEFAULT '', region TEXT NOT NULL DEFAULT '');
CREATE TABLE staff (
  id BIGSERIAL PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  password_hash TEXT NOT NULL, active BIGINT NOT NULL DEFAULT 1, created_at TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '');
CREATE TABLE units (
  id BIGSERIAL PRIMARY KEY, center_id BIGINT NOT NULL REFERENCES centers(id), name TEXT NOT NULL,
  leader_id BIGINT REFERENCES staff(id), contact_id BIGINT REFERENCES staff(id));
CREATE TABLE windows (
  id BIGSERIAL PRIMARY KEY, center_id BIGINT NOT NULL REFERENCES centers(id),
  unit_id BIGINT REFERENCES units(id), name TEXT NOT NULL, kind TEXT NOT NULL,
  primary_id BIGINT REFERENCES staff(id), backup_id BIGINT REFERENCES staff(id),
  primary_absent BIGINT NOT NULL DEFAULT 0);
CREATE TABLE grants (
  staff_id BIGINT NOT NULL REFERENCES staff(id), role TEXT NOT NULL, scope_kind TEXT NOT NULL,
  scope_id BIGINT NOT NULL, PRIMARY KEY (staff_id, role, scope_kind, scope_id));
CREATE TABLE tokens (
  id BIGSERIAL PRIMARY KEY, staff_id BIGINT NOT NULL REFERENCES staff(id),
  token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY, staff_id BIGINT NOT NULL REFERENCES staff(id), csrf TEXT NOT NULL,
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE login_failures (id BIGSERIAL PRIMARY KEY, login TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX login_failures_login ON login_failures(login, at);
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor_id BIGINT, action TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id BIGINT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_entity ON audit(entity, entity_id);
CREATE TABLE audit_head (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE calendar_years (year BIGINT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE calendar_overrides (
  id BIGSERIAL PRIMARY KEY, region TEXT NOT NULL, day TEXT NOT NULL, working BIGINT NOT NULL,
  reason TEXT NOT NULL, UNIQUE (region, day));
CREATE TABLE cases (
  id BIGSERIAL PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE, center_id BIGINT NOT NULL,
  unit_id BIGINT, window_id BIGINT, first_contact_id BIGINT NOT NULL, status TEXT NOT NULL,
  kind TEXT NOT NULL, item_code TEXT, opened_at TEXT NOT NULL,
  -- The nearest running due day, '9999-12-31' when none: never NULL, so that the workbench
  -- reads its first page straight from the index in due order.
  next_due TEXT NOT NULL DEFAULT '9999-12-31', open BIGINT NOT NULL DEFAULT 1,
  doc TEXT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX cases_workbench ON cases(first_contact_id, open, next_due, id);
CREATE INDEX cases_unit ON cases(unit_id, opened_at);
CREATE TABLE case_events (
  id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases(id), at TEXT NOT NULL,
  actor_id BIGINT, kind TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX case_events_case ON case_events(case_id, id);
CREATE INDEX case_events_kind ON case_events(kind, id);
CREATE TABLE veto_requests (
  id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases(id), unit_id BIGINT,
  status TEXT NOT NULL, level TEXT, requested_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX veto_requests_status ON veto_requests(status, level);
CREATE INDEX veto_requests_unit ON veto_requests(unit_id, requested_at);
CREATE TABLE escalations (
  id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases(id), unit_id BIGINT,
  level TEXT NOT NULL, major BIGINT NOT NULL, status TEXT NOT NULL, due TEXT NOT NULL,
  reason TEXT NOT NULL, answer TEXT, created_at TEXT NOT NULL, answered_at TEXT,
  created_by BIGINT NOT NULL, answered_by BIGINT);
CREATE INDEX escalations_status ON escalations(status, level);
CREATE TABLE filings (
  id BIGSERIAL PRIMARY KEY, veto_request_id BIGINT NOT NULL UNIQUE REFERENCES veto_requests(id),
  case_id BIGINT NOT NULL, unit_id BIGINT, month TEXT NOT NULL, opened_at TEXT NOT NULL,
  closed_at TEXT, outcome TEXT);
CREATE INDEX filings_month ON filings(month);
CREATE TABLE deadlines (
  id BIGSERIAL PRIMARY KEY, entity TEXT NOT NULL, entity_id BIGINT NOT NULL, what TEXT NOT NULL,
  owner_id BIGINT, due TEXT, state TEXT NOT NULL, reminded BIGINT NOT NULL DEFAULT 0,
  escalated BIGINT NOT NULL DEFAULT 0, doc TEXT NOT NULL, UNIQUE (entity, entity_id, what));
CREATE INDEX deadlines_due ON deadlines(state, due);
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, dedupe TEXT NOT NULL UNIQUE, payload TEXT NOT NULL,
  run_at TEXT NOT NULL, lease_owner TEXT, lease_until TEXT, attempts BIGINT NOT NULL DEFAULT 0,
  done_at TEXT, last_error TEXT);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY, channel TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,
  body TEXT NOT NULL, dedupe TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
  lease_owner TEXT, lease_until TEXT, attempts BIGINT NOT NULL DEFAULT 0, sent_at TEXT,
  last_error TEXT);
CREATE INDEX outbox_pending ON outbox(sent_at, id);
CREATE TABLE items (
  id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, unit_id BIGINT REFERENCES units(id),
  version BIGINT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by BIGINT);
CREATE TABLE item_versions (
  item_id BIGINT NOT NULL REFERENCES items(id), version BIGINT NOT NULL, doc TEXT NOT NULL,
  at TEXT NOT NULL, by_id BIGINT, PRIMARY KEY (item_id, version));
CREATE TABLE faq (
  id BIGSERIAL PRIMARY KEY, question TEXT NOT NULL, answer TEXT NOT NULL, item_codes TEXT NOT NULL,
  unit_id BIGINT, source TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  active BIGINT NOT NULL DEFAULT 1);
CREATE TABLE search_log (
  id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, staff_id BIGINT, query TEXT NOT NULL, hits BIGINT NOT NULL,
  top_id BIGINT, used_id BIGINT);
CREATE INDEX search_log_at ON search_log(at);
