// worklog migrate --db URL
//
// Applies every database migration this binary knows and the database lacks. Safe to run
// again, and safe to run from several nodes at once.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "store/store.h"

namespace worklog::cli {
namespace {

int RunMigrate(const std::string& db_url) {
  SystemClock clock;
  auto store = store::OpenStore(db_url, clock);
  if (!store) {
    fmt::print(stderr, "worklog migrate: {}\n", store.error().message);
    return store.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  if (auto migrated = (*store)->Migrate(); !migrated) {
    fmt::print(stderr, "worklog migrate: {}\n", migrated.error().message);
    return 1;
  }
  fmt::print("database is up to date ({})\n", (*store)->Backend());
  return 0;
}

void AddMigrateCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("migrate", "create or upgrade the database schema");
  auto db_url = std::make_shared<std::string>();
  AddDbOption(*command, *db_url);
  command->callback([db_url, &exit_code] { exit_code = RunMigrate(*db_url); });
}

// Static registration, as in every cmd_*.cc; its only possible exception is std::bad_alloc.
const CommandRegistration kRegistration("migrate", &AddMigrateCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli
