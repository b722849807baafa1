-- Issue 27, measured at a million cases: every list, queue and job reads a range of an index.
-- Cases waiting to be placed, per center.
CREATE INDEX cases_unplaced ON cases(center_id) WHERE status = 'unplaced';
-- The month's withdrawals.
CREATE INDEX withdrawals_recorded ON withdrawals(recorded_at);
-- The running deadlines (the met ones are nearly all of them): reminders, escalations and the
-- supervision section's overdue list.
CREATE INDEX deadlines_live ON deadlines(due, id) WHERE state NOT IN ('met', 'paused');
CREATE INDEX deadlines_to_remind ON deadlines(due, id) WHERE state NOT IN ('met', 'paused') AND reminded = 0;
CREATE INDEX deadlines_to_escalate ON deadlines(due, id) WHERE state NOT IN ('met', 'paused') AND escalated = 0;
-- An answer (a consultation's, an escalation's) that says no is flagged like a reply, so the
-- roll-up finds it by the column; the store marks the existing ones in this migration's
-- transaction with the domain's refusal check (`crate::backfill`).
CREATE INDEX case_events_flagged ON case_events(kind, tag, at) WHERE flagged = 1;
-- A quarter's satisfaction counted from an index alone, per place and channel.
CREATE INDEX ratings_tally ON ratings(quarter, center_id, unit_id, window_id, channel, satisfied);
