#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace worklog::cli {

// Adds one sub-command to `app`. The sub-command's callback stores the process exit code in
// `exit_code` (0 success, 1 failure, 2 bad input).
using AddCommandFn = void (*)(CLI::App& app, int& exit_code);

// Each cmd_*.cc registers itself with a static instance:
//   const CommandRegistration kRegistration("serve", &AddServeCommand);
// so adding a command never touches main.cc. Commands are listed by name.
class CommandRegistration {
 public:
  CommandRegistration(const char* name, AddCommandFn add);
};

// Adds `--db URL` (also WORKLOG_DB) to `command`, defaulting to sqlite:./data/worklog.db.
CLI::Option* AddDbOption(CLI::App& command, std::string& db_url);

}  // namespace worklog::cli
