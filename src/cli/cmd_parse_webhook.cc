// worklog parse-webhook --event "Push Hook" [FILE|-]
//
// Normalizes one webhook payload and prints its activities, one JSON object a line
// (DESIGN.md §5). Bad input: one line on stderr naming what is wrong, exit 2, nothing on
// stdout.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/clock.h"
#include "domain/activity.h"
#include "gitlab/normalize.h"

namespace worklog::cli {
namespace {

struct ParseWebhookArgs {
  std::string event;
  std::string file = "-";
  std::string received_at;
};

bool ReadInput(const std::string& file, std::string& body) {
  if (file == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return false;
  }
  body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

nlohmann::ordered_json ActivityJson(const domain::Activity& activity) {
  nlohmann::ordered_json out = {
      {"key", activity.key},
      {"kind", domain::KindName(activity.kind)},
      {"action", activity.action},
      {"occurred_at", gitlab::FormatRfc3339(activity.occurred_at)},
      {"project_id", activity.project_id},
      {"project_path", activity.project_path},
  };
  if (activity.gitlab_user_id) {
    out["gitlab_user_id"] = *activity.gitlab_user_id;
  }
  out["author_email"] = activity.author_email;
  out["author_name"] = activity.author_name;
  out["title"] = activity.title;
  out["url"] = activity.url;
  out["ref"] = activity.ref;
  if (!activity.sha.empty()) {
    out["sha"] = activity.sha;
  }
  out["issue_keys"] = activity.issue_keys;
  if (activity.time_spent_seconds) {
    out["time_spent_seconds"] = *activity.time_spent_seconds;
  }
  return out;
}

int RunParseWebhook(const ParseWebhookArgs& args) {
  std::string body;
  if (!ReadInput(args.file, body)) {
    std::cerr << fmt::format("parse-webhook: cannot read {}\n", args.file);
    return 2;
  }
  gitlab::NormalizeOptions options;
  if (args.received_at.empty()) {
    options.received_at = SystemClock().Now();
  } else {
    auto at = gitlab::ParseGitlabTime("--received-at", args.received_at);
    if (!at) {
      std::cerr << fmt::format("parse-webhook: {}: {}\n", at.error().field, at.error().message);
      return 2;
    }
    options.received_at = *at;
  }
  const auto normalized = gitlab::NormalizeWebhook(args.event, body, options);
  if (!normalized) {
    const Error& error = normalized.error();
    // Messages about a field already name it ("missing field commits[0].id").
    if (error.message.find(error.field) != std::string::npos || error.field.empty()) {
      std::cerr << fmt::format("parse-webhook: {}\n", error.message);
    } else {
      std::cerr << fmt::format("parse-webhook: {}: {}\n", error.field, error.message);
    }
    return 2;
  }
  std::string out;
  for (const domain::Activity& activity : normalized->activities) {
    out += ActivityJson(activity).dump(-1, ' ', false,
                                       nlohmann::ordered_json::error_handler_t::replace);
    out += '\n';
  }
  std::cout << out << std::flush;
  if (const auto& range = normalized->needs_commits) {
    std::cerr << fmt::format(
        "parse-webhook: the payload lists {} of {} commits; fetch the rest from the commits "
        "API: project {} ref {} {}..{}\n",
        normalized->activities.size(), range->total_commits, range->project.id, range->ref,
        range->before, range->after);
  }
  return 0;
}

void AddParseWebhookCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ParseWebhookArgs>();
  CLI::App* command = app.add_subcommand(
      "parse-webhook", "print the activities of a GitLab webhook payload, one JSON object a line");
  command
      ->add_option("--event", args->event,
                   R"(the X-Gitlab-Event header, e.g. "Push Hook", "Merge Request Hook")")
      ->required();
  command->add_option("file", args->file, "payload file, or - for standard input")
      ->capture_default_str();
  command->add_option("--received-at", args->received_at,
                      "when the webhook arrived (RFC 3339); dates approvals and pushes "
                      "without commits (default: now)");
  command->callback([args, &exit_code] { exit_code = RunParseWebhook(*args); });
}

// The registry pattern of commands.h; a throw here would be a bug at start-up.
const CommandRegistration kRegistration(  // NOLINT(cert-err58-cpp)
    "parse-webhook", &AddParseWebhookCommand);

}  // namespace
}  // namespace worklog::cli
