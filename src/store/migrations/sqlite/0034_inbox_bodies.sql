-- The webhook inbox without its bodies (issue #5). A delivery's raw body (~4 KB for a push)
-- sat in the same record as its status, lease and attempts, mostly in an overflow page:
-- the workers' claim and their done each rewrote the whole record, body included, into the
-- WAL (and Debian's SECURE_DELETE zeroed the freed overflow page once more). The body now
-- has a table of its own, written once when the delivery is stored; the claim and the done
-- touch a record of ~100 bytes. A body's row has the id of its delivery and is deleted with
-- it (sqlite_inbox.cc).
--
-- Every delivery is kept as it was, pending ones included, with its id; the AUTOINCREMENT
-- sequence goes on from where it was, so an id is never given out twice.

CREATE TABLE webhook_inbox_bodies (
  id INTEGER PRIMARY KEY,  -- webhook_inbox.id
  body BLOB NOT NULL
) STRICT;

CREATE TABLE webhook_inbox_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL UNIQUE,
  event_name TEXT NOT NULL,
  received_at_us INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_until_us INTEGER NOT NULL DEFAULT 0,  -- 0: never claimed
  processed_at_us INTEGER,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;

INSERT INTO webhook_inbox_bodies (id, body) SELECT id, body FROM webhook_inbox;

INSERT INTO webhook_inbox_v2 (id, delivery_id, event_name, received_at_us, status, attempts,
                              claimed_by, lease_until_us, processed_at_us, last_error)
SELECT id, delivery_id, event_name, received_at_us, status, attempts, claimed_by,
       lease_until_us, processed_at_us, last_error
FROM webhook_inbox;

-- The sequence of the old table (its highest id ever, even when that row is gone) becomes
-- the new table's; RENAME carries it over.
DELETE FROM sqlite_sequence WHERE name = 'webhook_inbox_v2';
UPDATE sqlite_sequence SET name = 'webhook_inbox_v2' WHERE name = 'webhook_inbox';

PRAGMA secure_delete = FAST;
DROP TABLE webhook_inbox;
PRAGMA secure_delete = ON;
ALTER TABLE webhook_inbox_v2 RENAME TO webhook_inbox;

-- Workers look only at pending rows.
CREATE INDEX webhook_inbox_pending ON webhook_inbox (id) WHERE status = 'pending';
CREATE INDEX webhook_inbox_done ON webhook_inbox (received_at_us) WHERE status = 'done';
