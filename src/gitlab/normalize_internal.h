#pragma once

// Shared by webhook_payload.cc (webhooks) and event_normalizer.cc (Events API): both read
// their JSON into these facts, and normalize.cc turns facts into activities, so the two
// paths cannot drift apart. Not for use outside src/gitlab/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"
#include "domain/activity_key.h"
#include "gitlab/normalize.h"

namespace worklog::gitlab::internal {

inline constexpr std::string_view kZeroSha = "0000000000000000000000000000000000000000";

struct Actor {
  std::optional<int64_t> id;
  std::string name;
  std::string email;  // lowercased; empty when unknown or "[REDACTED]"
};

struct CommitFacts {
  std::string sha;
  std::string title;
  std::string message;
  std::string url;
  std::string author_name;
  std::string author_email;
  TimePoint at{};
};

struct PushFacts {
  ProjectRef project;
  Actor pusher;
  std::string ref;  // without refs/heads/
  std::string before;
  std::string after;
  std::vector<CommitFacts> commits;  // as listed by the payload
  int64_t total_commits = 0;         // as counted by GitLab
  std::optional<TimePoint> at;       // when the push happened, if known
};

// A merge request or issue action.
struct TargetFacts {
  domain::ActionTarget target = domain::ActionTarget::kMergeRequest;
  ProjectRef project;
  Actor actor;
  int64_t iid = 0;
  std::string action;  // normalized: opened, updated, merged, closed, reopened, approved, ...
  TimePoint at{};
  std::string title;
  std::string description;
  std::string source_branch;  // merge requests
  std::string url;
};

struct NoteFacts {
  ProjectRef project;
  Actor actor;
  int64_t id = 0;
  std::string body;
  TimePoint at{};
  std::string noteable_type;  // MergeRequest, Commit, Issue, Snippet
  std::string url;
  // The commented item, for issue keys and display.
  std::string target_text;    // title + description, or commit message
  std::string target_branch;  // merge request source branch
};

// Activities from facts (normalize.cc).
Normalized FromPush(const PushFacts& push, const NormalizeOptions& options);
domain::Activity FromTarget(const TargetFacts& facts);
std::optional<domain::Activity> FromNote(const NoteFacts& facts);

// Webhook action ("open", "approval", ...) / Events API action_name ("accepted", ...) ->
// normalized action, or nullopt for actions worklog does not record.
std::optional<std::string> WebhookMergeRequestAction(std::string_view action);
std::optional<std::string> WebhookIssueAction(std::string_view action);

// JSON with limits: size, then nesting depth (checked by a SAX pass before any DOM is
// built), then syntax. Errors name `field`.
Result<nlohmann::json> ParseLimitedJson(std::string_view field, std::string_view text,
                                        const NormalizeOptions& options);

// Field access. Absent and null read the same. `path` is the JSON path for messages.
const nlohmann::json* Child(const nlohmann::json& object, std::string_view key);
Result<int64_t> RequireInt(const nlohmann::json& object, std::string_view key,
                           std::string_view path);
Result<std::string> RequireString(const nlohmann::json& object, std::string_view key,
                                  std::string_view path);
Result<TimePoint> RequireTime(const nlohmann::json& object, std::string_view key,
                              std::string_view path);
std::optional<int64_t> OptionalInt(const nlohmann::json& object, std::string_view key);
std::string OptionalString(const nlohmann::json& object, std::string_view key);
// Absent or null -> nullopt; present but unreadable -> error.
Result<std::optional<TimePoint>> OptionalTime(const nlohmann::json& object, std::string_view key,
                                              std::string_view path);
bool OptionalBool(const nlohmann::json& object, std::string_view key);

std::string NormalizeEmail(std::string_view email);  // lowercased; "[REDACTED]" -> ""
std::string BranchName(std::string_view ref);        // strips refs/heads/
std::string FirstLine(std::string_view text);
std::string JoinPath(std::string_view prefix, std::string_view key);
// Untrusted text made fit for a one-line message: at most 64 bytes, control characters
// replaced by '?'.
std::string Shown(std::string_view text);

}  // namespace worklog::gitlab::internal
