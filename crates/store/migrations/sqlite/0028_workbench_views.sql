-- Issue 27 / issue 31: the workbench's views by status (待补正, 已登记未受理, 已受理未办结) and
-- their counts. They were taken from the first 200 open matters by due day, so a clerk holding
-- more saw "200+" on every view and "0+" on a view whose matters lay past the 200th. Each view
-- now reads its own range, and each count stops at the cap inside an index: the due-day views
-- through cases_workbench, the status views through this one (open matters only).
CREATE INDEX cases_workbench_status ON cases(first_contact_id, status, next_due, id) WHERE open = 1;
