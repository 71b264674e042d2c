-- The webhook inbox without its bodies (issue #5), as on SQLite. A push's ~4 KB body,
-- compressed by TOAST to ~1 KB, stayed inline in the row, so the workers' claim and their
-- done each wrote a new version of the row with its body (not a HOT update: status is in
-- the partial indexes' predicates) into the table and the WAL. The body now has a table of
-- its own, written once when the delivery is stored; its row has the id of its delivery
-- and is deleted with it (pg_inbox.cc).
--
-- Every delivery is kept, pending ones included, with its id and the identity sequence.
-- DROP COLUMN rewrites nothing: old row versions keep their bytes until updated or vacuumed.

CREATE TABLE webhook_inbox_bodies (
  id BIGINT PRIMARY KEY,  -- webhook_inbox.id
  body BYTEA NOT NULL
);

INSERT INTO webhook_inbox_bodies (id, body) SELECT id, body FROM webhook_inbox;

ALTER TABLE webhook_inbox DROP COLUMN body;
