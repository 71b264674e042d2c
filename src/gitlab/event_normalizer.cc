// The Events API (GET /projects/:id/events, API-NOTES §4 "Events") and the commits API ->
// the same facts, hence the same activities and keys, as webhooks.

#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gitlab/normalize.h"
#include "gitlab/normalize_internal.h"

namespace worklog::gitlab {
namespace {

using internal::Child;
using internal::OptionalInt;
using internal::OptionalString;
using internal::RequireInt;
using internal::RequireString;
using internal::RequireTime;
using nlohmann::json;

// What one event contributes to a page.
struct EventOutcome {
  std::optional<domain::Activity> activity;
  std::optional<CommitRange> needs_commits;
};

internal::Actor ReadAuthor(const json& event) {
  internal::Actor actor;
  actor.id = OptionalInt(event, "author_id");
  if (const json* author = Child(event, "author")) {
    if (!actor.id) {
      actor.id = OptionalInt(*author, "id");
    }
    actor.name = OptionalString(*author, "name");
  }
  return actor;  // The Events API shows no e-mail.
}

std::string TargetUrl(const ProjectRef& project, std::string_view section, int64_t iid) {
  if (project.web_url.empty()) {
    return {};
  }
  return fmt::format("{}/-/{}/{}", project.web_url, section, iid);
}

Result<EventOutcome> ReadPushEvent(const json& event, std::string_view path,
                                   const ProjectRef& project, const internal::Actor& actor,
                                   TimePoint at, std::string_view action_name) {
  EventOutcome out;
  if (action_name == "deleted") {
    return out;
  }
  const json* data = Child(event, "push_data");
  const std::string data_path = internal::JoinPath(path, "push_data");
  if (data == nullptr) {
    return InvalidArgument(data_path, fmt::format("missing field {}", data_path));
  }
  if (OptionalString(*data, "ref_type") == "tag") {
    return out;
  }
  auto ref = RequireString(*data, "ref", data_path);
  if (!ref) {
    return tl::unexpected(ref.error());
  }
  auto after = RequireString(*data, "commit_to", data_path);
  if (!after) {
    return tl::unexpected(after.error());
  }
  internal::PushFacts push;
  push.project = project;
  push.pusher = actor;
  push.ref = internal::BranchName(*ref);
  push.after = std::move(*after);
  push.before = OptionalString(*data, "commit_from");
  if (push.before.empty()) {
    push.before = std::string(internal::kZeroSha);
  }
  push.total_commits = OptionalInt(*data, "commit_count").value_or(0);
  push.at = at;
  Normalized normalized = internal::FromPush(push, {});
  if (!normalized.activities.empty()) {
    out.activity = std::move(normalized.activities.front());
  }
  out.needs_commits = std::move(normalized.needs_commits);
  return out;
}

Result<EventOutcome> ReadTargetEvent(const json& event, std::string_view path,
                                     domain::ActionTarget target, const ProjectRef& project,
                                     const internal::Actor& actor, TimePoint at,
                                     std::string_view action_name) {
  std::string action;
  if (action_name == "opened" || action_name == "closed" || action_name == "reopened") {
    action = action_name;
  } else if (target == domain::ActionTarget::kMergeRequest && action_name == "accepted") {
    action = "merged";
  } else if (target == domain::ActionTarget::kMergeRequest && action_name == "approved") {
    action = "approved";
  } else {
    return EventOutcome{};
  }
  internal::TargetFacts facts;
  facts.target = target;
  facts.project = project;
  facts.actor = actor;
  facts.action = std::move(action);
  facts.at = at;
  auto iid = RequireInt(event, "target_iid", path);
  if (!iid) {
    return tl::unexpected(iid.error());
  }
  facts.iid = *iid;
  facts.title = OptionalString(event, "target_title");
  facts.url = TargetUrl(project,
                        target == domain::ActionTarget::kMergeRequest ? "merge_requests" : "issues",
                        facts.iid);
  return EventOutcome{.activity = internal::FromTarget(facts), .needs_commits = {}};
}

Result<EventOutcome> ReadNoteEvent(const json& event, std::string_view path,
                                   const ProjectRef& project, const internal::Actor& actor,
                                   TimePoint at) {
  const json* note = Child(event, "note");
  const std::string note_path = internal::JoinPath(path, "note");
  if (note == nullptr) {
    return InvalidArgument(note_path, fmt::format("missing field {}", note_path));
  }
  if (internal::OptionalBool(*note, "system")) {
    return EventOutcome{};
  }
  internal::NoteFacts facts;
  facts.project = project;
  facts.actor = actor;
  auto id = RequireInt(*note, "id", note_path);
  if (!id) {
    return tl::unexpected(id.error());
  }
  facts.id = *id;
  auto type = RequireString(*note, "noteable_type", note_path);
  if (!type) {
    return tl::unexpected(type.error());
  }
  facts.noteable_type = std::move(*type);
  // The note's own time, as in webhooks; the event row is written a moment later.
  auto own_time = internal::OptionalTime(*note, "created_at", note_path);
  if (!own_time) {
    return tl::unexpected(own_time.error());
  }
  facts.at = own_time->value_or(at);
  facts.body = OptionalString(*note, "body");
  facts.target_text = OptionalString(event, "target_title");
  const auto noteable_iid = OptionalInt(*note, "noteable_iid");
  std::string target_url;
  if (facts.noteable_type == "MergeRequest" && noteable_iid) {
    target_url = TargetUrl(project, "merge_requests", *noteable_iid);
  } else if (facts.noteable_type == "Issue" && noteable_iid) {
    target_url = TargetUrl(project, "issues", *noteable_iid);
  } else if (facts.noteable_type == "Commit" && !OptionalString(*note, "commit_id").empty() &&
             !project.web_url.empty()) {
    target_url = fmt::format("{}/-/commit/{}", project.web_url, OptionalString(*note, "commit_id"));
  } else if (facts.noteable_type == "Snippet") {
    if (const auto snippet_id = OptionalInt(*note, "noteable_id")) {
      target_url = TargetUrl(project, "snippets", *snippet_id);
    }
  }
  if (!target_url.empty()) {
    facts.url = fmt::format("{}#note_{}", target_url, facts.id);
  }
  EventOutcome out;
  out.activity = internal::FromNote(facts);
  return out;
}

Result<EventOutcome> ReadEvent(const json& event, std::string_view path,
                               const ProjectRef& page_project) {
  if (!event.is_object()) {
    return InvalidArgument(path, fmt::format("{} must be an object", path));
  }
  auto action_name = RequireString(event, "action_name", path);
  if (!action_name) {
    return tl::unexpected(action_name.error());
  }
  auto at = RequireTime(event, "created_at", path);
  if (!at) {
    return tl::unexpected(at.error());
  }
  ProjectRef project = page_project;
  if (const auto id = OptionalInt(event, "project_id"); id && *id != project.id) {
    project = ProjectRef{.id = *id, .path_with_namespace = {}, .web_url = {}};
  }
  const internal::Actor actor = ReadAuthor(event);
  const std::string target_type = OptionalString(event, "target_type");
  if (action_name->starts_with("pushed") || *action_name == "deleted") {
    return ReadPushEvent(event, path, project, actor, *at, *action_name);
  }
  if (target_type == "MergeRequest") {
    return ReadTargetEvent(event, path, domain::ActionTarget::kMergeRequest, project, actor, *at,
                           *action_name);
  }
  if (target_type == "Issue" || target_type == "WorkItem") {
    return ReadTargetEvent(event, path, domain::ActionTarget::kIssue, project, actor, *at,
                           *action_name);
  }
  if ((target_type == "Note" || target_type == "DiffNote" || target_type == "DiscussionNote") &&
      *action_name == "commented on") {
    return ReadNoteEvent(event, path, project, actor, *at);
  }
  return EventOutcome{};  // Joined, left, milestones, wiki pages, designs, ...
}

}  // namespace

Result<EventsPage> NormalizeEvents(const ProjectRef& project, std::string_view page_json,
                                   const NormalizeOptions& options) {
  auto page = internal::ParseLimitedJson("events", page_json, options);
  if (!page) {
    return tl::unexpected(page.error());
  }
  if (!page->is_array()) {
    return InvalidArgument("events", "must be a JSON array of events");
  }
  EventsPage out;
  for (std::size_t i = 0; i < page->size(); ++i) {
    auto outcome = ReadEvent((*page)[i], fmt::format("events[{}]", i), project);
    if (!outcome) {
      out.skipped.push_back(std::move(outcome.error()));
      continue;
    }
    if (outcome->activity) {
      out.activities.push_back(std::move(*outcome->activity));
    }
    if (outcome->needs_commits) {
      out.needs_commits.push_back(std::move(*outcome->needs_commits));
    }
  }
  return out;
}

std::vector<domain::Activity> CommitActivities(const CommitRange& push,
                                               std::span<const Commit> commits,
                                               const NormalizeOptions& options) {
  internal::PushFacts facts;
  facts.project = push.project;
  facts.pusher.id = push.pusher_id;
  facts.pusher.name = push.pusher_name;
  facts.ref = push.ref;
  facts.before = push.before;
  facts.after = push.after;
  for (const Commit& commit : commits) {
    facts.commits.push_back(internal::CommitFacts{.sha = commit.id,
                                                  .title = commit.title,
                                                  .message = commit.message,
                                                  .url = commit.web_url,
                                                  .author_name = commit.author_name,
                                                  .author_email = commit.author_email,
                                                  .at = commit.committed_date});
  }
  facts.total_commits = static_cast<int64_t>(facts.commits.size());
  return internal::FromPush(facts, options).activities;
}

}  // namespace worklog::gitlab
