-- CAT-4: life-event bundles (一件事一次办): the items a person needs for one life event, in order,
-- with the plain phrases people use for it; every save a new version, audited.
CREATE TABLE bundles (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, version BIGINT NOT NULL, doc TEXT NOT NULL,
  updated_at TEXT NOT NULL, updated_by BIGINT);
CREATE INDEX bundles_updated ON bundles(updated_at);
