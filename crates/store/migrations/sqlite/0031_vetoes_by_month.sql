-- Issue 30: the assessment counts each month's approved vetoes by place. The status index led
-- to every approved veto ever (3,201 at a million cases, 4 ms; growing with the years); this one
-- holds the month's range and what the count needs, so the table is not read.
CREATE INDEX veto_requests_approved_month ON veto_requests(status, requested_at, unit_id, case_id);
