#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/user.h"
#include "domain/worklog.h"
#include "store/activity_repository.h"
#include "store/gitlab_org.h"
#include "store/inbox_repository.h"
#include "store/job_repository.h"
#include "store/suggestion_repository.h"

namespace worklog::store {

// A signed-in browser session. The cookie holds the raw id; only its SHA-256 is stored.
struct Session {
  std::string id_hash;
  int64_t user_id = 0;
  std::string csrf_token;
  TimePoint created_at{};
  TimePoint expires_at{};
};

// When failed sign-ins lock a key out: `max_failures` within `window` of the first one lock it
// for `lockout`; after a lockout, or once the window has passed, counting starts again.
struct SignInLimit {
  int max_failures = 5;
  std::chrono::seconds window{15 * 60};
  std::chrono::seconds lockout{15 * 60};
};

// A personal API token (Bearer). Only its SHA-256 is stored.
struct ApiToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string token_hash;
  TimePoint created_at{};
};

// A session or API token with the user it belongs to: every authenticated request reads
// both, in one query (one round trip on PostgreSQL).
struct SessionWithUser {
  Session session;
  domain::User user;
};

struct ApiTokenWithUser {
  ApiToken token;
  domain::User user;
};

struct WorklogQuery {
  std::optional<int64_t> user_id;  // empty: every user's (administrators only)
  std::string from_date;           // inclusive, "YYYY-MM-DD"
  std::string to_date;             // inclusive
};

class UserRepository {
 public:
  UserRepository() = default;
  UserRepository(const UserRepository&) = delete;
  UserRepository& operator=(const UserRepository&) = delete;
  UserRepository(UserRepository&&) = delete;
  UserRepository& operator=(UserRepository&&) = delete;
  virtual ~UserRepository() = default;

  // kConflict (field "email") when the e-mail is taken.
  virtual Result<domain::User> Create(const domain::NewUser& user) = 0;
  virtual Result<domain::User> Get(int64_t id) = 0;  // kNotFound
  virtual Result<domain::User> GetByEmail(std::string_view email) = 0;
  virtual Result<std::vector<domain::User>> List() = 0;  // by id
  virtual Result<int64_t> Count() = 0;
  // Replaces name, role, timezone, password_hash and auto_log_day_end of `user.id`.
  virtual Status Update(const domain::User& user) = 0;
};

class SessionRepository {
 public:
  SessionRepository() = default;
  SessionRepository(const SessionRepository&) = delete;
  SessionRepository& operator=(const SessionRepository&) = delete;
  SessionRepository(SessionRepository&&) = delete;
  SessionRepository& operator=(SessionRepository&&) = delete;
  virtual ~SessionRepository() = default;

  virtual Status Create(const Session& session) = 0;
  // kNotFound when absent or expired at `now`.
  virtual Result<SessionWithUser> Get(std::string_view id_hash, TimePoint now) = 0;
  virtual Status Delete(std::string_view id_hash) = 0;
  virtual Status DeleteExpired(TimePoint now) = 0;

  virtual Result<ApiToken> CreateApiToken(int64_t user_id, std::string_view name,
                                          std::string_view token_hash) = 0;
  virtual Result<ApiTokenWithUser> GetApiToken(std::string_view token_hash) = 0;  // kNotFound

  // Failed sign-ins per key ("account:…", "address:…"), in the database so that every node
  // counts the same failures. RecordSignInFailure counts one atomically (concurrent calls
  // from several nodes each count) and forgets keys whose window and lockout are both over.
  virtual Status RecordSignInFailure(std::string_view key, const SignInLimit& limit,
                                     TimePoint now) = 0;
  // Until when `key` is locked out; empty when it is not at `now`.
  virtual Result<std::optional<TimePoint>> SignInLockedUntil(std::string_view key,
                                                             TimePoint now) = 0;
  virtual Status ResetSignInFailures(std::string_view key) = 0;
};

// kConflict on field "activity_keys": `activity_key` is behind worklog `worklog_id` already.
tl::unexpected<Error> ActivityAlreadyLogged(std::string_view activity_key, int64_t worklog_id);

class WorklogRepository {
 public:
  WorklogRepository() = default;
  WorklogRepository(const WorklogRepository&) = delete;
  WorklogRepository& operator=(const WorklogRepository&) = delete;
  WorklogRepository(WorklogRepository&&) = delete;
  WorklogRepository& operator=(WorklogRepository&&) = delete;
  virtual ~WorklogRepository() = default;

  // Durable on return. With a dedupe_key already used by the same user, returns the
  // existing worklog unchanged instead of creating a second one. An activity's time is
  // logged once per issue: when another worklog of the user on start_date for the same
  // issue_key was made from one of `activity_keys`, nothing is created and the error is
  // ActivityAlreadyLogged's (a commit naming two issues shares its time between two
  // suggestions, each loggable once). The
  // checks and the insert are one atomic step, also between nodes.
  virtual Result<domain::Worklog> Create(const domain::Worklog& worklog) = 0;
  virtual Result<domain::Worklog> Get(int64_t id) = 0;  // kNotFound
  // Ordered by start_at, then id.
  virtual Result<std::vector<domain::Worklog>> List(const WorklogQuery& query) = 0;
  // Replaces issue_key, start_*, duration_seconds, description; bumps updated_at.
  virtual Result<domain::Worklog> Update(const domain::Worklog& worklog) = 0;
  virtual Status Delete(int64_t id) = 0;  // kNotFound when absent
};

// The database. Thread-safe: one Store serves every request and worker thread.
// Each repository call is atomic and durable when it returns.
class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  Store(Store&&) = delete;
  Store& operator=(Store&&) = delete;
  virtual ~Store() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view Backend() const = 0;
  // Applies every migration not yet applied, in order; safe to run concurrently from
  // several processes.
  virtual Status Migrate() = 0;

  virtual UserRepository& Users() = 0;
  virtual SessionRepository& Sessions() = 0;
  virtual WorklogRepository& Worklogs() = 0;
  virtual ActivityRepository& Activities() = 0;  // store/activity_repository.h
  virtual InboxRepository& Inbox() = 0;          // store/inbox_repository.h
  virtual JobRepository& Jobs() = 0;             // store/job_repository.h
  // The GitLab integration: installation, organization connection, projects, identities,
  // audit log (store/gitlab_org.h).
  virtual GitlabOrgRepository& GitlabOrg() = 0;
  // Activity Feed suggestions logged or dismissed (store/suggestion_repository.h).
  virtual SuggestionRepository& Suggestions() = 0;

  // Runs `writes` (calls of this store's repositories on the calling thread) as one durable
  // write where the back-end can: SQLite makes them one transaction, committed once, all of
  // them or none when `writes` fails (a call that failed and was handled inside rolls back
  // alone). Elsewhere (the default) each call commits on its own as it returns. Reads made
  // inside see only what was committed before.
  virtual Status WriteTogether(const std::function<Status()>& writes) { return writes(); }
  // WriteTogether for writes whose every row can be made again from what is durable already
  // (a worker's normalized webhook deliveries: the inbox keeps their bodies until they are
  // marked done, in the same write). A back-end may commit them without waiting for the disk
  // on their own: a power loss may take them back, and the work is then done again. SQLite's
  // WAL is synced in order, so the next write that is synced (any acknowledgement, any
  // worklog) makes them durable too. The default is WriteTogether.
  virtual Status WriteDerived(const std::function<Status()>& writes) {
    return WriteTogether(writes);
  }
};

// `sqlite:PATH` (also `sqlite://PATH`) or `postgresql://…` / `postgres://…`.
// Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock);

}  // namespace worklog::store
