#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "gitlab/base_url.h"
#include "gitlab/retry.h"
#include "gitlab/transport.h"
#include "gitlab/types.h"

namespace worklog::gitlab {

namespace internal {
struct ClientState;
}  // namespace internal

// Called once when GitLab answers 401 to a call: refresh the tokens (OAuthClient::Refresh),
// store the rotated pair atomically, and return the new access token. An error of code
// kUnavailable or kRateLimited is passed on as is (try later); any other error means the
// grant is gone and the call fails with kUnauthenticated "re-authorization needed".
using RefreshAccessToken = std::function<Result<std::string>()>;

struct ClientOptions {
  int per_page = 100;   // GitLab's maximum
  int max_pages = 100;  // per list call; more fails rather than silently truncating
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};  // per attempt
  Sleeper* sleeper = nullptr;                       // nullptr: DefaultSleeper()
  const Clock* clock = nullptr;                     // nullptr: DefaultClock()
  RefreshAccessToken refresh;                       // empty: a 401 fails at once
};

// GET /projects/:id/events filters. GitLab's `after`/`before` are dates (YYYY-MM-DD) and
// exclusive: after=2024-05-01 starts on 2024-05-02.
struct EventsQuery {
  std::optional<std::chrono::sys_days> after;
  std::optional<std::chrono::sys_days> before;
  std::string action;       // "pushed", "merged", ... (filter values, API-NOTES.md §4)
  std::string target_type;  // "issue", "merge_request", "note", ...
  std::string sort = "asc";
};

// GET /projects/:id/repository/commits filters. since/until are inclusive.
struct CommitsQuery {
  std::string ref_name;  // branch, tag or range "a..b"; empty: the default branch
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  bool all = false;  // every commit of the repository
  bool first_parent = false;
  // Stop after this many commits (GitLab lists newest first); 0: all of them, up to
  // max_pages. A new branch's history can be long: ask only for what the push carried.
  int max_commits = 0;
};

// The GitLab REST API v4 for one account (one access token).
//
// Every call retries transient failures (429 honouring Retry-After / RateLimit-Reset, 5xx,
// timeouts, connection failures, truncated or invalid JSON) per options.retry; list calls
// follow `Link: rel="next"` (else `X-Next-Page`), per_page=100, up to max_pages. Errors:
// kUnauthenticated ("re-authorization needed") when the token is rejected and cannot be
// refreshed; kRateLimited / kUnavailable naming when to retry; kNotFound,
// kPermissionDenied, kInvalidArgument from GitLab's 4xx. No token ever appears in an
// error message or a log line. Thread-safe; concurrent 401s cause a single refresh.
class Client {
 public:
  Client(Transport& transport, BaseUrl base_url, std::string access_token,
         ClientOptions options = {});
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  const BaseUrl& base_url() const;
  // Replaces the access token (e.g. after the caller refreshed it on a schedule).
  void SetAccessToken(std::string access_token);

  // GET /user
  Result<GitlabUser> CurrentUser();
  // GET /user/emails
  Result<std::vector<GitlabEmail>> CurrentUserEmails();
  // GET /users?search=  (name, username, or a full public e-mail)
  Result<std::vector<GitlabUser>> SearchUsers(std::string_view search);

  // GET /projects?min_access_level=50&pagination=keyset&order_by=id&sort=asc: the projects
  // on which this account is Owner (access_level >= 50), archived ones included.
  Result<std::vector<Project>> OwnedProjects();
  // GET /projects/:id
  Result<Project> GetProject(int64_t project_id);

  // GET /projects/:id/events: each event's id and created_at, and the JSON object GitLab
  // sent, for the normalizer (the same path as webhook payloads).
  Result<std::vector<RawEvent>> ProjectEvents(int64_t project_id, const EventsQuery& query);

  // GET /projects/:id/repository/commits
  Result<std::vector<Commit>> Commits(int64_t project_id, const CommitsQuery& query);
  // The commits a push brought: reachable from `after` but not from `before` (40-hex SHAs).
  // A zero `before` (new branch) has no range: InvalidArgument on "before".
  Result<std::vector<Commit>> CommitRange(int64_t project_id, std::string_view before,
                                          std::string_view after);

  // GET /projects/:id/merge_requests?state=all&order_by=updated_at&sort=asc[&updated_after]
  Result<std::vector<MergeRequest>> MergeRequests(int64_t project_id,
                                                  std::optional<TimePoint> updated_after);

  // GET /projects/:id/members/all
  Result<std::vector<Member>> ProjectMembers(int64_t project_id);

  // Project hooks: GET, POST, DELETE /projects/:id/hooks. Deleting a hook that is already
  // gone succeeds. Creation is not retried once GitLab may have acted on it: on a
  // kUnavailable error, list the hooks before creating again.
  Result<std::vector<Hook>> ListProjectHooks(int64_t project_id);
  Result<Hook> CreateProjectHook(int64_t project_id, const HookSpec& spec);
  Status DeleteProjectHook(int64_t project_id, int64_t hook_id);

 private:
  std::unique_ptr<internal::ClientState> state_;
};

}  // namespace worklog::gitlab
