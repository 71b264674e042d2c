-- Activity Feed suggestions a user logged or dismissed (store/suggestion_repository.h).
CREATE TABLE handled_suggestions (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  suggestion_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('logged', 'dismissed')),
  worklog_id BIGINT,
  handled_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, suggestion_id)
);
