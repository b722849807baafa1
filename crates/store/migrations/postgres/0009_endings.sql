-- NV-17: where a refused applicant may seek administrative review (行政复议) or sue (行政诉讼):
-- the body, the court and the time limits, per center (the refusal notice and /follow print them).
ALTER TABLE centers ADD COLUMN review_body TEXT NOT NULL DEFAULT '';
ALTER TABLE centers ADD COLUMN review_days BIGINT NOT NULL DEFAULT 60;
ALTER TABLE centers ADD COLUMN court TEXT NOT NULL DEFAULT '';
ALTER TABLE centers ADD COLUMN litigation_months BIGINT NOT NULL DEFAULT 6;
-- NV-2: how a case ended, and the queues a window head works, as columns a list reads —
-- never the text of the case's document.
ALTER TABLE cases ADD COLUMN outcome TEXT;
ALTER TABLE cases ADD COLUMN closed_at TEXT;
ALTER TABLE cases ADD COLUMN kind_pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN growth_pending BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET outcome = doc::jsonb->>'outcome', closed_at = doc::jsonb->>'closed_at',
  growth_pending = CASE WHEN jsonb_typeof(doc::jsonb->'growth_request') = 'object' AND open = 1 THEN 1 ELSE 0 END;
CREATE INDEX cases_kind_pending ON cases(kind_pending, center_id) WHERE kind_pending = 1;
CREATE INDEX cases_growth_pending ON cases(growth_pending, center_id) WHERE growth_pending = 1;
CREATE INDEX cases_closed ON cases(closed_at, outcome);
