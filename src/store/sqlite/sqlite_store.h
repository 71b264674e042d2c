#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/background_writes.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_org.h"
#include "store/sqlite/sqlite_queues.h"
#include "store/sqlite/sqlite_suggestions.h"
#include "store/store.h"

namespace worklog::store::sqlite {

class SqliteStore;

// One caller's write waiting for its group's commit.
struct PendingWrite {
  std::function<bool(Connection&)> run;  // false: the write failed (its own error)
  std::optional<Error> error;            // the transaction failed: nothing was written
  bool background = false;               // BackgroundWrites::Active() of the caller
  bool lease = false;                    // WriteLease, WriteDerived: no fsync of its own
  bool done = false;                     // guarded by SqliteStore::group_mutex_
  // Signalled once when done, or when this write is handed the lead of the next group.
  std::condition_variable wake;
};

class SqliteUsers final : public UserRepository {
 public:
  explicit SqliteUsers(SqliteStore& store) : store_(store) {}
  Result<domain::User> Create(const domain::NewUser& user) override;
  Result<domain::User> Get(int64_t id) override;
  Result<domain::User> GetByEmail(std::string_view email) override;
  Result<std::vector<domain::User>> List() override;
  Result<int64_t> Count() override;
  Status Update(const domain::User& user) override;

 private:
  SqliteStore& store_;
};

class SqliteSessions final : public SessionRepository {
 public:
  explicit SqliteSessions(SqliteStore& store) : store_(store) {}
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
  SqliteStore& store_;
};

class SqliteWorklogs final : public WorklogRepository {
 public:
  explicit SqliteWorklogs(SqliteStore& store) : store_(store) {}
  Result<domain::Worklog> Create(const domain::Worklog& worklog) override;
  Result<domain::Worklog> Get(int64_t id) override;
  Result<std::vector<domain::Worklog>> List(const WorklogQuery& query) override;
  Result<domain::Worklog> Update(const domain::Worklog& worklog) override;
  Status Delete(int64_t id) override;

 private:
  SqliteStore& store_;
};

// SQLite in WAL mode: one writer connection behind a mutex (SQLite allows one writer at a
// time anyway, and serializing in-process avoids busy retries), plus a small pool of
// reader connections that read concurrently with the writer.
class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Clock& clock);

  SqliteStore(std::string path, const Clock& clock, std::unique_ptr<Connection> writer);
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  SqliteStore(SqliteStore&&) = delete;
  SqliteStore& operator=(SqliteStore&&) = delete;
  ~SqliteStore() override;

  std::string_view Backend() const override { return "sqlite"; }
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

  // Runs `fn(Connection&)` -> Result<T> on the writer inside BEGIN IMMEDIATE ... COMMIT;
  // commits only when `fn` succeeded, and returns once the commit is durable.
  //
  // Group commit: writes that arrive while another is committing wait, and the next one
  // to run takes all of them into one transaction, each inside its own SAVEPOINT (a write
  // that fails rolls back alone). One fsync then makes the whole group durable, so the
  // write rate is not capped by the disk's fsync rate (~1,500/s here) while each caller
  // still returns only after its own data is on disk.
  //
  // Writes people wait on (a webhook's acknowledgement, a worklog) go first and are never
  // grouped with background writes (BackgroundWrites: the GitLab workers), which commit
  // in groups of their own, one at a time while others wait: an acknowledgement waits for
  // at most one background write, not for every one queued before it.
  //
  // A write made while the calling thread runs another (WriteTogether's, a repository call
  // inside it) joins that one's transaction, inside its own SAVEPOINT.
  template <typename Fn>
  auto Write(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    using R = std::invoke_result_t<Fn&, Connection&>;
    if (Connection* outer = RunningWrite(); outer != nullptr) {
      if (sqlite3_get_autocommit(outer->get()) != 0) {
        // SQLite rolled the outer transaction back (I/O error, disk full): nothing more
        // may be written outside it.
        return tl::unexpected(
            Error{ErrorCode::kUnavailable, {}, "the database rolled the transaction back"});
      }
      if (auto savepoint = outer->RunCached("SAVEPOINT nested_write"); !savepoint) {
        return tl::unexpected(savepoint.error());
      }
      R nested = fn(*outer);
      if (!nested) {
        (void)outer->RunCached("ROLLBACK TO nested_write");
      }
      (void)outer->RunCached("RELEASE nested_write");
      return nested;
    }
    return WriteInGroup(std::forward<Fn>(fn), /*lease=*/false);
  }

  // Write for a lease (a worker's claim on queued work): committed without an fsync of its
  // own when its whole group is leases. Visible at once and kept when the process dies; a
  // power loss may take it back, together with every commit after it (the WAL is synced in
  // order: the next synced commit makes it durable), and the work is claimed again.
  template <typename Fn>
  auto WriteLease(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    if (RunningWrite() != nullptr) {
      return Write(std::forward<Fn>(fn));
    }
    return WriteInGroup(std::forward<Fn>(fn), /*lease=*/true);
  }

  // Store::WriteTogether: `writes` in one transaction (one group member), durable once.
  Status WriteTogether(const std::function<Status()>& writes) override;
  // Store::WriteDerived: WriteTogether committed as a lease is (see WriteLease).
  Status WriteDerived(const std::function<Status()>& writes) override;

  // Runs `fn(Connection&)` -> Result<T> on a reader connection in one read transaction.
  template <typename Fn>
  auto Read(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    auto reader = AcquireReader();
    if (!reader) {
      return tl::unexpected(reader.error());
    }
    std::invoke_result_t<Fn&, Connection&> result =
        [&]() -> std::invoke_result_t<Fn&, Connection&> {
      auto transaction = Transaction::Begin(**reader, /*immediate=*/false);
      if (!transaction) {
        return tl::unexpected(transaction.error());
      }
      return fn(**reader);
    }();
    ReleaseReader(std::move(*reader));
    return result;
  }

 private:
  Result<int64_t> ApplyMigrations();  // how many were applied
  // Queues `fn` for the next group of its kind and waits for its commit.
  template <typename Fn>
  auto WriteInGroup(Fn&& fn, bool lease) -> std::invoke_result_t<Fn&, Connection&> {
    using R = std::invoke_result_t<Fn&, Connection&>;
    std::optional<R> result;
    PendingWrite write;
    write.background = BackgroundWrites::Active();
    write.lease = lease;
    write.run = [&](Connection& db) {
      result.emplace(fn(db));
      return result->has_value();
    };
    CommitInGroup(write);
    if (write.error) {
      return tl::unexpected(std::move(*write.error));
    }
    return std::move(*result);
  }
  void CommitInGroup(PendingWrite& write);
  // The writer connection while the calling thread runs a write on it, else nullptr.
  static Connection* RunningWrite();
  // Takes the next group off the queues; under group_mutex_.
  std::vector<PendingWrite*> NextGroup();
  // The WAL is checkpointed by checkpointer_, on its own connection, once it holds
  // kCheckpointPages: a commit (and the acknowledgements waiting on it) never pays for
  // copying pages into the database file and its fsync.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  void RunCheckpoints(const std::stop_token& stop);
  void RunGroup(const std::vector<PendingWrite*>& group);
  Result<std::unique_ptr<Connection>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> reader);

  const std::string path_;
  const Clock& clock_;

  std::mutex group_mutex_;
  std::deque<PendingWrite*> queued_writes_;      // Guarded by group_mutex_.
  std::deque<PendingWrite*> queued_background_;  // Guarded by group_mutex_.
  bool background_due_ = false;                  // Guarded by group_mutex_.
  bool group_running_ = false;                   // Guarded by group_mutex_.

  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;  // Guarded by write_mutex_.

  std::mutex checkpoint_mutex_;
  std::condition_variable_any checkpoint_due_;
  bool checkpoint_wanted_ = false;  // Guarded by checkpoint_mutex_.

  std::mutex readers_mutex_;
  std::condition_variable reader_released_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // Guarded by readers_mutex_.
  int open_readers_ = 0;                                   // Guarded by readers_mutex_.

  SqliteUsers users_{*this};
  SqliteSessions sessions_{*this};
  SqliteWorklogs worklogs_{*this};
  SqliteActivities activities_{*this};
  SqliteInbox inbox_{*this};
  SqliteJobs jobs_{*this};
  SqliteGitlabOrg gitlab_org_{*this};
  SqliteSuggestions suggestions_{*this};

  std::jthread checkpointer_;  // last: stops (and joins) first
};

}  // namespace worklog::store::sqlite
