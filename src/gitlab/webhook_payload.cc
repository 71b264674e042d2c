// Webhook payloads (API-NOTES §7) -> facts -> activities. Old payloads (go-gitlab's
// testdata) lack fields newer GitLab sends: what is not needed to identify and date an
// activity is optional.

#include <array>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gitlab/normalize.h"
#include "gitlab/normalize_internal.h"

namespace worklog::gitlab {
namespace {

using internal::Actor;
using internal::Child;
using internal::OptionalInt;
using internal::OptionalString;
using internal::OptionalTime;
using internal::RequireInt;
using internal::RequireString;
using internal::RequireTime;
using nlohmann::json;

constexpr std::string_view kEventField = "X-Gitlab-Event";

enum class Handler { kPush, kMergeRequest, kNote, kIssue, kByObjectKind, kIgnore };

struct KnownEvent {
  std::string_view name;
  Handler handler;
  std::string_view object_kind;  // expected object_kind, when the payload carries one
};

// X-Gitlab-Event values (API-NOTES §7 and go-gitlab's event_parsing.go).
constexpr std::array kKnownEvents{
    KnownEvent{"Push Hook", Handler::kPush, "push"},
    KnownEvent{"Merge Request Hook", Handler::kMergeRequest, "merge_request"},
    KnownEvent{"Note Hook", Handler::kNote, "note"},
    KnownEvent{"Confidential Note Hook", Handler::kNote, "note"},
    KnownEvent{"Issue Hook", Handler::kIssue, ""},  // issue, or work_item for tasks etc.
    KnownEvent{"Confidential Issue Hook", Handler::kIssue, ""},
    // Integrations deliver these; the payload's object_kind says what it is.
    KnownEvent{"Service Hook", Handler::kByObjectKind, ""},
    // Known, and not activity worklog records.
    KnownEvent{"Tag Push Hook", Handler::kIgnore, ""},
    KnownEvent{"Wiki Page Hook", Handler::kIgnore, ""},
    KnownEvent{"Pipeline Hook", Handler::kIgnore, ""},
    KnownEvent{"Job Hook", Handler::kIgnore, ""},
    KnownEvent{"Build Hook", Handler::kIgnore, ""},
    KnownEvent{"Deployment Hook", Handler::kIgnore, ""},
    KnownEvent{"Release Hook", Handler::kIgnore, ""},
    KnownEvent{"Feature Flag Hook", Handler::kIgnore, ""},
    KnownEvent{"Member Hook", Handler::kIgnore, ""},
    KnownEvent{"Project Hook", Handler::kIgnore, ""},
    KnownEvent{"Subgroup Hook", Handler::kIgnore, ""},
    KnownEvent{"System Hook", Handler::kIgnore, ""},
    KnownEvent{"Emoji Hook", Handler::kIgnore, ""},
    KnownEvent{"Milestone Hook", Handler::kIgnore, ""},
    KnownEvent{"Resource Access Token Hook", Handler::kIgnore, ""},
    KnownEvent{"Vulnerability Hook", Handler::kIgnore, ""},
};

Result<ProjectRef> ReadProject(const json& payload) {
  ProjectRef project;
  const json* object = Child(payload, "project");
  if (auto id = OptionalInt(payload, "project_id")) {
    project.id = *id;
  } else if (object != nullptr) {
    auto nested = RequireInt(*object, "id", "project");
    if (!nested) {
      return tl::unexpected(nested.error());
    }
    project.id = *nested;
  } else {
    return InvalidArgument("project", "missing field project");
  }
  if (object != nullptr) {
    project.path_with_namespace = OptionalString(*object, "path_with_namespace");
    project.web_url = OptionalString(*object, "web_url");
  }
  return project;
}

// The `user` object of MR, note and issue payloads: who acted.
Actor ReadUser(const json& payload) {
  Actor actor;
  if (const json* user = Child(payload, "user")) {
    actor.id = OptionalInt(*user, "id");
    actor.name = OptionalString(*user, "name");
    actor.email = internal::NormalizeEmail(OptionalString(*user, "email"));
  }
  return actor;
}

Result<Normalized> ReadPush(const json& payload, const NormalizeOptions& options) {
  internal::PushFacts push;
  auto ref = RequireString(payload, "ref", "");
  if (!ref) {
    return tl::unexpected(ref.error());
  }
  if (ref->starts_with("refs/tags/")) {
    return Normalized{};  // Tags arrive as Tag Push Hook; nothing to record either way.
  }
  push.ref = internal::BranchName(*ref);
  auto project = ReadProject(payload);
  if (!project) {
    return tl::unexpected(project.error());
  }
  push.project = std::move(*project);
  push.before = OptionalString(payload, "before");
  auto after = RequireString(payload, "after", "");
  if (!after) {
    return tl::unexpected(after.error());
  }
  push.after = std::move(*after);
  push.pusher.id = OptionalInt(payload, "user_id");
  push.pusher.name = OptionalString(payload, "user_name");
  push.pusher.email = internal::NormalizeEmail(OptionalString(payload, "user_email"));
  push.at = options.received_at;

  if (const json* commits = Child(payload, "commits")) {
    if (!commits->is_array()) {
      return InvalidArgument("commits", "field commits must be an array");
    }
    for (std::size_t i = 0; i < commits->size(); ++i) {
      const json& item = (*commits)[i];
      const std::string path = fmt::format("commits[{}]", i);
      if (!item.is_object()) {
        return InvalidArgument(path, fmt::format("field {} must be an object", path));
      }
      internal::CommitFacts commit;
      auto sha = RequireString(item, "id", path);
      if (!sha) {
        return tl::unexpected(sha.error());
      }
      commit.sha = std::move(*sha);
      auto at = RequireTime(item, "timestamp", path);
      if (!at) {
        return tl::unexpected(at.error());
      }
      commit.at = *at;
      commit.message = OptionalString(item, "message");
      commit.title = OptionalString(item, "title");
      commit.url = OptionalString(item, "url");
      if (const json* author = Child(item, "author")) {
        commit.author_name = OptionalString(*author, "name");
        commit.author_email = OptionalString(*author, "email");
      }
      push.commits.push_back(std::move(commit));
    }
  }
  push.total_commits = OptionalInt(payload, "total_commits_count")
                           .value_or(static_cast<int64_t>(push.commits.size()));
  if (push.commits.empty() && push.total_commits == 0 && push.after != internal::kZeroSha &&
      !push.at) {
    return InvalidArgument(
        "received_at", "a push without commits carries no time of its own; pass when it arrived");
  }
  return internal::FromPush(push, options);
}

// The payload's own time for an MR or issue action, falling back to updated_at, then
// created_at.
Result<TimePoint> ActionTime(const json& attributes, std::string_view action,
                             const NormalizeOptions& options) {
  constexpr std::string_view kPath = "object_attributes";
  std::string_view own;
  if (action == "opened") {
    own = "created_at";
  } else if (action == "merged") {
    own = "merged_at";
  } else if (action == "closed") {
    own = "closed_at";
  } else if ((action == "approved" || action == "unapproved") && options.received_at) {
    return *options.received_at;  // Approvals do not touch the MR: its times are older.
  }
  for (const std::string_view key :
       {own, std::string_view("updated_at"), std::string_view("created_at")}) {
    if (key.empty()) {
      continue;
    }
    auto at = OptionalTime(attributes, key, kPath);
    if (!at) {
      return tl::unexpected(at.error());
    }
    if (*at) {
      return **at;
    }
  }
  return InvalidArgument("object_attributes.updated_at",
                         "missing field object_attributes.updated_at");
}

// Old payloads (GitLab < 8) have no `action`: derive it from the state.
std::string DerivedAction(const json& attributes) {
  const std::string state = OptionalString(attributes, "state");
  if (state == "merged") {
    return "merge";
  }
  if (state == "closed") {
    return "close";
  }
  const std::string created = OptionalString(attributes, "created_at");
  if (!created.empty() && created == OptionalString(attributes, "updated_at")) {
    return "open";
  }
  return "update";
}

Result<Normalized> ReadTarget(const json& payload, domain::ActionTarget target,
                              const NormalizeOptions& options) {
  const json* attributes = Child(payload, "object_attributes");
  if (attributes == nullptr || !attributes->is_object()) {
    return InvalidArgument("object_attributes", "missing field object_attributes");
  }
  std::string raw_action = OptionalString(*attributes, "action");
  if (raw_action.empty()) {
    raw_action = DerivedAction(*attributes);
  }
  const auto action = target == domain::ActionTarget::kMergeRequest
                          ? internal::WebhookMergeRequestAction(raw_action)
                          : internal::WebhookIssueAction(raw_action);
  if (!action) {
    return Normalized{};  // An action GitLab added that worklog does not record.
  }
  internal::TargetFacts facts;
  facts.target = target;
  facts.action = *action;
  auto iid = RequireInt(*attributes, "iid", "object_attributes");
  if (!iid) {
    return tl::unexpected(iid.error());
  }
  facts.iid = *iid;
  auto project = ReadProject(payload);
  if (!project) {
    return tl::unexpected(project.error());
  }
  facts.project = std::move(*project);
  auto at = ActionTime(*attributes, facts.action, options);
  if (!at) {
    return tl::unexpected(at.error());
  }
  facts.at = *at;
  facts.actor = ReadUser(payload);
  facts.title = OptionalString(*attributes, "title");
  facts.description = OptionalString(*attributes, "description");
  facts.source_branch = OptionalString(*attributes, "source_branch");
  facts.url = OptionalString(*attributes, "url");
  Normalized out;
  out.activities.push_back(internal::FromTarget(facts));
  return out;
}

Result<Normalized> ReadNote(const json& payload) {
  const json* attributes = Child(payload, "object_attributes");
  if (attributes == nullptr || !attributes->is_object()) {
    return InvalidArgument("object_attributes", "missing field object_attributes");
  }
  if (internal::OptionalBool(*attributes, "system")) {
    return Normalized{};  // "added 1 commit", "approved this merge request": GitLab wrote it.
  }
  internal::NoteFacts facts;
  auto id = RequireInt(*attributes, "id", "object_attributes");
  if (!id) {
    return tl::unexpected(id.error());
  }
  facts.id = *id;
  auto type = RequireString(*attributes, "noteable_type", "object_attributes");
  if (!type) {
    return tl::unexpected(type.error());
  }
  facts.noteable_type = std::move(*type);
  auto at = RequireTime(*attributes, "created_at", "object_attributes");
  if (!at) {
    return tl::unexpected(at.error());
  }
  facts.at = *at;
  auto project = ReadProject(payload);
  if (!project) {
    return tl::unexpected(project.error());
  }
  facts.project = std::move(*project);
  facts.actor = ReadUser(payload);
  facts.body = OptionalString(*attributes, "note");
  facts.url = OptionalString(*attributes, "url");
  if (const json* mr = Child(payload, "merge_request")) {
    facts.target_text =
        fmt::format("{}\n\n{}", OptionalString(*mr, "title"), OptionalString(*mr, "description"));
    facts.target_branch = OptionalString(*mr, "source_branch");
  } else if (const json* issue = Child(payload, "issue")) {
    facts.target_text = fmt::format("{}\n\n{}", OptionalString(*issue, "title"),
                                    OptionalString(*issue, "description"));
  } else if (const json* commit = Child(payload, "commit")) {
    facts.target_text = OptionalString(*commit, "message");
  } else if (const json* snippet = Child(payload, "snippet")) {
    facts.target_text = OptionalString(*snippet, "title");
  }
  Normalized out;
  if (auto activity = internal::FromNote(facts)) {
    out.activities.push_back(std::move(*activity));
  }
  return out;
}

Result<Normalized> Dispatch(Handler handler, const json& payload, const NormalizeOptions& options) {
  switch (handler) {
    case Handler::kPush:
      return ReadPush(payload, options);
    case Handler::kMergeRequest:
      return ReadTarget(payload, domain::ActionTarget::kMergeRequest, options);
    case Handler::kIssue:
      return ReadTarget(payload, domain::ActionTarget::kIssue, options);
    case Handler::kNote:
      return ReadNote(payload);
    case Handler::kByObjectKind: {
      const std::string kind = OptionalString(payload, "object_kind");
      if (kind == "push") {
        return ReadPush(payload, options);
      }
      if (kind == "merge_request") {
        return ReadTarget(payload, domain::ActionTarget::kMergeRequest, options);
      }
      if (kind == "issue" || kind == "work_item") {
        return ReadTarget(payload, domain::ActionTarget::kIssue, options);
      }
      if (kind == "note") {
        return ReadNote(payload);
      }
      return Normalized{};
    }
    case Handler::kIgnore:
      return Normalized{};
  }
  return Normalized{};
}

}  // namespace

Result<Normalized> NormalizeWebhook(std::string_view event, std::string_view body,
                                    const NormalizeOptions& options) {
  const KnownEvent* known = nullptr;
  for (const KnownEvent& candidate : kKnownEvents) {
    if (candidate.name == event) {
      known = &candidate;
    }
  }
  if (known == nullptr) {
    return InvalidArgument(kEventField,
                           fmt::format(R"(unknown event "{}")", internal::Shown(event)));
  }
  auto payload = internal::ParseLimitedJson("body", body, options);
  if (!payload) {
    return tl::unexpected(payload.error());
  }
  if (!payload->is_object()) {
    return InvalidArgument("body", "must be a JSON object");
  }
  const std::string kind = OptionalString(*payload, "object_kind");
  if (!known->object_kind.empty() && !kind.empty() && kind != known->object_kind) {
    return InvalidArgument("object_kind",
                           fmt::format(R"(object_kind "{}" does not match {} "{}")",
                                       internal::Shown(kind), kEventField, known->name));
  }
  return Dispatch(known->handler, *payload, options);
}

}  // namespace worklog::gitlab
