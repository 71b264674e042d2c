-- Change counters behind the Activity Feed response cache (app/feed_cache.h,
-- ActivityRepository::FeedStamp): every write a user's feed depends on bumps one, in the
-- same transaction, whichever process (node) makes it. A counter only grows (an increment
-- under the row lock, so concurrent writers each change it), and a missing row counts as
-- 0, so existing data needs no backfill.
--   u:<gitlab_user_id>  activities of that actor were inserted (ActivityRepository)
--   e:<email>           commits authored under that e-mail were inserted
--   all                 every activity was deleted
--   w:<user_id>         the user's worklogs or handled suggestions changed (triggers)
--   identities          a GitLab identity was linked, changed or unlinked (triggers):
--                       its e-mails are claimed in other users' feeds
CREATE TABLE feed_marks (
  subject TEXT PRIMARY KEY,
  seq BIGINT NOT NULL
);

CREATE FUNCTION feed_marks_bump(mark TEXT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO feed_marks (subject, seq) VALUES (mark, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = feed_marks.seq + 1;
$$;

CREATE FUNCTION feed_marks_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM feed_marks_bump('w:' || OLD.user_id);
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.user_id <> OLD.user_id) THEN
    PERFORM feed_marks_bump('w:' || NEW.user_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION feed_marks_identities_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_marks_bump('identities');
  RETURN NULL;
END;
$$;

CREATE TRIGGER feed_marks_worklogs AFTER INSERT OR UPDATE OR DELETE ON worklogs
  FOR EACH ROW EXECUTE FUNCTION feed_marks_user_changed();
CREATE TRIGGER feed_marks_handled AFTER INSERT OR UPDATE OR DELETE ON handled_suggestions
  FOR EACH ROW EXECUTE FUNCTION feed_marks_user_changed();
CREATE TRIGGER feed_marks_identities AFTER INSERT OR UPDATE OR DELETE ON gitlab_identities
  FOR EACH STATEMENT EXECUTE FUNCTION feed_marks_identities_changed();
