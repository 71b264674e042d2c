#include "store/postgres/pg_store.h"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/codec.h"
#include "store/migrations.h"

namespace worklog::store::postgres {
namespace {

// Every node takes this lock before looking at schema_migrations, so concurrent starts
// apply each migration exactly once. The number is arbitrary but fixed (0x776f726b6c6f67,
// "worklog").
constexpr std::string_view kLockMigrations = "SELECT pg_advisory_xact_lock(33618059447791463)";

constexpr std::string_view kCreateMigrationsTable = R"sql(
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_us BIGINT NOT NULL
  )
)sql";

constexpr std::string_view kSelectAppliedVersions = "SELECT version FROM schema_migrations";

constexpr std::string_view kInsertMigration = R"sql(
  INSERT INTO schema_migrations (version, name, applied_at_us) VALUES ($1, $2, $3)
)sql";

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, const Clock& clock) {
  auto store = std::make_unique<PgStore>(conninfo, clock);
  if (auto lease = store->pool().Acquire(); !lease) {
    return tl::unexpected(lease.error());
  }
  return store;
}

PgStore::PgStore(const std::string& conninfo, const Clock& clock)
    : clock_(clock), pool_(conninfo, kPoolSize) {}

Status PgStore::Migrate() {
  return pool_.Run([&](Connection& db) -> Status {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      return tl::unexpected(transaction.error());
    }
    if (auto locked = db.Exec(kLockMigrations); !locked) {
      return tl::unexpected(locked.error());
    }
    if (auto created = db.ExecScript(kCreateMigrationsTable); !created) {
      return created;
    }
    auto rows = db.Exec(kSelectAppliedVersions);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    std::set<int64_t> applied;
    for (int i = 0; i < rows->size(); ++i) {
      applied.insert(rows->Int(i, 0));
    }
    for (const EmbeddedText& migration : PostgresMigrations()) {
      auto version = MigrationVersion(migration.name);
      if (!version) {
        return tl::unexpected(version.error());
      }
      if (applied.contains(*version)) {
        continue;
      }
      if (auto done = db.ExecScript(migration.text); !done) {
        return tl::unexpected(
            Error{done.error().code,
                  {},
                  fmt::format("migration {} failed: {}", migration.name, done.error().message)});
      }
      if (auto inserted =
              db.Exec(kInsertMigration,
                      Params().Add(*version).Add(migration.name).Add(ToMicros(clock_.Now())));
          !inserted) {
        return tl::unexpected(inserted.error());
      }
      spdlog::info("database migrated backend=postgresql migration={}", migration.name);
    }
    return transaction->Commit();
  });
}

}  // namespace worklog::store::postgres
