#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/smart_commits.h"
#include "gitlab/normalize.h"
#include "store/store.h"
#include "sync/org_gitlab.h"
#include "sync/payload.h"

// Background work of the GitLab integration (DESIGN.md §3.1, §4), over the durable job
// queue and the webhook inbox of the Store, so any number of `worklog serve` nodes may run
// it against one PostgreSQL database:
//
//   inbox          webhook deliveries -> normalizer -> activities (idempotent keys); pushes
//                  of more than 20 commits are completed from the commits API
//   discover       the projects where the connecting account is Owner (new ones monitored)
//   hook           create / keep / remove the project hook worklog owns, or decide polling
//   poll           the Events API from the project's persisted cursor: the backfill on
//                  connect (the last `backfill` of history) and every `poll_interval`
//   complete_push  the commits a >20-commit push carried
//   refresh        the organization's OAuth tokens before they expire
//
// Every job carries the organization connection's generation; a job of an older
// connection is dropped, so disconnecting cancels all queued work.
//
// Each loop is one call (RunOneJob, RunInboxBatch, Tick) that tests drive with a FakeClock;
// Start() runs them on std::jthreads.
namespace worklog::sync {

namespace jobs {
inline constexpr std::string_view kDiscover = "gitlab.discover_projects";
inline constexpr std::string_view kHook = "gitlab.reconcile_hook";
inline constexpr std::string_view kPoll = "gitlab.poll_project";
inline constexpr std::string_view kCompletePush = "gitlab.complete_push";
inline constexpr std::string_view kRefresh = "gitlab.refresh_token";
}  // namespace jobs

struct SyncOptions {
  // How browsers and GitLab reach us; hooks point at <public_url>/hooks/gitlab.
  std::string public_url;
  std::chrono::seconds poll_interval{300};
  std::chrono::hours backfill{24 * 30};  // history imported on connect
  std::chrono::seconds job_lease{300};
  std::chrono::seconds inbox_lease{120};
  std::chrono::seconds refresh_margin{600};  // refresh tokens this long before expiry
  int max_attempts = 8;                      // then a job is failed for the operator
  std::chrono::milliseconds idle_wait{500};  // between empty looks at the queues
  int job_workers = 2;
  // Threads normalizing webhook deliveries: several, so their writes share group commits.
  int inbox_workers = 4;
  // The workers' CPU priority below the connection threads' (Linux nice, 0-19): on a busy
  // machine the acknowledgements and reads go first and the durable backlog is worked
  // off in the time they leave. 0: the same priority.
  int worker_nice = 0;
  // Done webhook deliveries are removed this long after they arrived (0: kept forever).
  // Pending and failed ones are kept; a redelivery of a removed one is stored again, and
  // the activity keys keep its activities from being stored twice.
  std::chrono::hours inbox_retention{24 * 7};
  std::string node_id;  // worker id prefix; empty: host-pid-random
};

// The webhook URL GitLab calls.
std::string HookUrl(std::string_view public_url);

// Whether GitLab at `gitlab_base_url` can deliver webhooks to `public_url`. The rule: a
// loopback public URL (localhost, 127.0.0.0/8, ::1) is reachable only from a GitLab that
// is itself on a loopback address (the same machine, e.g. the simulator); every other
// public URL is assumed reachable, and a hook GitLab refuses to create is reported as
// `failed` with GitLab's reason. Projects whose hook cannot work are polled instead.
bool GitlabCanReach(std::string_view public_url, std::string_view gitlab_base_url);

class GitlabSync {
 public:
  GitlabSync(store::Store& store, const Clock& clock, OrgGitlab& org, SyncOptions options);
  GitlabSync(const GitlabSync&) = delete;
  GitlabSync& operator=(const GitlabSync&) = delete;
  GitlabSync(GitlabSync&&) = delete;
  GitlabSync& operator=(GitlabSync&&) = delete;
  ~GitlabSync();

  const SyncOptions& options() const { return options_; }
  // The public URL can be learned late (`serve` on port 0); hooks created afterwards use it.
  void SetPublicUrl(std::string public_url);
  std::string PublicUrl() const;

  // Queueing (deduplicated while queued). `at` defaults to now.
  Status EnqueueDiscover(int64_t generation);
  Status EnqueueHook(int64_t generation, int64_t project_id);
  Status EnqueuePoll(int64_t generation, int64_t project_id);

  // One job, if one is due: true when one ran (whatever its outcome).
  Result<bool> RunOneJob(std::string_view worker_id);
  // One batch of webhook deliveries: how many were handled.
  Result<int> RunInboxBatch(std::string_view worker_id);
  // The scheduler: token refresh when due, discovery and polls every poll_interval, a
  // sweep of activities left behind by a disconnect, and the inbox's retention.
  Status Tick();
  // Removes the done webhook deliveries older than `inbox_retention`, a bounded batch per
  // write (acknowledgements wait behind none of them for long); runs at most every 10
  // minutes of the clock, or when `force`. How many were removed.
  Result<int64_t> PruneInbox(bool force = false);

  // The discovery itself (also run inline right after connecting): the projects added.
  Result<std::vector<store::GitlabProject>> DiscoverProjects(int64_t generation);

  // Layers above sync act on what it ingests and on its clock without sync calling up
  // (DESIGN.md §4): set both before Start(), not thread-safe.
  //  - `smart_commits` sees, after every ingest (webhook, push completion, poll, backfill:
  //    the one shared path), the stored commits of monitored projects that carry a smart
  //    commit time, new or seen before, so it must be idempotent; their occurred_at is the
  //    commit's authored time (asked of GitLab's commits API; the committed time when
  //    GitLab no longer has the commit), which rebases and amends keep. An error (also
  //    GitLab's) postpones the delivery or job, which is retried.
  //  - `periodic` runs on the scheduler thread about once a second.
  using ActivitiesHandler = std::function<Status(const std::vector<domain::Activity>&)>;
  void SetSmartCommitHandler(ActivitiesHandler handler) { smart_commits_ = std::move(handler); }
  void SetPeriodic(std::function<void()> periodic) { periodic_ = std::move(periodic); }

  // Starts the worker threads; Stop() (or the destructor) ends them.
  void Start();
  void Stop();
  // Wakes idle job workers and the scheduler (a job was just queued) and the inbox workers.
  void Wake();
  // Wakes one idle inbox worker (a webhook delivery was just stored); the job workers and
  // the scheduler sleep on.
  void WakeInbox();

 private:
  Status RunJob(const store::Job& job);
  Status HandleDiscover(int64_t generation);
  Status HandleHook(int64_t generation, int64_t project_id);
  Status HandlePoll(int64_t generation, int64_t project_id);
  Status HandleCompletePush(const Payload& payload);
  Status HandleRefresh(int64_t generation);
  // One delivery on its own (the batch path's fallback). `integration`: read for its batch.
  Status HandleDelivery(const store::InboxDelivery& delivery,
                        const store::GitlabIntegration& integration);
  // A normalized push whose commits did not all fit in the payload: a job fetches them.
  Status EnqueueCompletePush(const gitlab::CommitRange& push, int64_t generation);

  // Stores activities of monitored projects and the e-mails their pushes reveal, then
  // hands their smart commits on.
  Status Ingest(std::vector<domain::Activity> activities);
  // Ingest's steps: the activities of monitored projects; storing them with the e-mails
  // their pushes reveal; whether any carries a smart commit time for smart_commits_.
  Result<std::vector<domain::Activity>> KeepMonitored(std::vector<domain::Activity> activities);
  Status StoreActivities(const std::vector<domain::Activity>& kept);
  bool NeedsSmartCommits(const std::vector<domain::Activity>& activities) const;
  // How to read smart-commit amounts now: the organization's day and week
  // (store::FeedSettings), read for each batch so a change applies to what comes next.
  Result<gitlab::NormalizeOptions> NormalizeOptionsNow();
  // Passes the stored commits carrying a smart commit time to smart_commits_.
  Status HandleSmartCommits(const std::vector<domain::Activity>& stored);
  Result<bool> Monitored(int64_t project_id);

  // Outcomes of background work for logs, /metrics and the Organization tab
  // (sync_health.cc).
  void NoteJobDone(const store::Job& job);
  void NoteJobError(const store::Job& job, const Error& error, std::string_view outcome);

  void WorkerLoop(std::stop_token stop, std::string name, int kind);
  void WaitIdle(std::stop_token& stop, std::chrono::milliseconds duration);
  void WaitInbox(std::stop_token& stop, std::chrono::milliseconds duration);

  store::Store& store_;
  const Clock& clock_;
  OrgGitlab& org_;
  const SyncOptions options_;
  std::string node_id_;
  mutable std::mutex public_url_mutex_;
  std::string public_url_;  // Guarded by public_url_mutex_.

  std::mutex schedule_mutex_;
  std::optional<TimePoint> next_poll_;   // Guarded by schedule_mutex_.
  std::optional<TimePoint> next_prune_;  // Guarded by schedule_mutex_.

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  uint64_t wake_count_ = 0;  // Guarded by wake_mutex_.
  std::mutex inbox_wake_mutex_;
  std::condition_variable_any inbox_wake_;
  uint64_t inbox_wake_count_ = 0;  // Guarded by inbox_wake_mutex_.
  ActivitiesHandler smart_commits_;
  std::function<void()> periodic_;
  std::vector<std::jthread> threads_;
};

}  // namespace worklog::sync
