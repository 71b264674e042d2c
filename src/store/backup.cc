#include "store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <sys/file.h>

#include "common/clock.h"
#include "store/migrations.h"
#include "store/store.h"

namespace worklog::store {
namespace {

constexpr std::string_view kPostgresAdvice =
    "backup and restore copy SQLite databases; for PostgreSQL use pg_dump -Fc "
    "(e.g. pg_dump -Fc -f worklog.dump URL) and pg_restore (pg_restore --clean -d URL "
    "worklog.dump)";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

// The file of a sqlite:PATH URL; PostgreSQL and anything else are kInvalidArgument.
Result<std::string> SqlitePath(std::string_view url, std::string_view field) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return InvalidArgument(field, std::string(kPostgresAdvice));
  }
  if (!url.starts_with("sqlite:")) {
    return InvalidArgument(field, "use sqlite:PATH (e.g. sqlite:./data/worklog.db)");
  }
  std::string_view path = url.substr(std::string_view("sqlite:").size());
  if (path.starts_with("//")) {
    path.remove_prefix(2);
  }
  if (path.empty()) {
    return InvalidArgument(field, "the SQLite URL names no file");
  }
  return std::string(path);
}

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Unavailable(fmt::format("cannot open {}: {}", path,
                                   raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 10000);
  return db;
}

// The first column of the first row of `sql`, as text ("" when no row).
Result<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return Internal(fmt::format("{}: {}", sql, sqlite3_errmsg(db)));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
  const int rc = sqlite3_step(raw);
  if (rc == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(raw, 0);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
  }
  if (rc == SQLITE_DONE) {
    return std::string();
  }
  return Unavailable(fmt::format("{}: {}", sql, sqlite3_errmsg(db)));
}

Result<int64_t> QueryInt(sqlite3* db, const char* sql) {
  auto text = QueryText(db, sql);
  if (!text) {
    return tl::unexpected(text.error());
  }
  return text->empty() ? 0 : std::stoll(*text);
}

int64_t NewestKnownMigration() {
  int64_t newest = 0;
  for (const auto& migration : SqliteMigrations()) {
    if (auto version = MigrationVersion(migration.name)) {
      newest = std::max(newest, *version);
    }
  }
  return newest;
}

// Checks that `db` is an intact worklog database at a migration level this binary knows.
// `what` names it in errors.
Result<BackupInfo> Inspect(sqlite3* db, std::string_view what) {
  auto check = QueryText(db, "PRAGMA quick_check");
  if (!check) {
    return InvalidArgument(
        "from", fmt::format("{} is not an SQLite database ({})", what, check.error().message));
  }
  if (*check != "ok") {
    return InvalidArgument("from", fmt::format("{} is damaged: {}", what, *check));
  }
  auto tables = QueryInt(db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('schema_migrations', 'users', 'worklogs')");
  if (!tables) {
    return tl::unexpected(tables.error());
  }
  if (*tables != 3) {
    return InvalidArgument("from", fmt::format("{} is not a worklog database (no "
                                               "schema_migrations, users and worklogs tables)",
                                               what));
  }
  BackupInfo info;
  auto version = QueryInt(db, "SELECT max(version) FROM schema_migrations");
  auto users = QueryInt(db, "SELECT count(*) FROM users");
  auto worklogs = QueryInt(db, "SELECT count(*) FROM worklogs");
  if (!version || !users || !worklogs) {
    return tl::unexpected(!version ? version.error() : !users ? users.error() : worklogs.error());
  }
  const int64_t known = NewestKnownMigration();
  if (*version < 1 || *version > known) {
    return InvalidArgument(
        "from", fmt::format("{} is at migration {}, which this worklog does not know (it knows "
                            "1 to {}): use the worklog version that made it",
                            what, *version, known));
  }
  info.migration_version = *version;
  info.users = *users;
  info.worklogs = *worklogs;
  return info;
}

// Copies every page of `source` into `destination` with the online backup API. Retries
// while a writer holds a lock (the server may be committing).
Status Copy(sqlite3* source, sqlite3* destination, std::string_view what) {
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source, "main");
  if (backup == nullptr) {
    return Unavailable(
        fmt::format("cannot start the copy {}: {}", what, sqlite3_errmsg(destination)));
  }
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 600; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Unavailable(fmt::format("the copy {} failed: {}", what, sqlite3_errstr(rc)));
  }
  const int finished = sqlite3_errcode(destination);
  if (finished != SQLITE_OK) {
    return Unavailable(fmt::format("the copy {} failed: {}", what, sqlite3_errmsg(destination)));
  }
  return {};
}

Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Unavailable(fmt::format("{}: {}", sql, text));
  }
  return {};
}

}  // namespace

Result<BackupInfo> BackupDatabase(std::string_view db_url, const std::string& to_file) {
  auto path = SqlitePath(db_url, "db");
  if (!path) {
    return tl::unexpected(path.error());
  }
  if (to_file.empty()) {
    return InvalidArgument("to", "name the backup file");
  }
  std::error_code error;
  if (!std::filesystem::exists(*path, error)) {
    return NotFound(fmt::format("there is no database at {}", *path));
  }
  auto source = OpenDb(*path, SQLITE_OPEN_READWRITE);
  if (!source) {
    return tl::unexpected(source.error());
  }
  const std::filesystem::path target = std::filesystem::absolute(to_file, error);
  if (std::filesystem::is_directory(target, error)) {
    return InvalidArgument("to", fmt::format("{} is a directory: name a file", to_file));
  }
  const std::string partial = target.string() + ".partial";
  std::filesystem::remove(partial, error);
  {
    // Created 0600 before SQLite writes to it: the backup holds password hashes.
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      return InvalidArgument("to", fmt::format("cannot write {}: {}", partial,
                                               std::generic_category().message(errno)));
    }
    ::close(fd);
  }
  const auto fail = [&](Error failure) -> Result<BackupInfo> {
    std::filesystem::remove(partial, error);
    std::filesystem::remove(partial + "-journal", error);
    return tl::unexpected(std::move(failure));
  };
  BackupInfo info;
  {
    auto destination = OpenDb(partial, SQLITE_OPEN_READWRITE);
    if (!destination) {
      return fail(destination.error());
    }
    if (auto copied = Copy(source->get(), destination->get(), "to " + partial); !copied) {
      return fail(copied.error());
    }
    // One self-contained file: no WAL beside it.
    if (auto mode = Exec(destination->get(), "PRAGMA journal_mode = DELETE"); !mode) {
      return fail(mode.error());
    }
    auto inspected = Inspect(destination->get(), "the copy");
    if (!inspected) {
      return fail(inspected.error());
    }
    info = *inspected;
  }
  {
    const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  std::filesystem::rename(partial, target, error);
  if (error) {
    return fail(Unavailable(fmt::format("cannot rename {} to {}: {}", partial, target.string(),
                                        error.message()))
                    .value());
  }
  info.bytes = static_cast<int64_t>(std::filesystem::file_size(target, error));
  return info;
}

ServingLock& ServingLock::operator=(ServingLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ServingLock::~ServingLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // drops the flock
  }
}

Result<ServingLock> ServingLock::Acquire(std::string_view db_url, Mode mode) {
  if (!db_url.starts_with("sqlite:")) {
    return ServingLock();
  }
  auto path = SqlitePath(db_url, "db");
  if (!path) {
    return tl::unexpected(path.error());
  }
  const std::filesystem::path parent = std::filesystem::path(*path).parent_path();
  if (!parent.empty()) {
    std::error_code ignored;
    std::filesystem::create_directories(parent, ignored);
  }
  // A file of its own, never the database: closing any descriptor of a SQLite file drops the
  // POSIX locks SQLite holds on it in this process.
  const std::string lock_path = *path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable(
        fmt::format("cannot open {}: {}", lock_path, std::generic_category().message(errno)));
  }
  ServingLock lock(fd);
  if (::flock(fd, (mode == Mode::kServe ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    const int error = errno;
    if (error != EWOULDBLOCK) {
      return Unavailable(
          fmt::format("cannot lock {}: {}", lock_path, std::generic_category().message(error)));
    }
    if (mode == Mode::kServe) {
      return Conflict(fmt::format(
          "{} is being restored (worklog restore holds {}): start the server when it is done",
          *path, lock_path));
    }
    return Conflict(fmt::format(
        "a worklog serve is running on {} (it holds {}): stop every server on it, then restore",
        *path, lock_path));
  }
  return lock;
}

Result<BackupInfo> RestoreDatabase(const std::string& from_file, std::string_view db_url,
                                   const RestoreOptions& options) {
  auto path = SqlitePath(db_url, "db");
  if (!path) {
    return tl::unexpected(path.error());
  }
  std::error_code error;
  if (from_file.empty() || !std::filesystem::is_regular_file(from_file, error)) {
    return InvalidArgument("from", fmt::format("there is no backup file at {}", from_file));
  }
  auto source = OpenDb(from_file, SQLITE_OPEN_READONLY);
  if (!source) {
    return InvalidArgument("from", source.error().message);
  }
  auto info = Inspect(source->get(), from_file);
  if (!info) {
    return tl::unexpected(info.error());
  }
  info->bytes = static_cast<int64_t>(std::filesystem::file_size(from_file, error));

  // Held until the restored database is migrated: no server starts on it meanwhile. Taking
  // it also makes the database's directory (the lock file lives there).
  auto serving = ServingLock::Acquire(db_url, ServingLock::Mode::kRestore);
  if (!serving) {
    return tl::unexpected(serving.error());
  }
  auto destination = OpenDb(*path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!destination) {
    return tl::unexpected(destination.error());
  }
  auto tables =
      QueryInt(destination->get(), "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  if (!tables) {
    return tl::unexpected(tables.error());
  }
  if (*tables > 0 && !options.force) {
    return Conflict(fmt::format(
        "{} already holds a database ({} tables): restore into a new path, or pass --force to "
        "replace it (stop every worklog serve on it first)",
        *path, *tables));
  }
  if (auto copied = Copy(source->get(), destination->get(), "from " + from_file); !copied) {
    return tl::unexpected(copied.error());
  }
  if (auto mode = Exec(destination->get(), "PRAGMA journal_mode = WAL"); !mode) {
    return tl::unexpected(mode.error());
  }
  destination->reset();
  source->reset();
  // Bring it to this binary's level, as `worklog migrate` would.
  SystemClock clock;
  auto store = OpenStore(db_url, clock);
  if (!store) {
    return tl::unexpected(store.error());
  }
  if (auto migrated = (*store)->Migrate(); !migrated) {
    return tl::unexpected(migrated.error());
  }
  return info;
}

}  // namespace worklog::store
