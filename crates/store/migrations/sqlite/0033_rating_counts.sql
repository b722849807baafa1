-- Issues 27 and 30: a quarter's satisfaction counted where ratings are written. The month-end
-- page and the assessment read a quarter's ratings per place and channel; counting them at each
-- read walked every rating of the quarter (28,000 at a million cases, ten times that at ten).
-- These counts are kept by the database itself, in the writing transaction, whatever statement
-- writes a rating or annuls one (a rectification whose status becomes 'annulled'): what is
-- counted is exactly what `repo::ratings::tally_counted` counts from the rows, and `noveto audit
-- verify` compares the two. No unit or no window is kept as 0 (row ids start at 1), so that the
-- key is unique without NULLs.
CREATE TABLE rating_counts (
  quarter TEXT NOT NULL, center_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, window_id BIGINT NOT NULL,
  channel TEXT NOT NULL, total BIGINT NOT NULL, satisfied BIGINT NOT NULL,
  PRIMARY KEY (quarter, center_id, unit_id, window_id, channel)) WITHOUT ROWID;
CREATE INDEX rectifications_rating ON rectifications(rating_id, status) WHERE rating_id IS NOT NULL;

INSERT INTO rating_counts
SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, COUNT(*), COUNT(CASE WHEN satisfied <> 0 THEN 1 END)
  FROM ratings
 WHERE satisfied IS NOT NULL
   AND id NOT IN (SELECT rating_id FROM rectifications WHERE status = 'annulled' AND rating_id IS NOT NULL)
 GROUP BY quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel;

-- A rating counts when it has a verdict and no rectification annulled it.
CREATE TRIGGER rating_counts_insert AFTER INSERT ON ratings
WHEN NEW.satisfied IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = NEW.id AND x.status = 'annulled')
BEGIN
  INSERT INTO rating_counts VALUES (NEW.quarter, NEW.center_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.window_id, 0),
                                    NEW.channel, 1, NEW.satisfied <> 0)
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;

CREATE TRIGGER rating_counts_delete AFTER DELETE ON ratings
WHEN OLD.satisfied IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = OLD.id AND x.status = 'annulled')
BEGIN
  INSERT INTO rating_counts VALUES (OLD.quarter, OLD.center_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.window_id, 0),
                                    OLD.channel, -1, -(OLD.satisfied <> 0))
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;

CREATE TRIGGER rating_counts_update AFTER UPDATE ON ratings
WHEN OLD.satisfied IS NOT NEW.satisfied OR OLD.quarter IS NOT NEW.quarter OR OLD.center_id IS NOT NEW.center_id
  OR OLD.unit_id IS NOT NEW.unit_id OR OLD.window_id IS NOT NEW.window_id OR OLD.channel IS NOT NEW.channel
  OR OLD.id IS NOT NEW.id
BEGIN
  INSERT INTO rating_counts
  SELECT OLD.quarter, OLD.center_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.window_id, 0), OLD.channel, -1, -(OLD.satisfied <> 0)
   WHERE OLD.satisfied IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = OLD.id AND x.status = 'annulled')
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
  INSERT INTO rating_counts
  SELECT NEW.quarter, NEW.center_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.window_id, 0), NEW.channel, 1, NEW.satisfied <> 0
   WHERE NEW.satisfied IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = NEW.id AND x.status = 'annulled')
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;

-- A rectification annuls its rating while its status is 'annulled'; the rating leaves the counts
-- when the first such rectification appears and comes back when the last one goes.
CREATE TRIGGER rating_counts_annul_insert AFTER INSERT ON rectifications
WHEN NEW.status = 'annulled' AND NEW.rating_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = NEW.rating_id AND x.status = 'annulled' AND x.id <> NEW.id)
BEGIN
  INSERT INTO rating_counts
  SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, -1, -(satisfied <> 0)
    FROM ratings WHERE id = NEW.rating_id AND satisfied IS NOT NULL
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;

CREATE TRIGGER rating_counts_annul_delete AFTER DELETE ON rectifications
WHEN OLD.status = 'annulled' AND OLD.rating_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = OLD.rating_id AND x.status = 'annulled')
BEGIN
  INSERT INTO rating_counts
  SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, 1, satisfied <> 0
    FROM ratings WHERE id = OLD.rating_id AND satisfied IS NOT NULL
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;

CREATE TRIGGER rating_counts_annul_update AFTER UPDATE ON rectifications
WHEN (OLD.status = 'annulled') IS NOT (NEW.status = 'annulled') OR OLD.rating_id IS NOT NEW.rating_id
BEGIN
  -- The old row's annulment ends (unless another rectification still annuls that rating) …
  INSERT INTO rating_counts
  SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, 1, satisfied <> 0
    FROM ratings WHERE id = OLD.rating_id AND satisfied IS NOT NULL AND OLD.status = 'annulled'
     AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = OLD.rating_id AND x.status = 'annulled' AND x.id <> NEW.id)
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
  -- … and the new row's begins (unless another one annulled that rating already).
  INSERT INTO rating_counts
  SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, -1, -(satisfied <> 0)
    FROM ratings WHERE id = NEW.rating_id AND satisfied IS NOT NULL AND NEW.status = 'annulled'
     AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = NEW.rating_id AND x.status = 'annulled' AND x.id <> NEW.id)
  ON CONFLICT (quarter, center_id, unit_id, window_id, channel)
  DO UPDATE SET total = total + excluded.total, satisfied = satisfied + excluded.satisfied;
END;
