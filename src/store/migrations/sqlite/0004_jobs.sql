-- The durable job queue shared by every worker (store/job_repository.h).

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'failed')),
  run_at_us INTEGER NOT NULL,
  unique_key TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  claimed_by TEXT NOT NULL DEFAULT '',
  lease_until_us INTEGER NOT NULL DEFAULT 0,
  created_at_us INTEGER NOT NULL
) STRICT;

-- At most one queued job per unique key.
CREATE UNIQUE INDEX jobs_queued_unique_key ON jobs (unique_key) WHERE state = 'queued';
-- Due jobs, and running jobs whose lease may have expired.
CREATE INDEX jobs_queued_by_run_at ON jobs (run_at_us, id) WHERE state = 'queued';
CREATE INDEX jobs_running_by_lease ON jobs (lease_until_us, id) WHERE state = 'running';
