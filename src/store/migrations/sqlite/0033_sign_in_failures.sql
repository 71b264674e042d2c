-- Failed sign-ins per key ("account:<email>", "address:<ip>"), shared by every node so that
-- N nodes behind a load balancer lock out after as many wrong passwords as one node does.
-- A row is worth nothing once expires_us (the later of the window's end and the lockout's
-- end) has passed; rows are deleted then.
CREATE TABLE sign_in_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_failure_us INTEGER NOT NULL,
  locked_until_us INTEGER NOT NULL DEFAULT 0,
  expires_us INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sign_in_failures_expiry ON sign_in_failures (expires_us);
