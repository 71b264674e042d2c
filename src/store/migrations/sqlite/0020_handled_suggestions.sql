-- Activity Feed suggestions a user logged or dismissed (store/suggestion_repository.h).
CREATE TABLE handled_suggestions (
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  suggestion_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('logged', 'dismissed')),
  worklog_id INTEGER,
  handled_at_us INTEGER NOT NULL,
  PRIMARY KEY (user_id, suggestion_id)
) STRICT, WITHOUT ROWID;
