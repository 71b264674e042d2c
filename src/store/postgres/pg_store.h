#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/postgres/pg_inbox_groups.h"
#include "store/postgres/pg_org.h"
#include "store/postgres/pg_queues.h"
#include "store/postgres/pg_suggestions.h"
#include "store/store.h"

namespace worklog::store::postgres {

class PgStore;

class PgUsers final : public UserRepository {
 public:
  explicit PgUsers(PgStore& store) : store_(store) {}
  Result<domain::User> Create(const domain::NewUser& user) override;
  Result<domain::User> Get(int64_t id) override;
  Result<domain::User> GetByEmail(std::string_view email) override;
  Result<std::vector<domain::User>> List() override;
  Result<int64_t> Count() override;
  Status Update(const domain::User& user) override;

 private:
  PgStore& store_;
};

class PgSessions final : public SessionRepository {
 public:
  explicit PgSessions(PgStore& store) : store_(store) {}
  Status Create(const Session& session) override;
  Result<SessionWithUser> Get(std::string_view id_hash, TimePoint now) override;
  Status Delete(std::string_view id_hash) override;
  Status DeleteExpired(TimePoint now) override;
  Result<ApiToken> CreateApiToken(int64_t user_id, std::string_view name,
                                  std::string_view token_hash) override;
  Result<ApiTokenWithUser> GetApiToken(std::string_view token_hash) override;
  Status RecordSignInFailure(std::string_view key, const SignInLimit& limit,
                             TimePoint now) override;
  Result<std::optional<TimePoint>> SignInLockedUntil(std::string_view key, TimePoint now) override;
  Status ResetSignInFailures(std::string_view key) override;

 private:
  PgStore& store_;
};

class PgWorklogs final : public WorklogRepository {
 public:
  explicit PgWorklogs(PgStore& store) : store_(store) {}
  Result<domain::Worklog> Create(const domain::Worklog& worklog) override;
  Result<domain::Worklog> Get(int64_t id) override;
  Result<std::vector<domain::Worklog>> List(const WorklogQuery& query) override;
  Result<domain::Worklog> Update(const domain::Worklog& worklog) override;
  Status Delete(int64_t id) override;

 private:
  PgStore& store_;
};

// PostgreSQL through a pool of libpq connections; any number of processes may share the
// database.
class PgStore final : public Store {
 public:
  static constexpr int kPoolSize = 16;
  // Groups of webhook deliveries stored at a time (InboxInsertGroups).
  static constexpr int kInboxInsertGroups = 2;

  // Connects once to check the URL, then keeps the connection in the pool.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo, const Clock& clock);

  PgStore(const std::string& conninfo, const Clock& clock);
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;
  PgStore(PgStore&&) = delete;
  PgStore& operator=(PgStore&&) = delete;
  ~PgStore() override = default;

  std::string_view Backend() const override { return "postgresql"; }
  Status Migrate() override;
  UserRepository& Users() override { return users_; }
  SessionRepository& Sessions() override { return sessions_; }
  WorklogRepository& Worklogs() override { return worklogs_; }
  ActivityRepository& Activities() override { return activities_; }
  InboxRepository& Inbox() override { return inbox_; }
  JobRepository& Jobs() override { return jobs_; }
  GitlabOrgRepository& GitlabOrg() override { return gitlab_org_; }
  SuggestionRepository& Suggestions() override { return suggestions_; }

  const Clock& clock() const { return clock_; }
  Pool& pool() { return pool_; }
  InboxInsertGroups& inbox_inserts() { return inbox_inserts_; }

 private:
  const Clock& clock_;
  Pool pool_;
  InboxInsertGroups inbox_inserts_{pool_, kInboxInsertGroups};
  PgUsers users_{*this};
  PgSessions sessions_{*this};
  PgWorklogs worklogs_{*this};
  PgActivities activities_{*this};
  PgInbox inbox_{*this};
  PgJobs jobs_{*this};
  PgGitlabOrg gitlab_org_{*this};
  PgSuggestions suggestions_{*this};
};

}  // namespace worklog::store::postgres
