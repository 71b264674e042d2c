-- Users, browser sessions, personal API tokens and worklogs.
-- Instants are INTEGER microseconds since the Unix epoch (UTC); dates and times of day
-- are ISO text in the author's time zone.

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  timezone TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  auto_log_day_end INTEGER NOT NULL DEFAULT 0 CHECK (auto_log_day_end IN (0, 1)),
  created_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at_us);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE worklogs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id),
  issue_key TEXT NOT NULL,
  start_date TEXT NOT NULL,  -- YYYY-MM-DD
  start_time TEXT NOT NULL,  -- HH:MM:SS
  start_at_us INTEGER NOT NULL,
  duration_seconds INTEGER NOT NULL CHECK (duration_seconds BETWEEN 1 AND 86400),
  description TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('manual', 'activity_feed', 'smart_commit', 'automation')),
  activity_keys TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
  dedupe_key TEXT,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  UNIQUE (user_id, dedupe_key)
) STRICT;
CREATE INDEX worklogs_by_user_date ON worklogs (user_id, start_date, start_at_us);
CREATE INDEX worklogs_by_date ON worklogs (start_date, start_at_us);
