-- Failed logins by address as well as by login: an address that fails too often is slowed and
-- then refused, while the right password from elsewhere still gets in (no lockout of a clerk).
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address ON login_failures(address, at);
