#include "cli/command_line.h"

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace worklog::cli {
namespace {

std::map<std::string, AddCommandFn>& Registry() {
  static std::map<std::string, AddCommandFn> registry;
  return registry;
}

}  // namespace

CommandRegistration::CommandRegistration(const char* name, AddCommandFn add) {
  Registry().emplace(name, add);
}

CLI::Option* AddDbOption(CLI::App& command, std::string& db_url) {
  db_url = "sqlite:./data/worklog.db";
  return command
      .add_option("--db", db_url, "database: sqlite:PATH or postgresql://USER@HOST:PORT/DB")
      ->envname("WORKLOG_DB")
      ->capture_default_str();
}

int RunCommandLine(int argc, char** argv) {
  CLI::App app{"worklog: time tracking whose GitLab integration suggests your worklogs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "worklog 0.1.0");
  int exit_code = 0;
  for (const auto& [name, add] : Registry()) {
    add(app, exit_code);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace worklog::cli
