#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::domain {

// DESIGN.md §2.
enum class ActivityKind { kCommit, kMergeRequest, kReview, kIssue, kComment, kPush };

std::string_view KindName(ActivityKind kind);  // "commit", "merge_request", ...
Result<ActivityKind> ParseKind(std::string_view field, std::string_view text);

// One normalized thing a GitLab user did. The same thing seen twice (webhook and poll,
// two branches, a redelivery) has the same `key` and is stored once.
struct Activity {
  std::string key;  // stable natural key, see activity_key.h
  ActivityKind kind = ActivityKind::kCommit;
  std::string action;  // "pushed", "opened", "merged", "approved", "commented", ...
  TimePoint occurred_at{};
  int64_t project_id = 0;
  std::string project_path;               // "group/project"
  std::optional<int64_t> gitlab_user_id;  // the actor (pusher for commits), when known
  std::string author_email;               // lowercased; commits: the commit author's
  std::string author_name;
  std::string title;  // commit title, MR/issue title, note excerpt
  std::string body;   // full commit message / description / note (may be truncated)
  std::string url;
  std::string ref;                            // branch name without refs/heads/
  std::string sha;                            // commits
  std::vector<std::string> issue_keys;        // DESIGN §3.3
  std::optional<int64_t> time_spent_seconds;  // smart commit #time / @1h30m
};

}  // namespace worklog::domain
