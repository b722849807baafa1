-- NV-9 (JL 三(三)): a unit's monthly filing of its vetoes with the center, an act of its own:
-- who filed, when, and how many veto requests the month held at that moment.
CREATE TABLE monthly_filings (
  id INTEGER PRIMARY KEY, unit_id BIGINT NOT NULL REFERENCES units(id), month TEXT NOT NULL,
  filed_by BIGINT NOT NULL, filed_at TEXT NOT NULL, vetoes BIGINT NOT NULL, note TEXT NOT NULL,
  UNIQUE (unit_id, month));
