-- Issues 27 and 30: the month's overdue matters counted where deadlines are written. The
-- assessment's overdue figure counts a case's deadlines that fell due in the period before today
-- and were not met, at the case's place; at each read that walked every such deadline and looked
-- up its case (3,300 in the first days of a month at a million cases, ten times that at ten).
-- The database keeps them counted per due day and place, in the writing transaction, whatever
-- statement writes a deadline (its state, its day) or moves a case (a handoff taken over): the
-- figure then adds up a month's days. What is kept is exactly what
-- `repo::assessment::overdue_counted` counts from the rows, and `noveto audit verify` compares
-- the two. No unit or no window is kept as 0.
CREATE TABLE deadline_counts (
  due TEXT NOT NULL, center_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, window_id BIGINT NOT NULL,
  live BIGINT NOT NULL,
  PRIMARY KEY (due, center_id, unit_id, window_id)) WITHOUT ROWID;

INSERT INTO deadline_counts
SELECT d.due, c.center_id, COALESCE(c.unit_id, 0), COALESCE(c.window_id, 0), COUNT(*)
  FROM deadlines d JOIN cases c ON c.id = d.entity_id
 WHERE d.entity = 'case' AND d.state NOT IN ('met', 'paused') AND d.due IS NOT NULL
 GROUP BY d.due, c.center_id, COALESCE(c.unit_id, 0), COALESCE(c.window_id, 0);

-- A deadline is live while it belongs to a case, has a day and is neither met nor paused.
CREATE TRIGGER deadline_counts_insert AFTER INSERT ON deadlines
WHEN NEW.entity = 'case' AND NEW.state NOT IN ('met', 'paused') AND NEW.due IS NOT NULL
BEGIN
  INSERT INTO deadline_counts
  SELECT NEW.due, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), 1 FROM cases WHERE id = NEW.entity_id
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;

CREATE TRIGGER deadline_counts_delete AFTER DELETE ON deadlines
WHEN OLD.entity = 'case' AND OLD.state NOT IN ('met', 'paused') AND OLD.due IS NOT NULL
BEGIN
  INSERT INTO deadline_counts
  SELECT OLD.due, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), -1 FROM cases WHERE id = OLD.entity_id
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;

CREATE TRIGGER deadline_counts_update AFTER UPDATE ON deadlines
WHEN (OLD.entity = 'case' AND OLD.state NOT IN ('met', 'paused') AND OLD.due IS NOT NULL)
     IS NOT (NEW.entity = 'case' AND NEW.state NOT IN ('met', 'paused') AND NEW.due IS NOT NULL)
  OR OLD.due IS NOT NEW.due OR OLD.entity IS NOT NEW.entity OR OLD.entity_id IS NOT NEW.entity_id
BEGIN
  INSERT INTO deadline_counts
  SELECT OLD.due, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), -1 FROM cases
   WHERE id = OLD.entity_id AND OLD.entity = 'case' AND OLD.state NOT IN ('met', 'paused') AND OLD.due IS NOT NULL
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
  INSERT INTO deadline_counts
  SELECT NEW.due, center_id, COALESCE(unit_id, 0), COALESCE(window_id, 0), 1 FROM cases
   WHERE id = NEW.entity_id AND NEW.entity = 'case' AND NEW.state NOT IN ('met', 'paused') AND NEW.due IS NOT NULL
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;

-- A case's live deadlines are counted at its place: they come with it, move with it and go with it.
CREATE TRIGGER deadline_counts_case_insert AFTER INSERT ON cases
BEGIN
  INSERT INTO deadline_counts
  SELECT due, NEW.center_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.window_id, 0), COUNT(*) FROM deadlines
   WHERE entity = 'case' AND entity_id = NEW.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;

CREATE TRIGGER deadline_counts_case_delete AFTER DELETE ON cases
BEGIN
  INSERT INTO deadline_counts
  SELECT due, OLD.center_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.window_id, 0), -COUNT(*) FROM deadlines
   WHERE entity = 'case' AND entity_id = OLD.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;

CREATE TRIGGER deadline_counts_case_move AFTER UPDATE OF id, center_id, unit_id, window_id ON cases
WHEN OLD.id IS NOT NEW.id OR OLD.center_id IS NOT NEW.center_id OR OLD.unit_id IS NOT NEW.unit_id
  OR OLD.window_id IS NOT NEW.window_id
BEGIN
  INSERT INTO deadline_counts
  SELECT due, OLD.center_id, COALESCE(OLD.unit_id, 0), COALESCE(OLD.window_id, 0), -COUNT(*) FROM deadlines
   WHERE entity = 'case' AND entity_id = OLD.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
  INSERT INTO deadline_counts
  SELECT due, NEW.center_id, COALESCE(NEW.unit_id, 0), COALESCE(NEW.window_id, 0), COUNT(*) FROM deadlines
   WHERE entity = 'case' AND entity_id = NEW.id AND state NOT IN ('met', 'paused') AND due IS NOT NULL GROUP BY due
  ON CONFLICT (due, center_id, unit_id, window_id) DO UPDATE SET live = live + excluded.live;
END;
