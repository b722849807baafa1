-- A session ends after the policy's idle time as well as at its fixed end: the last request
-- seen on it (written at most once a minute).
ALTER TABLE sessions ADD COLUMN last_seen TEXT NOT NULL DEFAULT '';
-- Each audit entry's chained hash signed with the audit key, which is kept outside the database
-- ("" for entries written without a key).
ALTER TABLE audit ADD COLUMN mac TEXT NOT NULL DEFAULT '';
