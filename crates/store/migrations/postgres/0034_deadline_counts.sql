-- Issues 27 and 30: the month's overdue matters counted where deadlines are written. The
-- assessment's overdue figure counts a case's deadlines that fell due in the period before today
-- and were not met, at the case's place; at each read that walked every such deadline and looked
-- up its case (3,300 in the first days of a month at a million cases, ten times that at ten).
-- The database keeps them counted per due day and place, in the writing transaction, whatever
-- statement writes a deadline (its state, its day) or moves a case (a handoff taken over): the
-- figure then adds up a month's days. What is kept is exactly what
-- `repo::assessment::overdue_counted` counts from the rows, and `noveto audit verify` compares
-- the two. No unit or no window is kept as 0. As with 0033's, each write adds a row of its own
-- (a delta) and the server folds a key's rows into one every minute.
CREATE TABLE deadline_counts (
  due TEXT NOT NULL, center_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, window_id BIGINT NOT NULL,
  live BIGINT NOT NULL);
CREATE INDEX deadline_counts_key ON deadline_counts(due, center_id, unit_id, window_id);

INSERT INTO deadline_counts
SELECT d.due, c.center_id, COALESCE(c.unit_id, 0), COALESCE(c.window_id, 0), COUNT(*)
  FROM deadlines d JOIN cases c ON c.id = d.entity_id
 WHERE d.entity = 'case' AND d.state NOT IN ('met', 'paused') AND d.due IS NOT NULL
 GROUP BY d.due, c.center_id, COALESCE(c.unit_id, 0), COALESCE(c.window_id, 0);

-- Adds `n` to the live deadlines of day `due` at a place: a row of its own.
CREATE FUNCTION deadline_counts_add(due TEXT, center BIGINT, unit BIGINT, win BIGINT, n BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO deadline_counts VALUES (due, center, COALESCE(unit, 0), COALESCE(win, 0), n)
$$;

-- A deadline is live while it belongs to a case, has a day and is neither met nor paused.
CREATE FUNCTION deadline_counts_on_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c cases;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.entity = 'case' AND OLD.state NOT IN ('met', 'paused') AND OLD.due IS NOT NULL THEN
    SELECT * INTO c FROM cases WHERE id = OLD.entity_id;
    IF FOUND THEN PERFORM deadline_counts_add(OLD.due, c.center_id, c.unit_id, c.window_id, -1); END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.entity = 'case' AND NEW.state NOT IN ('met', 'paused') AND NEW.due IS NOT NULL THEN
    SELECT * INTO c FROM cases WHERE id = NEW.entity_id;
    IF FOUND THEN PERFORM deadline_counts_add(NEW.due, c.center_id, c.unit_id, c.window_id, 1); END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER deadline_counts_insert AFTER INSERT OR DELETE ON deadlines
  FOR EACH ROW EXECUTE FUNCTION deadline_counts_on_deadline();
CREATE TRIGGER deadline_counts_update AFTER UPDATE ON deadlines FOR EACH ROW
  WHEN ((OLD.entity = 'case' AND OLD.state NOT IN ('met', 'paused') AND OLD.due IS NOT NULL)
        IS DISTINCT FROM (NEW.entity = 'case' AND NEW.state NOT IN ('met', 'paused') AND NEW.due IS NOT NULL)
     OR OLD.due IS DISTINCT FROM NEW.due OR OLD.entity IS DISTINCT FROM NEW.entity
     OR OLD.entity_id IS DISTINCT FROM NEW.entity_id)
  EXECUTE FUNCTION deadline_counts_on_deadline();

-- A case's live deadlines are counted at its place: they come with it, move with it and go with it.
CREATE FUNCTION deadline_counts_on_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d RECORD;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    FOR d IN SELECT due, COUNT(*) n FROM deadlines
              WHERE entity = 'case' AND entity_id = OLD.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due LOOP
      PERFORM deadline_counts_add(d.due, OLD.center_id, OLD.unit_id, OLD.window_id, -d.n);
    END LOOP;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    FOR d IN SELECT due, COUNT(*) n FROM deadlines
              WHERE entity = 'case' AND entity_id = NEW.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due LOOP
      PERFORM deadline_counts_add(d.due, NEW.center_id, NEW.unit_id, NEW.window_id, d.n);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER deadline_counts_case AFTER INSERT OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION deadline_counts_on_case();
CREATE TRIGGER deadline_counts_case_move AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.center_id IS DISTINCT FROM NEW.center_id
     OR OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.window_id IS DISTINCT FROM NEW.window_id)
  EXECUTE FUNCTION deadline_counts_on_case();
