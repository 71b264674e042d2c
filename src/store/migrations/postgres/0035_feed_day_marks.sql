-- Day-granular feed marks: which days of a user's Activity Feed changed
-- (ActivityRepository::FeedDayMarks), so that a read after a write recomputes only the
-- local days whose marks moved (app/activity_feed.h). One row per (subject, day), never
-- per activity; a counter only grows (an increment under the row lock) and a missing row
-- counts as 0 (no backfill).
--   u:<gitlab_user_id>, day  activities of that actor occurring on that UTC day were inserted
--   e:<email>, day           commits authored under that e-mail on that UTC day were inserted
--   w:<user_id>, day         the user's smart-commit worklogs of that start date changed
-- day: days since 1970-01-01 (a UTC day for u:/e:, the worklog's local start date for w:).
-- The global marks of 0030 (identities, all) still change every day of every feed.
CREATE TABLE feed_day_marks (
  subject TEXT NOT NULL,
  day BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (subject, day)
);

CREATE FUNCTION feed_day_marks_bump(mark TEXT, mark_day BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO feed_day_marks (subject, day, seq) VALUES (mark, mark_day, 1)
    ON CONFLICT (subject, day) DO UPDATE SET seq = feed_day_marks.seq + 1;
$$;

-- Only smart-commit worklogs take part in a day's suggestions (app/activity_feed.cc).
CREATE FUNCTION feed_day_marks_worklog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.origin = 'smart_commit' THEN
    PERFORM feed_day_marks_bump('w:' || OLD.user_id, OLD.start_date - DATE '1970-01-01');
  END IF;
  IF TG_OP <> 'DELETE' AND (NEW.origin = 'smart_commit'
                            OR (TG_OP = 'UPDATE' AND OLD.origin = 'smart_commit')) THEN
    PERFORM feed_day_marks_bump('w:' || NEW.user_id, NEW.start_date - DATE '1970-01-01');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER feed_day_marks_worklogs AFTER INSERT OR UPDATE OR DELETE ON worklogs
  FOR EACH ROW EXECUTE FUNCTION feed_day_marks_worklog_changed();
