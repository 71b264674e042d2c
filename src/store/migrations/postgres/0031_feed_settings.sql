-- The organization's Activity Feed settings (DESIGN §3.4, §3.6): how activities become
-- durations (max_gap, lead_in, rounding) and how long a smart commit's day and week are.
-- One row. Changing it changes every feed: it bumps the "all" feed mark (0030).
CREATE TABLE feed_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  max_gap_minutes INTEGER NOT NULL DEFAULT 120,
  lead_in_minutes INTEGER NOT NULL DEFAULT 30,
  rounding_minutes INTEGER NOT NULL DEFAULT 15,
  hours_per_day INTEGER NOT NULL DEFAULT 8,
  days_per_week INTEGER NOT NULL DEFAULT 5,
  updated_by BIGINT,
  updated_at_us BIGINT NOT NULL DEFAULT 0
);

INSERT INTO feed_settings (id) VALUES (1);

CREATE FUNCTION feed_marks_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_marks_bump('all');
  RETURN NULL;
END;
$$;

CREATE TRIGGER feed_marks_settings_update AFTER UPDATE ON feed_settings
  FOR EACH STATEMENT EXECUTE FUNCTION feed_marks_settings_changed();
