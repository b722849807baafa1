-- NV-15 at a province's size (issue 30, item 5): the month's and the trend's `not_required`
-- endings are found by outcome first, then the closing day — a narrow range — instead of every
-- case closed in the months (the `cases_closed (closed_at, outcome)` index: 1.9 ms for six months
-- at 200,000 cases, growing with the hall).
CREATE INDEX cases_outcome_closed ON cases(outcome, closed_at);
