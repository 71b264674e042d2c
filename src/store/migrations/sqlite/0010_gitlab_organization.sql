-- The GitLab integration (store/gitlab_org.h): installation and the one organization
-- connection (a singleton row), OAuth sign-ins in flight, projects with their hooks and
-- poll cursors, user ⇄ GitLab user links, e-mails seen in pushes, and the audit log.
-- Secrets are stored sealed (libsodium secretbox, base64url); OAuth states by SHA-256.

CREATE TABLE gitlab_integration (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  installed INTEGER NOT NULL DEFAULT 0 CHECK (installed IN (0, 1)),
  installed_at_us INTEGER,
  installed_by INTEGER,
  status TEXT NOT NULL DEFAULT 'disconnected'
    CHECK (status IN ('disconnected', 'connected', 'needs_reauthorization')),
  generation INTEGER NOT NULL DEFAULT 0,
  base_url TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  client_secret_sealed TEXT NOT NULL DEFAULT '',
  redirect_uri TEXT NOT NULL DEFAULT '',
  access_token_sealed TEXT NOT NULL DEFAULT '',
  refresh_token_sealed TEXT NOT NULL DEFAULT '',
  token_expires_at_us INTEGER NOT NULL DEFAULT 0,
  gitlab_user_id INTEGER NOT NULL DEFAULT 0,
  gitlab_username TEXT NOT NULL DEFAULT '',
  gitlab_is_admin INTEGER NOT NULL DEFAULT 0 CHECK (gitlab_is_admin IN (0, 1)),
  connected_by INTEGER,
  connected_at_us INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  hook_secret_sealed TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO gitlab_integration (id) VALUES (1);

CREATE TABLE gitlab_oauth_states (
  state_hash TEXT PRIMARY KEY,
  flow TEXT NOT NULL CHECK (flow IN ('organization', 'user')),
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_id_hash TEXT NOT NULL,
  verifier_sealed TEXT NOT NULL,
  base_url TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret_sealed TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  generation INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX gitlab_oauth_states_by_expiry ON gitlab_oauth_states (expires_at_us);

CREATE TABLE gitlab_projects (
  project_id INTEGER PRIMARY KEY,
  path_with_namespace TEXT NOT NULL,
  web_url TEXT NOT NULL,
  monitored INTEGER NOT NULL DEFAULT 1 CHECK (monitored IN (0, 1)),
  owned INTEGER NOT NULL DEFAULT 1 CHECK (owned IN (0, 1)),
  hook_id INTEGER,
  hook_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (hook_status IN ('pending', 'active', 'failed', 'polling', 'none')),
  hook_error TEXT NOT NULL DEFAULT '',
  cursor_event_id INTEGER NOT NULL DEFAULT 0,
  cursor_at_us INTEGER NOT NULL DEFAULT 0,
  backfilled INTEGER NOT NULL DEFAULT 0 CHECK (backfilled IN (0, 1)),
  last_polled_at_us INTEGER NOT NULL DEFAULT 0,
  discovered_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE gitlab_identities (
  user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  gitlab_user_id INTEGER NOT NULL UNIQUE,
  username TEXT NOT NULL,
  emails TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
  connected_by INTEGER NOT NULL,
  connected_at_us INTEGER NOT NULL
) STRICT;

CREATE TABLE gitlab_email_sightings (
  email TEXT NOT NULL,
  gitlab_user_id INTEGER NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  seen_at_us INTEGER NOT NULL,
  PRIMARY KEY (email, gitlab_user_id)
) STRICT;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor_user_id INTEGER,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (at_us);
