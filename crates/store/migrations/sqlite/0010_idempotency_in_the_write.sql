-- Issue 26: a key is recorded in the same write as the change it makes. `attempt` is the
-- request now holding the key (a retry after a crash takes it over); `done_attempt` is set in
-- the transaction that changed the record, with the first entity it changed, so that after any
-- crash a key is either done (and answers so) or absent (and runs).
ALTER TABLE idempotency ADD COLUMN attempt TEXT;
ALTER TABLE idempotency ADD COLUMN done_attempt TEXT;
ALTER TABLE idempotency ADD COLUMN done_entity TEXT;
ALTER TABLE idempotency ADD COLUMN done_id BIGINT;
ALTER TABLE idempotency ADD COLUMN path TEXT;
