-- Issues 27 and 30: the month-end figures count matters of other tables (deadlines, filings,
-- withdrawals, events) by their case's place. Each such join read the case's row — the document
-- with it — for three numbers; this index holds them beside the id, so the join can read the
-- index alone.
CREATE INDEX cases_place_by_id ON cases(id) INCLUDE (center_id, unit_id, window_id);
