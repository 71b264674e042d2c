#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace worklog::store {

// What a backup file (or a restored database) holds, as the CLI reports it.
struct BackupInfo {
  int64_t migration_version = 0;  // the highest migration applied
  int64_t users = 0;
  int64_t worklogs = 0;
  int64_t bytes = 0;  // size of the backup file
};

// Copies the SQLite database at `db_url` (sqlite:PATH) to `to_file` with SQLite's online
// backup API: consistent and safe while `worklog serve` writes to it. The file is written
// beside `to_file` first (mode 0600: it holds password hashes and sealed tokens), checked,
// then renamed into place, so `to_file` is never a half-written backup.
// PostgreSQL URLs are kInvalidArgument naming pg_dump/pg_restore.
Result<BackupInfo> BackupDatabase(std::string_view db_url, const std::string& to_file);

struct RestoreOptions {
  bool force = false;  // overwrite a database that already has tables
};

// Checks that `from_file` is a worklog SQLite database whose migration level this binary
// knows, then copies it into the database at `db_url` (created when missing) and applies
// any newer migrations. Refuses (kConflict) a destination that already has tables unless
// `force`. Stop every `worklog serve` on the destination first.
Result<BackupInfo> RestoreDatabase(const std::string& from_file, std::string_view db_url,
                                   const RestoreOptions& options);

}  // namespace worklog::store
