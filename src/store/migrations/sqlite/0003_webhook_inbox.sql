-- Raw webhook deliveries, stored before GitLab gets its 2xx (DESIGN.md §3.1).

CREATE TABLE webhook_inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL UNIQUE,
  event_name TEXT NOT NULL,
  body BLOB NOT NULL,
  received_at_us INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_until_us INTEGER NOT NULL DEFAULT 0,  -- 0: never claimed
  processed_at_us INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;

-- Workers look only at pending rows.
CREATE INDEX webhook_inbox_pending ON webhook_inbox (id) WHERE status = 'pending';
CREATE INDEX webhook_inbox_done ON webhook_inbox (received_at_us) WHERE status = 'done';
