-- Normalized GitLab activities, one row per natural key (domain/activity.h).
-- Sized for tens of millions of rows: a rowid table with a UNIQUE text key (faster to
-- fill than WITHOUT ROWID), and two indexes that serve one user's date range.

CREATE TABLE activities (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  project_path TEXT NOT NULL,
  gitlab_user_id INTEGER,  -- the actor; for commits the pusher
  author_email TEXT NOT NULL,
  author_name TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  url TEXT NOT NULL,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  issue_keys TEXT NOT NULL,  -- JSON array of strings
  time_spent_seconds INTEGER
) STRICT;

-- What a GitLab user did (and pushed), by time.
CREATE INDEX activities_by_actor ON activities (gitlab_user_id, occurred_at_us);
-- Commits by author e-mail, by time.
CREATE INDEX activities_commits_by_author ON activities (author_email, occurred_at_us)
  WHERE kind = 'commit';
