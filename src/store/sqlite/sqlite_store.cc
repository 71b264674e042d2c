#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/codec.h"
#include "store/migrations.h"

namespace worklog::store::sqlite {
namespace {

// Reader connections: as many as half of serve's 32 HTTP threads, so a thread preempted
// inside a read seldom makes others sleep on the pool; each keeps a 512 KiB page cache
// instead of SQLite's 2 MiB (a feed read's pages are scattered beyond either, and come from
// the OS's page cache), so that together they hold no more than 4 readers did.
constexpr int kMaxReaders = 16;
constexpr std::string_view kReaderSettings = "PRAGMA cache_size = -512";
// The most writes one group commit takes: bounds how long the first of them waits.
constexpr std::size_t kMaxGroup = 256;
// The most background writes one group takes when no other write is waiting (one when
// another is): each is a worker's batch, and a write arriving meanwhile waits for them.
constexpr std::size_t kMaxBackgroundGroup = 4;
// WAL pages (4 KiB) after which the checkpointer copies them into the database (SQLite's
// own default), and past which a commit does it itself (the checkpointer fell behind).
constexpr int kCheckpointPages = 1000;
constexpr int kInlineCheckpointPages = 16 * kCheckpointPages;

constexpr std::string_view kCreateMigrationsTable = R"sql(
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_us INTEGER NOT NULL
  ) STRICT
)sql";

constexpr std::string_view kSelectAppliedVersions = R"sql(
  SELECT version FROM schema_migrations
)sql";

constexpr std::string_view kInsertMigration = R"sql(
  INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?1, ?2, ?3)
)sql";

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const Clock& clock) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return Unavailable(fmt::format("cannot create directory {} for the database: {}",
                                     parent.string(), error.message()));
    }
  }
  auto writer = Connection::Open(path);
  if (!writer) {
    return tl::unexpected(writer.error());
  }
  return std::make_unique<SqliteStore>(path, clock, std::move(*writer));
}

SqliteStore::SqliteStore(std::string path, const Clock& clock, std::unique_ptr<Connection> writer)
    : path_(std::move(path)), clock_(clock), writer_(std::move(writer)) {
  // Replaces SQLite's automatic checkpoint (itself a WAL hook) on the writer.
  sqlite3_wal_hook(writer_->get(), &SqliteStore::OnWalCommit, this);
  checkpointer_ = std::jthread([this](const std::stop_token& stop) { RunCheckpoints(stop); });
}

SqliteStore::~SqliteStore() {
  checkpointer_.request_stop();
  checkpoint_due_.notify_all();
  if (checkpointer_.joinable()) {
    checkpointer_.join();
  }
  std::lock_guard lock(write_mutex_);
  sqlite3_wal_hook(writer_->get(), nullptr, nullptr);
}

int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto& store = *static_cast<SqliteStore*>(self);
  if (pages >= kInlineCheckpointPages) {
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kCheckpointPages) {
    {
      std::lock_guard lock(store.checkpoint_mutex_);
      store.checkpoint_wanted_ = true;
    }
    store.checkpoint_due_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::RunCheckpoints(const std::stop_token& stop) {
  std::unique_ptr<Connection> connection;
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      if (!checkpoint_due_.wait(lock, stop, [&] { return checkpoint_wanted_; })) {
        return;  // stopping
      }
      checkpoint_wanted_ = false;
    }
    if (!connection) {
      auto opened = Connection::Open(path_);
      if (!opened) {
        spdlog::warn("sqlite checkpoint: {}", opened.error().message);
        continue;  // the next commit over the mark asks again
      }
      connection = std::move(*opened);
    }
    // PASSIVE: copies what no reader still needs, without blocking writers or readers.
    const int code = sqlite3_wal_checkpoint_v2(connection->get(), nullptr,
                                               SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (code != SQLITE_OK && code != SQLITE_BUSY) {
      spdlog::warn("sqlite checkpoint: {}", sqlite3_errstr(code));
    }
  }
}

namespace {

// A migration that rewrites a table (0032_compact_activities.sql) leaves the old pages
// free inside the file. VACUUM gives them back, but cannot run inside the migration's
// transaction: it runs here, on its own connection, when over a quarter of the file (and
// more than kVacuumMinFreePages) is free after a Migrate that applied something. Its temporary copy
// goes to a file, not memory.
constexpr int64_t kVacuumMinFreePages = 1024;

Status VacuumWhenMostlyFree(const std::string& path) {
  auto db = Connection::Open(path);
  if (!db) {
    return tl::unexpected(db.error());
  }
  auto count = [&](std::string_view sql) -> Result<int64_t> {
    auto select = (*db)->Prepare(sql);
    if (!select) {
      return tl::unexpected(select.error());
    }
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    return *row ? select->Int(0) : 0;
  };
  auto free_pages = count("PRAGMA freelist_count");
  auto pages = count("PRAGMA page_count");
  if (!free_pages || !pages) {
    return tl::unexpected(!free_pages ? free_pages.error() : pages.error());
  }
  if (*free_pages < kVacuumMinFreePages || *free_pages * 4 < *pages) {
    return {};
  }
  spdlog::info("database vacuuming backend=sqlite free_pages={} pages={}", *free_pages, *pages);
  if (auto done = (*db)->Exec("PRAGMA temp_store = FILE; VACUUM;"); !done) {
    return tl::unexpected(
        Error{done.error().code, {}, fmt::format("vacuum failed: {}", done.error().message)});
  }
  spdlog::info("database vacuumed backend=sqlite");
  return {};
}

}  // namespace

Status SqliteStore::Migrate() {
  auto applied = ApplyMigrations();
  if (!applied) {
    return tl::unexpected(applied.error());
  }
  // Only after this call migrated something: a start-up never vacuums on its own.
  return *applied > 0 ? VacuumWhenMostlyFree(path_) : Status{};
}

Result<int64_t> SqliteStore::ApplyMigrations() {
  return Write([&](Connection& db) -> Result<int64_t> {
    int64_t applied_now = 0;
    if (auto created = db.Exec(kCreateMigrationsTable); !created) {
      return tl::unexpected(created.error());
    }
    std::set<int64_t> applied;
    {
      auto select = db.Prepare(kSelectAppliedVersions);
      if (!select) {
        return tl::unexpected(select.error());
      }
      while (true) {
        auto row = select->Step();
        if (!row) {
          return tl::unexpected(row.error());
        }
        if (!*row) {
          break;
        }
        applied.insert(select->Int(0));
      }
    }
    for (const EmbeddedText& migration : SqliteMigrations()) {
      auto version = MigrationVersion(migration.name);
      if (!version) {
        return tl::unexpected(version.error());
      }
      if (applied.contains(*version)) {
        continue;
      }
      if (auto done = db.Exec(migration.text); !done) {
        return tl::unexpected(
            Error{done.error().code,
                  {},
                  fmt::format("migration {} failed: {}", migration.name, done.error().message)});
      }
      auto insert = db.Prepare(kInsertMigration);
      if (!insert) {
        return tl::unexpected(insert.error());
      }
      insert->Bind(1, *version).Bind(2, migration.name).Bind(3, ToMicros(clock_.Now()));
      if (auto inserted = insert->Run(); !inserted) {
        return tl::unexpected(inserted.error());
      }
      spdlog::info("database migrated backend=sqlite migration={}", migration.name);
      ++applied_now;
    }
    return applied_now;
  });
}

namespace {

// Set while this thread runs a write on the writer connection (RunGroup).
thread_local Connection* running_write = nullptr;

// Runs `write` with running_write set: the writes it makes itself join its transaction.
bool RunMember(PendingWrite& write, Connection& db) {
  struct Running {
    explicit Running(Connection& connection) { running_write = &connection; }
    ~Running() { running_write = nullptr; }
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    Running(Running&&) = delete;
    Running& operator=(Running&&) = delete;
  } running(db);
  return write.run(db);
}

}  // namespace

Connection* SqliteStore::RunningWrite() { return running_write; }

Status SqliteStore::WriteTogether(const std::function<Status()>& writes) {
  return Write([&](Connection&) { return writes(); });
}

Status SqliteStore::WriteDerived(const std::function<Status()>& writes) {
  return WriteLease([&](Connection&) { return writes(); });
}

std::vector<PendingWrite*> SqliteStore::NextGroup() {
  // Background writes get every other group while both kinds wait, so they never starve.
  const bool background =
      !queued_background_.empty() && (queued_writes_.empty() || background_due_);
  std::deque<PendingWrite*>& queue = background ? queued_background_ : queued_writes_;
  const std::size_t most =
      !background ? kMaxGroup : (queued_writes_.empty() ? kMaxBackgroundGroup : 1);
  const std::size_t take = std::min(queue.size(), most);
  std::vector<PendingWrite*> group(queue.begin(),
                                   queue.begin() + static_cast<std::ptrdiff_t>(take));
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take));
  background_due_ = !background;
  return group;
}

void SqliteStore::CommitInGroup(PendingWrite& write) {
  std::unique_lock lock(group_mutex_);
  (write.background ? queued_background_ : queued_writes_).push_back(&write);
  while (!write.done) {
    if (group_running_) {
      // Woken once: done by the running group, or handed the lead of the next one.
      write.wake.wait(lock);
      continue;
    }
    // Lead the next group (which need not hold our write: then we wait again).
    group_running_ = true;
    const std::vector<PendingWrite*> group = NextGroup();
    lock.unlock();
    RunGroup(group);
    lock.lock();
    for (PendingWrite* member : group) {
      member->done = true;
      if (member != &write) {
        member->wake.notify_one();
      }
    }
    group_running_ = false;
    // The oldest waiting write leads next (of the writes people wait on, if any).
    if (!queued_writes_.empty()) {
      queued_writes_.front()->wake.notify_one();
    } else if (!queued_background_.empty()) {
      queued_background_.front()->wake.notify_one();
    }
  }
}

void SqliteStore::RunGroup(const std::vector<PendingWrite*>& group) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  // A group of leases and derived writes only commits without its fsync (set outside a
  // transaction).
  const bool unsynced = std::all_of(group.begin(), group.end(),
                                    [](const PendingWrite* write) { return write->lease; });
  const struct Synchronous {
    Connection& db;
    bool relaxed;
    Synchronous(Connection& connection, bool relax)
        : db(connection), relaxed(relax && db.RunCached("PRAGMA synchronous = NORMAL")) {}
    ~Synchronous() {
      if (relaxed) {
        (void)db.RunCached("PRAGMA synchronous = FULL");
      }
    }
    Synchronous(const Synchronous&) = delete;
    Synchronous& operator=(const Synchronous&) = delete;
    Synchronous(Synchronous&&) = delete;
    Synchronous& operator=(Synchronous&&) = delete;
  } synchronous(db, unsynced);
  if (group.size() == 1) {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      group[0]->error = transaction.error();
      return;
    }
    if (RunMember(*group[0], db)) {
      if (auto committed = transaction->Commit(); !committed) {
        group[0]->error = committed.error();
      }
    }
    return;
  }
  std::size_t next = 0;
  while (next < group.size()) {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      for (std::size_t i = next; i < group.size(); ++i) {
        group[i]->error = transaction.error();
      }
      return;
    }
    std::vector<PendingWrite*> succeeded;
    bool lost = false;
    for (; next < group.size() && !lost; ++next) {
      PendingWrite& write = *group[next];
      if (auto savepoint = db.RunCached("SAVEPOINT group_write"); !savepoint) {
        write.error = savepoint.error();
        continue;
      }
      const bool ok = RunMember(write, db);
      if (sqlite3_get_autocommit(db.get()) != 0) {
        // SQLite rolled the whole transaction back (I/O error, disk full): the writes of
        // this group that had succeeded are gone too; the rest go into a new transaction.
        const Error gone{
            ErrorCode::kUnavailable, {}, "the database rolled the transaction back; try again"};
        for (PendingWrite* earlier : succeeded) {
          earlier->error = gone;
        }
        if (ok) {
          write.error = gone;
        }
        succeeded.clear();
        lost = true;
        continue;
      }
      if (ok) {
        (void)db.RunCached("RELEASE group_write");
        succeeded.push_back(&write);
      } else {
        (void)db.RunCached("ROLLBACK TO group_write");
        (void)db.RunCached("RELEASE group_write");
      }
    }
    if (lost) {
      continue;  // `transaction` is gone already; its destructor's ROLLBACK is a no-op
    }
    if (auto committed = transaction->Commit(); !committed) {
      for (PendingWrite* write : succeeded) {
        write->error = committed.error();
      }
    }
  }
}

Result<std::unique_ptr<Connection>> SqliteStore::AcquireReader() {
  {
    std::unique_lock lock(readers_mutex_);
    reader_released_.wait(lock,
                          [&] { return !idle_readers_.empty() || open_readers_ < kMaxReaders; });
    if (!idle_readers_.empty()) {
      auto reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
    ++open_readers_;
  }
  auto reader = Connection::Open(path_);
  if (reader) {
    if (auto set = (*reader)->Exec(kReaderSettings); !set) {
      reader = tl::unexpected(set.error());
    }
  }
  if (!reader) {
    std::lock_guard lock(readers_mutex_);
    --open_readers_;
    reader_released_.notify_one();
  }
  return reader;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> reader) {
  std::lock_guard lock(readers_mutex_);
  idle_readers_.push_back(std::move(reader));
  reader_released_.notify_one();
}

}  // namespace worklog::store::sqlite
