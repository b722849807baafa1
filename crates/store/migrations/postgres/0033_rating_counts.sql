-- Issues 27 and 30: a quarter's satisfaction counted where ratings are written. The month-end
-- page and the assessment read a quarter's ratings per place and channel; counting them at each
-- read walked every rating of the quarter (28,000 at a million cases, ten times that at ten).
-- These counts are kept by the database itself, in the writing transaction, whatever statement
-- writes a rating or annuls one (a rectification whose status becomes 'annulled'): what is
-- counted is exactly what `repo::ratings::tally_counted` counts from the rows, and `noveto audit
-- verify` compares the two. No unit or no window is kept as 0 (row ids start at 1).
--
-- On PostgreSQL, writers run at once: a count kept in one row per key would make every rating
-- (and, in 0034, every deadline) at a place wait for the last one's commit, and two transactions
-- touching two keys in turn would deadlock. So each write adds a row of its own (a delta: no row
-- is ever locked by another writer), readers add the rows of a key up, and the server folds a
-- key's rows into one every minute (`Store::fold_kept_counts`), which takes only rows already
-- committed and so never loses one written meanwhile.
CREATE TABLE rating_counts (
  quarter TEXT NOT NULL, center_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, window_id BIGINT NOT NULL,
  channel TEXT NOT NULL, total BIGINT NOT NULL, satisfied BIGINT NOT NULL);
CREATE INDEX rating_counts_key ON rating_counts(quarter, center_id, unit_id, window_id, channel);
CREATE INDEX rectifications_rating ON rectifications(rating_id, status) WHERE rating_id IS NOT NULL;

INSERT INTO rating_counts
SELECT quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel, COUNT(*), COUNT(CASE WHEN satisfied <> 0 THEN 1 END)
  FROM ratings
 WHERE satisfied IS NOT NULL
   AND id NOT IN (SELECT rating_id FROM rectifications WHERE status = 'annulled' AND rating_id IS NOT NULL)
 GROUP BY quarter, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), channel;

-- Adds `d` (1 or -1) to the counts of rating `r` when it has a verdict: a row of its own.
CREATE FUNCTION rating_counts_add(r ratings, d BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO rating_counts
  SELECT r.quarter, r.center_id, COALESCE(r.unit_id, 0), COALESCE(r.window_id, 0), r.channel, d,
         CASE WHEN r.satisfied <> 0 THEN d ELSE 0 END
   WHERE r.satisfied IS NOT NULL
$$;

-- Whether a rectification other than `except_id` annuls rating `rating`.
CREATE FUNCTION rating_annulled(rating BIGINT, except_id BIGINT) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM rectifications x WHERE x.rating_id = rating AND x.status = 'annulled'
                   AND x.id IS DISTINCT FROM except_id)
$$;

-- A rating counts when it has a verdict and no rectification annulled it.
CREATE FUNCTION rating_counts_on_rating() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT rating_annulled(OLD.id, NULL) THEN
    PERFORM rating_counts_add(OLD, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NOT rating_annulled(NEW.id, NULL) THEN
    PERFORM rating_counts_add(NEW, 1);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER rating_counts_insert AFTER INSERT OR DELETE ON ratings
  FOR EACH ROW EXECUTE FUNCTION rating_counts_on_rating();
CREATE TRIGGER rating_counts_update AFTER UPDATE ON ratings FOR EACH ROW
  WHEN (OLD.satisfied IS DISTINCT FROM NEW.satisfied OR OLD.quarter IS DISTINCT FROM NEW.quarter
     OR OLD.center_id IS DISTINCT FROM NEW.center_id OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
     OR OLD.window_id IS DISTINCT FROM NEW.window_id OR OLD.channel IS DISTINCT FROM NEW.channel
     OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION rating_counts_on_rating();

-- A rectification annuls its rating while its status is 'annulled'; the rating leaves the counts
-- when the first such rectification appears and comes back when the last one goes.
CREATE FUNCTION rating_counts_on_rectification() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r ratings;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'annulled' AND OLD.rating_id IS NOT NULL
     AND NOT rating_annulled(OLD.rating_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.id END) THEN
    SELECT * INTO r FROM ratings WHERE id = OLD.rating_id;
    IF FOUND THEN PERFORM rating_counts_add(r, 1); END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'annulled' AND NEW.rating_id IS NOT NULL
     AND NOT rating_annulled(NEW.rating_id, NEW.id) THEN
    SELECT * INTO r FROM ratings WHERE id = NEW.rating_id;
    IF FOUND THEN PERFORM rating_counts_add(r, -1); END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER rating_counts_annul AFTER INSERT OR DELETE ON rectifications
  FOR EACH ROW EXECUTE FUNCTION rating_counts_on_rectification();
CREATE TRIGGER rating_counts_annul_update AFTER UPDATE ON rectifications FOR EACH ROW
  WHEN ((OLD.status = 'annulled') IS DISTINCT FROM (NEW.status = 'annulled') OR OLD.rating_id IS DISTINCT FROM NEW.rating_id)
  EXECUTE FUNCTION rating_counts_on_rectification();
