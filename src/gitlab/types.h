#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

// Plain values the GitLab client returns (API-NOTES.md §4). Only the fields worklog uses;
// GitLab sends more. Strings GitLab may send as null arrive empty.
namespace worklog::gitlab {

// GitLab access levels (API-NOTES.md §3).
inline constexpr int kAccessGuest = 10;
inline constexpr int kAccessReporter = 20;
inline constexpr int kAccessDeveloper = 30;
inline constexpr int kAccessMaintainer = 40;
inline constexpr int kAccessOwner = 50;

// GET /user, GET /users?search=. `email` is present only for the current user (and for
// administrators); `public_email` only where the user made it public.
struct GitlabUser {
  int64_t id = 0;
  std::string username;
  std::string name;
  std::string email;
  std::string public_email;
  std::string commit_email;
  std::string state;  // "active", "blocked", ...
  bool is_admin = false;
  std::string web_url;
};

// GET /user/emails: the current user's secondary (and, on recent GitLab, primary) addresses.
struct GitlabEmail {
  int64_t id = 0;
  std::string email;
  bool confirmed = false;  // `confirmed_at` was set
};

struct Project {
  int64_t id = 0;
  std::string name;
  std::string path_with_namespace;  // "group/project"
  std::string web_url;
  std::string default_branch;
  bool archived = false;
  // The higher of permissions.project_access and permissions.group_access; 0 when GitLab
  // sent neither (both may be null in list responses).
  int access_level = 0;
};

// An event of GET /projects/:id/events: its id and created_at, read as the page is parsed,
// and the whole object as JSON text for the normalizer (the same path as webhook payloads).
struct RawEvent {
  int64_t id = 0;                       // 0: GitLab sent none
  std::optional<TimePoint> created_at;  // absent or unreadable: none
  std::string json;
};

struct Commit {
  std::string id;  // full SHA
  std::string short_id;
  std::string title;
  std::string message;
  std::string author_name;
  std::string author_email;
  TimePoint authored_date{};
  std::string committer_name;
  std::string committer_email;
  TimePoint committed_date{};
  std::string web_url;
  std::vector<std::string> parent_ids;
};

struct UserRef {
  int64_t id = 0;
  std::string username;
  std::string name;
};

struct MergeRequest {
  int64_t id = 0;
  int64_t iid = 0;
  int64_t project_id = 0;
  std::string title;
  std::string description;
  std::string state;  // opened, closed, locked, merged
  std::string source_branch;
  std::string target_branch;
  UserRef author;
  std::optional<UserRef> merged_by;  // merge_user, else merged_by
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> merged_at;
  std::optional<TimePoint> closed_at;
  std::string sha;
  std::string merge_commit_sha;
  std::string web_url;
};

// GET /projects/:id/members/all: direct, inherited and invited members, each with their
// highest access level.
struct Member {
  int64_t id = 0;  // the GitLab user id
  std::string username;
  std::string name;
  std::string state;
  int access_level = 0;
  std::string email;  // only for enterprise users seen by group Owners
};

// A project webhook. GitLab never returns the secret token.
struct Hook {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string url;
  bool push_events = false;
  bool merge_requests_events = false;
  bool note_events = false;
  bool issues_events = false;
  bool enable_ssl_verification = true;
  std::string alert_status;  // "executable", "temporarily_disabled", "disabled"
};

// What to register with POST /projects/:id/hooks. `token` is the secret GitLab sends back in
// X-Gitlab-Token.
struct HookSpec {
  std::string url;
  std::string token;
  bool push_events = true;
  bool merge_requests_events = true;
  bool note_events = true;
  bool issues_events = true;
  bool enable_ssl_verification = true;
};

}  // namespace worklog::gitlab
