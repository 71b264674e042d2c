#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"
#include "domain/smart_commits.h"
#include "gitlab/types.h"

// GitLab payloads -> activities (DESIGN.md §3.1): one normalizer for webhooks, the Events
// API and the commits API, so the same thing seen by two paths yields the same activity key
// (domain/activity_key.h) and is stored once.
//
// What becomes an activity:
//   push          one `commit` activity per listed commit (actor = the pusher, author_email =
//                 the commit author's, lowercased; "[REDACTED]" reads as unknown); a push
//                 without commits (a new branch) -> one `push`; a branch deletion -> nothing
//   tag push      nothing
//   merge request open/update/merge/close/reopen -> `merge_request`
//                 opened/updated/merged/closed/reopened; approved/approval -> `review`
//                 "approved"; unapproved/unapproval -> `review` "unapproved"
//   note          on a merge request -> `review` "commented"; on a commit, issue or snippet ->
//                 `comment` "commented"; system notes -> nothing
//   issue         open/close/reopen/update -> `issue` opened/closed/reopened/updated
//   anything else GitLab sends (pipelines, jobs, wiki pages, ...) -> nothing, not an error
//
// Issue keys (DESIGN §3.3): those of the first source that has any, in this order: the
// item's own text (commit message; MR/issue title and description; the comment) > its
// branch (push ref; MR source branch) > its merge request or other target (for comments).
namespace worklog::gitlab {

struct NormalizeOptions {
  domain::TimeUnits time_units;                           // for smart-commit #time amounts
  std::size_t max_bytes = std::size_t{25} * 1024 * 1024;  // larger bodies are rejected (DESIGN §6)
  int max_depth = 64;  // deeper JSON nesting is rejected before a DOM
  // When the webhook arrived (the inbox's received time). Dates what the payload carries no
  // time of its own for: approvals (the MR's updated_at may be hours old) and pushes without
  // commits. Without it those fall back to the payload's updated_at, or fail.
  std::optional<TimePoint> received_at;
};

struct ProjectRef {
  int64_t id = 0;
  std::string path_with_namespace;  // "group/project"
  std::string web_url;              // "https://gitlab.example.com/group/project"
};

// A push whose commits are not all in hand. Fetch them with
// GET /projects/:id/repository/commits?ref_name=<before>..<after> (or, when `before` is
// all zeros — a new branch — the newest `total_commits` commits of `after`), then call
// CommitActivities.
struct CommitRange {
  ProjectRef project;
  std::string ref;     // branch, without refs/heads/
  std::string before;  // 40 zeros for a new branch
  std::string after;
  int64_t total_commits = 0;
  std::optional<int64_t> pusher_id;  // GitLab user id of whoever pushed
  std::string pusher_name;
};

struct Normalized {
  std::vector<domain::Activity> activities;
  // Set when the payload lists fewer commits than the push carried (webhooks list the
  // newest 20 only; the Events API lists none).
  std::optional<CommitRange> needs_commits;
};

// `event` is the X-Gitlab-Event header ("Push Hook", "Merge Request Hook", ...). Errors
// (kInvalidArgument, `field` set): invalid JSON (with the byte), too large, too deep, not an
// object, unknown event, missing or mistyped required field (named by its JSON path), an
// object_kind that contradicts the header, an unreadable timestamp.
Result<Normalized> NormalizeWebhook(std::string_view event, std::string_view body,
                                    const NormalizeOptions& options = {});

// One page of GET /projects/:id/events (a JSON array). Events worklog does not use are
// skipped silently; an event that is malformed is skipped and reported in `skipped` (its
// field starts with "events[<index>]"), so one bad item does not stall the poll.
struct EventsPage {
  std::vector<domain::Activity> activities;
  std::vector<CommitRange> needs_commits;  // one per push with commits
  std::vector<Error> skipped;
};
Result<EventsPage> NormalizeEvents(const ProjectRef& project, std::string_view page_json,
                                   const NormalizeOptions& options = {});

// The commits of `push`, fetched from the commits API, as the same `commit` activities
// (same keys) a webhook would have produced. Times are committed dates, as in webhooks.
std::vector<domain::Activity> CommitActivities(const CommitRange& push,
                                               std::span<const Commit> commits,
                                               const NormalizeOptions& options = {});

// GitLab's three timestamp forms (API-NOTES §7): "2015-05-17 18:08:09 UTC",
// "2013-12-03T17:15:43Z" (fraction allowed), "2011-12-12T14:27:31+02:00" (also "+0200" and
// "2015-05-17 18:08:09 +0200"). Errors name `field`.
Result<TimePoint> ParseGitlabTime(std::string_view field, std::string_view text);

// RFC 3339 in UTC: "2011-12-12T12:27:31Z"; fractional seconds only when present.
std::string FormatRfc3339(TimePoint at);

}  // namespace worklog::gitlab
