// worklog token create --db URL --email E [--name N]
//
// Prints a new personal API token for the user, to send as "Authorization: Bearer <token>".
// The token is shown only this once; the database keeps only its SHA-256.

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

struct TokenCreateFlags {
  std::string db_url;
  std::string email;
  std::string name = "cli";
};

int RunTokenCreate(const TokenCreateFlags& flags) {
  // Standard output carries only the result (scripts read it); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("worklog"));
  SystemClock clock;
  auto app = app::App::Open(flags.db_url, clock, {});
  if (!app) {
    fmt::print(stderr, "worklog token create: {}\n", app.error().message);
    return app.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  auto token = (*app)->accounts().CreateApiToken(flags.email, flags.name);
  if (!token) {
    const Error& error = token.error();
    fmt::print(stderr, "worklog token create: {}{}\n", error.field.empty() ? "" : error.field + " ",
               error.message);
    return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  fmt::print("{}\n", *token);
  return 0;
}

void AddTokenCommand(CLI::App& app, int& exit_code) {
  auto* token = app.add_subcommand("token", "manage personal API tokens");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "print a new personal API token for a user");
  auto flags = std::make_shared<TokenCreateFlags>();
  AddDbOption(*create, flags->db_url);
  create->add_option("--email", flags->email, "the user's e-mail address")->required();
  create->add_option("--name", flags->name, "a label for the token")->capture_default_str();
  create->callback([flags, &exit_code] { exit_code = RunTokenCreate(*flags); });
}

const CommandRegistration kRegistration("token", &AddTokenCommand);  // NOLINT(cert-err58-cpp)

}  // namespace
}  // namespace worklog::cli
