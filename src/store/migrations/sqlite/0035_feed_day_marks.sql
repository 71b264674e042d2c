-- Day-granular feed marks: which days of a user's Activity Feed changed
-- (ActivityRepository::FeedDayMarks), so that a read after a write recomputes only the
-- local days whose marks moved (app/activity_feed.h). One row per (subject, day), never
-- per activity; a counter only grows and a missing row counts as 0 (no backfill).
--   u:<gitlab_user_id>, day  activities of that actor occurring on that UTC day were inserted
--   e:<email>, day           commits authored under that e-mail on that UTC day were inserted
--   w:<user_id>, day         the user's smart-commit worklogs of that start date changed
-- day: days since 1970-01-01 (a UTC day for u:/e:, the worklog's local start date for w:).
-- The global marks of 0030 (identities, all) still change every day of every feed.
CREATE TABLE feed_day_marks (
  subject TEXT NOT NULL,
  day INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (subject, day)
) STRICT, WITHOUT ROWID;

-- Only smart-commit worklogs take part in a day's suggestions (app/activity_feed.cc).
CREATE TRIGGER feed_day_marks_worklog_insert AFTER INSERT ON worklogs
WHEN NEW.origin = 'smart_commit' BEGIN
  INSERT INTO feed_day_marks (subject, day, seq)
    VALUES ('w:' || NEW.user_id, CAST(julianday(NEW.start_date) - 2440587.5 AS INTEGER), 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_day_marks_worklog_update AFTER UPDATE ON worklogs
WHEN OLD.origin = 'smart_commit' OR NEW.origin = 'smart_commit' BEGIN
  INSERT INTO feed_day_marks (subject, day, seq)
    VALUES ('w:' || OLD.user_id, CAST(julianday(OLD.start_date) - 2440587.5 AS INTEGER), 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = seq + 1;
  INSERT INTO feed_day_marks (subject, day, seq)
    VALUES ('w:' || NEW.user_id, CAST(julianday(NEW.start_date) - 2440587.5 AS INTEGER), 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_day_marks_worklog_delete AFTER DELETE ON worklogs
WHEN OLD.origin = 'smart_commit' BEGIN
  INSERT INTO feed_day_marks (subject, day, seq)
    VALUES ('w:' || OLD.user_id, CAST(julianday(OLD.start_date) - 2440587.5 AS INTEGER), 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = seq + 1;
END;
