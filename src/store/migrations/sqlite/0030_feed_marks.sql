-- Change counters behind the Activity Feed response cache (app/feed_cache.h,
-- ActivityRepository::FeedStamp): every write a user's feed depends on bumps one, in the
-- same transaction, whichever process (node) makes it. A counter only grows, and a
-- missing row counts as 0, so existing data needs no backfill.
--   u:<gitlab_user_id>  activities of that actor were inserted (ActivityRepository)
--   e:<email>           commits authored under that e-mail were inserted
--   all                 every activity was deleted
--   w:<user_id>         the user's worklogs or handled suggestions changed (triggers)
--   identities          a GitLab identity was linked, changed or unlinked (triggers):
--                       its e-mails are claimed in other users' feeds
CREATE TABLE feed_marks (
  subject TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER feed_marks_worklog_insert AFTER INSERT ON worklogs BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || NEW.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_worklog_update AFTER UPDATE ON worklogs BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || OLD.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || NEW.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_worklog_delete AFTER DELETE ON worklogs BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || OLD.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER feed_marks_handled_insert AFTER INSERT ON handled_suggestions BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || NEW.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_handled_update AFTER UPDATE ON handled_suggestions BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || OLD.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || NEW.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_handled_delete AFTER DELETE ON handled_suggestions BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('w:' || OLD.user_id, 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER feed_marks_identity_insert AFTER INSERT ON gitlab_identities BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('identities', 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_identity_update AFTER UPDATE ON gitlab_identities BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('identities', 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER feed_marks_identity_delete AFTER DELETE ON gitlab_identities BEGIN
  INSERT INTO feed_marks (subject, seq) VALUES ('identities', 1)
    ON CONFLICT (subject) DO UPDATE SET seq = seq + 1;
END;
