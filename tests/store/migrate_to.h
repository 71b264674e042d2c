#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/postgres/pg_db.h"
#include "store/sqlite/sqlite_db.h"
#include "store_fixture.h"

namespace worklog::store::testing {

// A database as an older worklog left it: applies the migrations before `version` the way
// the store does (recording each in schema_migrations), then `sql` (that older worklog's
// rows), on the database at `url` of `backend`. The store's Migrate then applies the rest.
inline void MigrateBeforeThen(Backend backend, const std::string& url, int64_t version,
                              const std::string& sql) {
  const bool sqlite = backend == Backend::kSqlite;
  std::string script = fmt::format(
      "CREATE TABLE schema_migrations (version {0} PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at_us {0} NOT NULL);\n",
      sqlite ? "INTEGER" : "BIGINT");
  for (const EmbeddedText& migration : sqlite ? SqliteMigrations() : PostgresMigrations()) {
    const int64_t applied = MigrationVersion(migration.name).value();
    if (applied >= version) {
      continue;
    }
    script += std::string(migration.text) + ";\n";
    script += fmt::format(
        "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES ({}, '{}', 0);\n",
        applied, migration.name);
  }
  script += sql;
  if (sqlite) {
    auto db = sqlite::Connection::Open(url.substr(url.find(':') + 1));
    ASSERT_TRUE(db) << db.error().message;
    auto done = (*db)->Exec(script);
    ASSERT_TRUE(done) << done.error().message;
  } else {
    auto db = postgres::Connection::Open(url);
    ASSERT_TRUE(db) << db.error().message;
    auto done = (*db)->ExecScript(script);
    ASSERT_TRUE(done) << done.error().message;
  }
}

}  // namespace worklog::store::testing
