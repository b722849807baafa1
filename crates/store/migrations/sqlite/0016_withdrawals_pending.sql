-- Issue 31 (being told): the window head's queue of withdrawals to confirm reads only the
-- unconfirmed ones.
CREATE INDEX withdrawals_pending ON withdrawals(id) WHERE confirmed = 0;
