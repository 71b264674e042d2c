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

constexpr int kMaxReaders = 4;
// The most writes one group commit takes: bounds how long the first of them waits.
constexpr std::size_t kMaxGroup = 256;

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
    : path_(std::move(path)), clock_(clock), writer_(std::move(writer)) {}

Status SqliteStore::Migrate() {
  return Write([&](Connection& db) -> Status {
    if (auto created = db.Exec(kCreateMigrationsTable); !created) {
      return created;
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
    }
    return {};
  });
}

void SqliteStore::CommitInGroup(PendingWrite& write) {
  std::unique_lock lock(group_mutex_);
  queued_writes_.push_back(&write);
  while (!write.done) {
    if (group_running_) {
      group_done_.wait(lock);
      continue;
    }
    // Lead the next group: everything queued so far (ours included), oldest first.
    group_running_ = true;
    std::vector<PendingWrite*> group;
    const std::size_t take = std::min(queued_writes_.size(), kMaxGroup);
    group.assign(queued_writes_.begin(),
                 queued_writes_.begin() + static_cast<std::ptrdiff_t>(take));
    queued_writes_.erase(queued_writes_.begin(),
                         queued_writes_.begin() + static_cast<std::ptrdiff_t>(take));
    lock.unlock();
    RunGroup(group);
    lock.lock();
    for (PendingWrite* member : group) {
      member->done = true;
    }
    group_running_ = false;
    group_done_.notify_all();
  }
}

void SqliteStore::RunGroup(const std::vector<PendingWrite*>& group) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  if (group.size() == 1) {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      group[0]->error = transaction.error();
      return;
    }
    if (group[0]->run(db)) {
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
      if (auto savepoint = db.Exec("SAVEPOINT group_write"); !savepoint) {
        write.error = savepoint.error();
        continue;
      }
      const bool ok = write.run(db);
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
        (void)db.Exec("RELEASE group_write");
        succeeded.push_back(&write);
      } else {
        (void)db.Exec("ROLLBACK TO group_write");
        (void)db.Exec("RELEASE group_write");
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
