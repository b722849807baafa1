-- A case's escalations are read by its case (the case page, the answer, the FAQ statistics' "was
-- it escalated" for every answered consultation of a month); without this index each read walked
-- every escalation ever made (issue 27).
CREATE INDEX escalations_case ON escalations(case_id, id);
