// worklog user add --db URL --email E --name N [--role admin|user] [--timezone TZ]
//                  [--password-stdin]
//
// Adds a user. With --password-stdin the password is the first line of standard input (so
// it never shows in `ps` or the shell history); without it the user cannot sign in with a
// password (a personal API token still works).

#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "cli/commands.h"
#include "common/clock.h"

namespace worklog::cli {
namespace {

struct UserAddFlags {
  std::string db_url;
  app::AddUserInput input;
  bool password_stdin = false;
};

int ExitCodeFor(const Error& error) { return error.code == ErrorCode::kInvalidArgument ? 2 : 1; }

std::string ErrorLine(const Error& error) {
  if (error.field.empty() || error.message.starts_with(error.field)) {
    return error.message;
  }
  return fmt::format("{} {}", error.field, error.message);
}

int RunUserAdd(UserAddFlags flags) {
  if (flags.password_stdin) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') {
      password.pop_back();
    }
    flags.input.password = std::move(password);
  }
  // Standard output carries only the result (scripts read it); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("worklog"));
  SystemClock clock;
  auto app = app::App::Open(flags.db_url, clock, {});
  if (!app) {
    fmt::print(stderr, "worklog user add: {}\n", ErrorLine(app.error()));
    return ExitCodeFor(app.error());
  }
  auto user = (*app)->accounts().AddUser(flags.input);
  if (!user) {
    fmt::print(stderr, "worklog user add: {}\n", ErrorLine(user.error()));
    return ExitCodeFor(user.error());
  }
  fmt::print("added user {} {} ({}){}\n", user->id, user->email, domain::RoleName(user->role),
             flags.input.password ? "" : "; no password: add one with --password-stdin");
  return 0;
}

void AddUserCommand(CLI::App& app, int& exit_code) {
  auto* user = app.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "add a user");
  auto flags = std::make_shared<UserAddFlags>();
  AddDbOption(*add, flags->db_url);
  add->add_option("--email", flags->input.email, "e-mail address (the sign-in name)")->required();
  add->add_option("--name", flags->input.name, "display name")->required();
  add->add_option("--role", flags->input.role, "admin or user")->capture_default_str();
  add->add_option("--timezone", flags->input.timezone, "IANA time zone, e.g. Europe/Oslo")
      ->capture_default_str();
  add->add_flag("--password-stdin", flags->password_stdin,
                "read the password from the first line of standard input");
  add->callback([flags, &exit_code] { exit_code = RunUserAdd(*flags); });
}

const CommandRegistration kRegistration("user", &AddUserCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli
