-- Activities in fewer bytes (issue #5): a field equal to what the row's other columns
-- derive is stored NULL and derived on read (sqlite_activities.cc), so every activity
-- reads back as it was written.
--
--   key         NULL when it is "commit:<project_id>:<sha>" of a 40-hex sha; such commits
--               are kept once per (project_id, sha) by activities_commit_sha instead of
--               by the UNIQUE key
--   sha         the 20 bytes (BLOB) of 40 lowercase hex digits, else the TEXT as given
--   url_prefix  activity_url_prefixes.id of the url up to "/<project_path>/-/", when the
--               url has one (the project's web url); url then holds the rest, NULL when
--               the rest is "commit/<sha>"
--   body        NULL when it starts with the title; body_tail is what follows it (NULL:
--               nothing)
--
-- Rewrites every row in (actor, time) order, read through activities_by_actor (no sort in
-- memory): one user's month is then a few neighbouring pages instead of ~1,700 pages all
-- over the file (row ids are new; nothing refers to them). Rows written later are appended
-- as they arrive. (worklog_unhex is registered on each connection by sqlite_db.cc;
-- SQLite 3.40 has no unhex). SqliteStore::Migrate vacuums the file afterwards.

CREATE TABLE activity_url_prefixes (
  id INTEGER PRIMARY KEY,
  prefix TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE activities_compact (
  id INTEGER PRIMARY KEY,
  key TEXT UNIQUE,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  project_path TEXT NOT NULL,
  gitlab_user_id INTEGER,  -- the actor; for commits the pusher
  author_email TEXT NOT NULL,
  author_name TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT,
  body_tail TEXT,
  url_prefix INTEGER,
  url TEXT,
  ref TEXT NOT NULL,
  sha ANY NOT NULL,
  issue_keys TEXT NOT NULL,  -- JSON array of strings
  time_spent_seconds INTEGER
) STRICT;

INSERT INTO activity_url_prefixes (prefix)
SELECT DISTINCT substr(url, 1, instr(url, '/' || project_path || '/-/') + length(project_path) + 3)
FROM activities WHERE project_path <> '' AND instr(url, '/' || project_path || '/-/') > 0;

INSERT INTO activities_compact (key, kind, action, occurred_at_us, project_id, project_path,
                                gitlab_user_id, author_email, author_name, title, body,
                                body_tail, url_prefix, url, ref, sha, issue_keys,
                                time_spent_seconds)
WITH s AS (
  SELECT a.*, length(a.sha) = 40 AND a.sha NOT GLOB '*[^0-9a-f]*' AS hex_sha,
         substr(a.body, 1, length(a.title)) = a.title AS body_has_title,
         p.id AS prefix_id,
         substr(a.url, length(p.prefix) + 1) AS url_rest
  FROM activities a INDEXED BY activities_by_actor
  LEFT JOIN activity_url_prefixes p
    ON a.project_path <> '' AND instr(a.url, '/' || a.project_path || '/-/') > 0
   AND p.prefix = substr(a.url, 1,
                         instr(a.url, '/' || a.project_path || '/-/') + length(a.project_path) + 3)
)
SELECT CASE WHEN hex_sha AND key = 'commit:' || project_id || ':' || sha THEN NULL ELSE key END,
       kind, action, occurred_at_us, project_id, project_path, gitlab_user_id, author_email,
       author_name, title,
       CASE WHEN body_has_title THEN NULL ELSE body END,
       CASE WHEN body_has_title AND length(body) > length(title)
            THEN substr(body, length(title) + 1) END,
       prefix_id,
       CASE WHEN prefix_id IS NULL THEN url
            WHEN url_rest = 'commit/' || sha THEN NULL
            ELSE url_rest END,
       ref,
       CASE WHEN hex_sha THEN worklog_unhex(sha) ELSE sha END,
       issue_keys, time_spent_seconds
FROM s
ORDER BY gitlab_user_id, occurred_at_us;

-- Debian's SQLite zeroes every freed page (SECURE_DELETE): dropping the old table would
-- write each of its pages again, to the WAL and to the statement journal (in memory, as
-- temp_store is MEMORY: gigabytes for 10 M rows). The file is vacuumed right after, which
-- leaves no freed page behind anyway.
PRAGMA secure_delete = FAST;
DROP TABLE activities;
PRAGMA secure_delete = ON;
ALTER TABLE activities_compact RENAME TO activities;

-- A commit stored without its key, once per project and sha.
CREATE UNIQUE INDEX activities_commit_sha ON activities (project_id, sha) WHERE key IS NULL;
-- What a GitLab user did (and pushed), by time.
CREATE INDEX activities_by_actor ON activities (gitlab_user_id, occurred_at_us);
-- Commits by author e-mail, by time.
CREATE INDEX activities_commits_by_author ON activities (author_email, occurred_at_us)
  WHERE kind = 'commit';
