-- Issue 27: the warm handoffs waiting for their receivers (NV-3) were found by reading every
-- handoff event ever recorded, then dropping the acknowledged ones and the closed cases — on
-- every clerk's and approver's home page, growing with the years. A handed-off case waits in
-- its own status until the receiver takes it over: these few are their own index.
CREATE INDEX cases_handoff_pending ON cases(id) WHERE status = 'handoff_pending';
