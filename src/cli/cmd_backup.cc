// worklog backup --db URL --to FILE
// worklog restore --from FILE --db URL [--force]
//
// Backup copies a SQLite database with SQLite's online backup API: safe while `worklog
// serve` runs on it. Restore checks that the file is a worklog database at a migration
// level this binary knows, refuses to overwrite a database that already has tables unless
// --force, and applies newer migrations. PostgreSQL: use pg_dump and pg_restore.
// The encryption key (DATA_DIR/secret.key or WORKLOG_SECRET_KEY) is not in the backup:
// keep it too, or the GitLab tokens cannot be read after a restore.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "store/backup.h"

namespace worklog::cli {
namespace {

struct BackupFlags {
  std::string db_url;
  std::string file;
  bool force = false;
};

int Fail(std::string_view command, const Error& error) {
  fmt::print(stderr, "worklog {}: {}{}\n", command,
             error.field.empty() ? "" : "--" + error.field + ": ", error.message);
  return error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kConflict ||
                 error.code == ErrorCode::kNotFound
             ? 2
             : 1;
}

int RunBackup(const BackupFlags& flags) {
  auto info = store::BackupDatabase(flags.db_url, flags.file);
  if (!info) {
    return Fail("backup", info.error());
  }
  fmt::print("backed up to {} ({} bytes, migration {}, {} users, {} worklogs)\n", flags.file,
             info->bytes, info->migration_version, info->users, info->worklogs);
  return 0;
}

int RunRestore(const BackupFlags& flags) {
  auto info = store::RestoreDatabase(flags.file, flags.db_url, {.force = flags.force});
  if (!info) {
    return Fail("restore", info.error());
  }
  fmt::print("restored {} into {} (migration {}, {} users, {} worklogs)\n", flags.file,
             flags.db_url, info->migration_version, info->users, info->worklogs);
  return 0;
}

void AddBackupCommand(CLI::App& app, int& exit_code) {
  auto* backup =
      app.add_subcommand("backup",
                         "copy the SQLite database to a file, safely while serve runs (PostgreSQL: "
                         "use pg_dump)");
  auto flags = std::make_shared<BackupFlags>();
  AddDbOption(*backup, flags->db_url);
  backup->add_option("--to", flags->file, "the backup file to write (mode 0600)")->required();
  backup->callback([flags, &exit_code] { exit_code = RunBackup(*flags); });
}

void AddRestoreCommand(CLI::App& app, int& exit_code) {
  auto* restore = app.add_subcommand(
      "restore", "restore a backup file into a SQLite database (PostgreSQL: use pg_restore)");
  auto flags = std::make_shared<BackupFlags>();
  restore->add_option("--from", flags->file, "the backup file made by worklog backup")->required();
  AddDbOption(*restore, flags->db_url);
  restore->add_flag("--force", flags->force,
                    "replace a database that already has tables (never one a serve has open)");
  restore->callback([flags, &exit_code] { exit_code = RunRestore(*flags); });
}

const CommandRegistration kBackupRegistration("backup", &AddBackupCommand);     // NOLINT
const CommandRegistration kRestoreRegistration("restore", &AddRestoreCommand);  // NOLINT

}  // namespace
}  // namespace worklog::cli
