#include "store/sqlite/sqlite_store.h"

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
