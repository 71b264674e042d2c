// How background work went, for the logs, GET /metrics and the Organization tab.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sync/gitlab_sync.h"

namespace worklog::sync {
namespace {

std::optional<int64_t> GenerationOf(const store::Job& job) {
  auto payload = Payload::Parse(job.payload_json);
  if (!payload) {
    return std::nullopt;
  }
  return payload->Int("generation");
}

// "gitlab.poll_project" -> "polling project 12".
std::string Describe(const store::Job& job) {
  auto payload = Payload::Parse(job.payload_json);
  const std::optional<int64_t> project =
      payload ? payload->Int("project_id") : std::optional<int64_t>();
  const std::string target = project ? fmt::format(" project {}", *project) : std::string();
  if (job.kind == jobs::kPoll) {
    return "polling" + target;
  }
  if (job.kind == jobs::kHook) {
    return "reconciling the webhook of" + target;
  }
  if (job.kind == jobs::kDiscover) {
    return "listing the owned projects";
  }
  if (job.kind == jobs::kCompletePush) {
    return "reading the commits of a push to" + target;
  }
  if (job.kind == jobs::kRefresh) {
    return "refreshing the OAuth tokens";
  }
  return job.kind;
}

}  // namespace

void GitlabSync::NoteJobDone(const store::Job& job) {
  spdlog::info("job done kind={} id={} attempts={}", job.kind, job.id, job.attempts);
  if (job.kind == jobs::kPoll || job.kind == jobs::kDiscover) {
    // GitLab answered a whole poll or discovery: whatever failed before is over.
    if (const auto generation = GenerationOf(job)) {
      org_.ClearSyncError(*generation);
    }
  }
}

void GitlabSync::NoteJobError(const store::Job& job, const Error& error, std::string_view outcome) {
  org_.stats().RecordSyncError(job.kind, outcome);
  if (outcome == "dropped") {
    return;  // an old connection, a re-authorization (shown as such) or a project gone
  }
  if (const auto generation = GenerationOf(job)) {
    org_.RecordSyncError(
        *generation,
        fmt::format("{} failed{}: {}", Describe(job),
                    outcome == "retried" ? " (will retry)" : " (gave up)", error.message));
  }
}

}  // namespace worklog::sync
