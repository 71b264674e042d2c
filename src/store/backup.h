#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

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

// Marks a SQLite database as served: `worklog serve` holds a shared lock (flock) on the file
// "<database>.lock" beside it for as long as it runs, and `worklog restore` holds it
// exclusively for the whole copy. So a restore refuses to overwrite a database a server has
// open (the server would go on from its own cached pages), and a server cannot start on a
// database being restored. Several servers may share one file. The kernel drops the lock when
// the process ends, however it ends (kill -9 too): no stale lock is ever left behind.
// PostgreSQL holds nothing (restores there are pg_restore's business).
class ServingLock {
 public:
  enum class Mode { kServe, kRestore };

  // The lock of a sqlite: URL, taken without waiting: kConflict naming who holds it (a
  // restore, for kServe; a server, for kRestore). An empty lock for PostgreSQL URLs.
  static Result<ServingLock> Acquire(std::string_view db_url, Mode mode);

  ServingLock() = default;  // holds nothing
  ServingLock(const ServingLock&) = delete;
  ServingLock& operator=(const ServingLock&) = delete;
  ServingLock(ServingLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ServingLock& operator=(ServingLock&& other) noexcept;
  ~ServingLock();

 private:
  explicit ServingLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Checks that `from_file` is a worklog SQLite database whose migration level this binary
// knows, then copies it into the database at `db_url` (created when missing) and applies
// any newer migrations. Refuses (kConflict) a destination that already has tables unless
// `force`, and, forced or not, a destination a `worklog serve` has open (ServingLock).
Result<BackupInfo> RestoreDatabase(const std::string& from_file, std::string_view db_url,
                                   const RestoreOptions& options);

}  // namespace worklog::store
