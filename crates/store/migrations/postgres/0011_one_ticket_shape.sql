-- One shape for every ticket (DESIGN invariant 8): each ticket type keeps its whole state in
-- doc beside the columns lists query, a version for the guard, and one row here per event.
CREATE TABLE ticket_events (
  id BIGSERIAL PRIMARY KEY, entity TEXT NOT NULL, entity_id BIGINT NOT NULL, version BIGINT NOT NULL,
  at TEXT NOT NULL, actor_id BIGINT, name TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX ticket_events_of ON ticket_events(entity, entity_id, id);

-- 办不成事 matters: the step times move into the state (the columns stay as its index).
UPDATE unresolved SET doc = (doc::jsonb || jsonb_build_object('registered_at', registered_at,
  'dispatched_at', dispatched_at, 'answered_at', answered_at,
  'closed_at', CASE WHEN status IN ('resolved', 'explained') THEN answered_at END,
  'answer_resolved', CASE status WHEN 'resolved' THEN true WHEN 'explained' THEN false END))::text;
ALTER TABLE unresolved ADD COLUMN closed_at TEXT;
UPDATE unresolved SET closed_at = answered_at WHERE status IN ('resolved', 'explained');

-- Suggestions: their state as a document, and a version.
ALTER TABLE suggestions ADD COLUMN doc TEXT;
ALTER TABLE suggestions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
UPDATE suggestions SET doc = jsonb_build_object('id', id, 'center_id', center_id, 'unit_id', unit_id,
  'item_code', item_code, 'case_id', case_id, 'source', source, 'text', text, 'contact', contact,
  'status', status, 'recorded_by', recorded_by, 'decided_by', decided_by, 'decision_note', decision_note,
  'change', change_doc::jsonb, 'done_by', done_by, 'window_id', window_id, 'recorded_at', recorded_at,
  'decided_at', decided_at, 'done_at', done_at)::text;

-- 吐槽找茬 complaints (TC-1 … TC-8).
CREATE TABLE complaints (
  id BIGSERIAL PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE, center_id BIGINT NOT NULL REFERENCES centers(id),
  window_id BIGINT REFERENCES windows(id), about_unit BIGINT REFERENCES units(id), lead_id BIGINT REFERENCES units(id),
  sections TEXT NOT NULL, assignee_id BIGINT, first_contact_id BIGINT, channel TEXT NOT NULL, category TEXT NOT NULL,
  status TEXT NOT NULL, confidential BIGINT NOT NULL, hotline_order TEXT UNIQUE, received_at TEXT NOT NULL,
  replied_at TEXT, closed_at TEXT, due TEXT, doc TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1);
CREATE INDEX complaints_center ON complaints(center_id, received_at);
CREATE INDEX complaints_status ON complaints(status, id);

-- TC-8: each 12345 work order imported once, as a complaint or a 办不成事 matter.
CREATE TABLE hotline_orders (
  order_no TEXT PRIMARY KEY, entity TEXT NOT NULL, entity_id BIGINT NOT NULL, imported_at TEXT NOT NULL);

-- BBC-5, BBC-6: reports made by the job runner or a person, kept as they were made: the desk's
-- Friday ledger, the center's Monday roll-up, an accountability referral with its evidence.
CREATE TABLE reports (
  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, center_id BIGINT NOT NULL REFERENCES centers(id),
  period TEXT NOT NULL, made_at TEXT NOT NULL, made_by BIGINT, title TEXT NOT NULL, doc TEXT NOT NULL,
  UNIQUE (kind, center_id, period));
