#include "sync/gitlab_sync.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include <date/date.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "common/crypto.h"
#include "common/text.h"
#include "gitlab/normalize.h"
#include "store/background_writes.h"

namespace worklog::sync {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr std::string_view kZeroSha = "0000000000000000000000000000000000000000";

// Deliveries an inbox worker claims and stores at once.
constexpr int kInboxBatch = 16;

// The host of an absolute URL, lowercased, without brackets or port.
std::string HostOf(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, std::min(url.find('/'), url.size()));
  if (const auto at = url.rfind('@'); at != std::string_view::npos) {
    url.remove_prefix(at + 1);
  }
  std::string host;
  if (url.starts_with('[')) {
    host = std::string(url.substr(1, url.find(']') - 1));
  } else {
    host = std::string(url.substr(0, std::min(url.find(':'), url.size())));
  }
  std::transform(host.begin(), host.end(), host.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return host;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") ||
         host == "::1";
}

TimePoint Backoff(TimePoint now, int64_t attempts) {
  const int64_t exponent = std::min<int64_t>(attempts, 10);
  const auto delay = std::min<std::chrono::seconds>(
      std::chrono::seconds(5) * (int64_t{1} << exponent), std::chrono::hours(1));
  return now + duration_cast<microseconds>(delay);
}

bool Transient(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kRateLimited ||
         error.code == ErrorCode::kInternal;
}

std::string DefaultNodeId() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  return fmt::format("{}-{}-{}", host.data(), ::getpid(), RandomToken(4));
}

// Commit author e-mails tied to the GitLab user who pushed them.
std::vector<store::EmailSighting> Sightings(const std::vector<domain::Activity>& activities) {
  std::vector<store::EmailSighting> out;
  std::set<std::pair<std::string, int64_t>> seen;
  for (const auto& activity : activities) {
    if (activity.kind != domain::ActivityKind::kCommit || !activity.gitlab_user_id ||
        activity.author_email.empty() || activity.author_email.find('@') == std::string::npos) {
      continue;
    }
    if (!seen.insert({activity.author_email, *activity.gitlab_user_id}).second) {
      continue;
    }
    out.push_back({.email = activity.author_email,
                   .gitlab_user_id = *activity.gitlab_user_id,
                   .username = "",
                   .name = activity.author_name,
                   .seen_at = activity.occurred_at});
  }
  return out;
}

gitlab::CommitsQuery RefQuery(const std::string& ref) {
  gitlab::CommitsQuery query;
  query.ref_name = ref;
  return query;
}

}  // namespace

std::string HookUrl(std::string_view public_url) {
  while (public_url.ends_with('/')) {
    public_url.remove_suffix(1);
  }
  return fmt::format("{}/hooks/gitlab", public_url);
}

bool GitlabCanReach(std::string_view public_url, std::string_view gitlab_base_url) {
  return !IsLoopbackHost(HostOf(public_url)) || IsLoopbackHost(HostOf(gitlab_base_url));
}

GitlabSync::GitlabSync(store::Store& store, const Clock& clock, OrgGitlab& org, SyncOptions options)
    : store_(store),
      clock_(clock),
      org_(org),
      options_(std::move(options)),
      node_id_(options_.node_id.empty() ? DefaultNodeId() : options_.node_id),
      public_url_(options_.public_url) {}

void GitlabSync::SetPublicUrl(std::string public_url) {
  std::lock_guard lock(public_url_mutex_);
  public_url_ = std::move(public_url);
}

std::string GitlabSync::PublicUrl() const {
  std::lock_guard lock(public_url_mutex_);
  return public_url_;
}

GitlabSync::~GitlabSync() { Stop(); }

Status GitlabSync::EnqueueDiscover(int64_t generation) {
  auto queued =
      store_.Jobs().Enqueue({.kind = std::string(jobs::kDiscover),
                             .payload_json = Payload().Set("generation", generation).ToJson(),
                             .run_at = clock_.Now(),
                             .unique_key = fmt::format("{}:{}", jobs::kDiscover, generation)});
  if (!queued) {
    return tl::unexpected(queued.error());
  }
  return {};
}

Status GitlabSync::EnqueueHook(int64_t generation, int64_t project_id) {
  auto queued = store_.Jobs().Enqueue(
      {.kind = std::string(jobs::kHook),
       .payload_json =
           Payload().Set("generation", generation).Set("project_id", project_id).ToJson(),
       .run_at = clock_.Now(),
       .unique_key = fmt::format("{}:{}:{}", jobs::kHook, generation, project_id)});
  if (!queued) {
    return tl::unexpected(queued.error());
  }
  return {};
}

Status GitlabSync::EnqueuePoll(int64_t generation, int64_t project_id) {
  auto queued = store_.Jobs().Enqueue(
      {.kind = std::string(jobs::kPoll),
       .payload_json =
           Payload().Set("generation", generation).Set("project_id", project_id).ToJson(),
       .run_at = clock_.Now(),
       .unique_key = fmt::format("{}:{}:{}", jobs::kPoll, generation, project_id)});
  if (!queued) {
    return tl::unexpected(queued.error());
  }
  return {};
}

Result<bool> GitlabSync::RunOneJob(std::string_view worker_id) {
  const TimePoint now = clock_.Now();
  auto claimed = store_.Jobs().Claim(worker_id, now, options_.job_lease);
  if (!claimed) {
    return tl::unexpected(claimed.error());
  }
  if (!*claimed) {
    return false;
  }
  const store::Job& job = **claimed;
  auto ran = RunJob(job);
  if (ran) {
    (void)store_.Jobs().Complete(job.id);
    NoteJobDone(job);
    return true;
  }
  const Error& error = ran.error();
  if (error.code == ErrorCode::kConflict || error.code == ErrorCode::kUnauthenticated ||
      error.code == ErrorCode::kNotFound) {
    // An old connection, a connection that needs re-authorization, or a project that is
    // gone: nothing left to do for this job.
    spdlog::info("job dropped kind={} id={} reason={}", job.kind, job.id, error.message);
    (void)store_.Jobs().Complete(job.id);
    NoteJobError(job, error, "dropped");
    return true;
  }
  if (job.attempts >= options_.max_attempts || !Transient(error)) {
    spdlog::warn("job failed kind={} id={} attempts={} error={}", job.kind, job.id, job.attempts,
                 error.message);
    (void)store_.Jobs().Fail(job.id, error.message);
    NoteJobError(job, error, "failed");
    return true;
  }
  spdlog::info("job retried kind={} id={} attempts={} error={}", job.kind, job.id, job.attempts,
               error.message);
  (void)store_.Jobs().Retry(job.id, Backoff(clock_.Now(), job.attempts), error.message);
  NoteJobError(job, error, "retried");
  return true;
}

Status GitlabSync::RunJob(const store::Job& job) {
  auto payload = Payload::Parse(job.payload_json);
  if (!payload) {
    return tl::unexpected(payload.error());
  }
  auto generation = payload->RequireInt("generation");
  if (!generation) {
    return tl::unexpected(generation.error());
  }
  if (job.kind == jobs::kDiscover) {
    return HandleDiscover(*generation);
  }
  if (job.kind == jobs::kRefresh) {
    return HandleRefresh(*generation);
  }
  if (job.kind == jobs::kCompletePush) {
    return HandleCompletePush(*payload);
  }
  auto project_id = payload->RequireInt("project_id");
  if (!project_id) {
    return tl::unexpected(project_id.error());
  }
  if (job.kind == jobs::kHook) {
    return HandleHook(*generation, *project_id);
  }
  if (job.kind == jobs::kPoll) {
    return HandlePoll(*generation, *project_id);
  }
  return InvalidArgument("kind", fmt::format("unknown job kind \"{}\"", job.kind));
}

Result<std::vector<store::GitlabProject>> GitlabSync::DiscoverProjects(int64_t generation) {
  auto session = org_.Open();
  if (!session) {
    return tl::unexpected(session.error());
  }
  if (session->integration.generation != generation) {
    return Conflict("the GitLab organization was reconnected meanwhile");
  }
  auto owned = session->client->OwnedProjects();
  if (!owned) {
    return tl::unexpected(owned.error());
  }
  std::vector<store::DiscoveredProject> seen;
  for (const auto& project : *owned) {
    if (project.access_level != 0 && project.access_level < gitlab::kAccessOwner) {
      continue;  // GitLab filtered by min_access_level already; be strict anyway
    }
    seen.push_back({.id = project.id,
                    .path_with_namespace = project.path_with_namespace,
                    .web_url = project.web_url});
  }
  auto added = store_.GitlabOrg().SyncProjects(generation, seen);
  if (!added) {
    return tl::unexpected(added.error());
  }
  for (const auto& project : *added) {
    spdlog::info("gitlab project discovered project_id={} path={}", project.id,
                 project.path_with_namespace);
    if (auto queued = EnqueueHook(generation, project.id); !queued) {
      return tl::unexpected(queued.error());
    }
    if (auto queued = EnqueuePoll(generation, project.id); !queued) {
      return tl::unexpected(queued.error());
    }
  }
  // Projects no longer owned lose their hook.
  auto all = store_.GitlabOrg().ListProjects();
  if (!all) {
    return tl::unexpected(all.error());
  }
  for (const auto& project : *all) {
    if (!project.owned && project.hook_id) {
      if (auto queued = EnqueueHook(generation, project.id); !queued) {
        return tl::unexpected(queued.error());
      }
    }
  }
  if (!added->empty()) {
    Wake();
  }
  return added;
}

Status GitlabSync::HandleDiscover(int64_t generation) {
  auto added = DiscoverProjects(generation);
  if (!added) {
    return tl::unexpected(added.error());
  }
  return {};
}

Status GitlabSync::HandleHook(int64_t generation, int64_t project_id) {
  auto project = store_.GitlabOrg().GetProject(project_id);
  if (!project) {
    return tl::unexpected(project.error());
  }
  auto session = org_.Open();
  if (!session) {
    return tl::unexpected(session.error());
  }
  const auto& integration = session->integration;
  if (integration.generation != generation) {
    return Conflict("the GitLab organization was reconnected meanwhile");
  }
  gitlab::Client& client = *session->client;
  const std::string public_url = PublicUrl();
  const std::string hook_url = HookUrl(public_url);
  const bool wanted = project->monitored && project->owned;

  // Our hooks at GitLab: the one we recorded, and any left behind by a crash or an
  // earlier connection (same URL).
  auto hooks = client.ListProjectHooks(project_id);
  if (!hooks) {
    if (hooks.error().code == ErrorCode::kNotFound ||
        hooks.error().code == ErrorCode::kPermissionDenied) {
      return store_.GitlabOrg().SetHook(
          generation, project_id, std::nullopt,
          wanted ? store::HookStatus::kFailed : store::HookStatus::kNone,
          wanted
              ? fmt::format("GitLab refused to list the project's hooks: {}", hooks.error().message)
              : "");
    }
    return tl::unexpected(hooks.error());
  }
  std::optional<int64_t> keep;
  const bool reachable = GitlabCanReach(public_url, integration.base_url);
  for (const auto& hook : *hooks) {
    if (hook.url != hook_url) {
      continue;
    }
    // A hook GitLab disabled after failed deliveries is replaced by a fresh one.
    const bool disabled =
        hook.alert_status == "disabled" || hook.alert_status == "temporarily_disabled";
    if (wanted && reachable && !keep && project->hook_id == hook.id && !disabled) {
      keep = hook.id;
      continue;
    }
    if (auto deleted = client.DeleteProjectHook(project_id, hook.id); !deleted) {
      return tl::unexpected(deleted.error());
    }
    spdlog::info("gitlab hook removed project_id={} hook_id={}", project_id, hook.id);
  }
  if (!wanted) {
    return store_.GitlabOrg().SetHook(generation, project_id, std::nullopt,
                                      store::HookStatus::kNone, "");
  }
  if (!reachable) {
    return store_.GitlabOrg().SetHook(
        generation, project_id, std::nullopt, store::HookStatus::kPolling,
        fmt::format("GitLab at {} cannot reach {} (a loopback address); polling every {} s",
                    integration.base_url, public_url, options_.poll_interval.count()));
  }
  if (keep) {
    return store_.GitlabOrg().SetHook(generation, project_id, keep, store::HookStatus::kActive, "");
  }
  auto secret = org_.secrets().Open(integration.hook_secret_sealed);
  if (!secret) {
    return Internal("the stored webhook secret cannot be decrypted");
  }
  gitlab::HookSpec spec;
  spec.url = hook_url;
  spec.token = *secret;
  spec.enable_ssl_verification = hook_url.starts_with("https://");
  auto created = client.CreateProjectHook(project_id, spec);
  if (!created) {
    if (Transient(created.error())) {
      return tl::unexpected(created.error());  // retried; the listing above removes doubles
    }
    spdlog::warn("gitlab hook creation refused project_id={} error={}", project_id,
                 created.error().message);
    if (auto set = store_.GitlabOrg().SetHook(generation, project_id, std::nullopt,
                                              store::HookStatus::kFailed, created.error().message);
        !set) {
      return set;
    }
    return EnqueuePoll(generation, project_id);
  }
  spdlog::info("gitlab hook created project_id={} hook_id={}", project_id, created->id);
  return store_.GitlabOrg().SetHook(generation, project_id, created->id, store::HookStatus::kActive,
                                    "");
}

Result<bool> GitlabSync::Monitored(int64_t project_id) {
  auto project = store_.GitlabOrg().GetProject(project_id);
  if (!project) {
    if (project.error().code == ErrorCode::kNotFound) {
      return false;
    }
    return tl::unexpected(project.error());
  }
  return project->monitored && project->owned;
}

Result<std::vector<domain::Activity>> GitlabSync::KeepMonitored(
    std::vector<domain::Activity> activities) {
  std::map<int64_t, bool> monitored;
  std::vector<domain::Activity> kept;
  kept.reserve(activities.size());
  for (auto& activity : activities) {
    auto known = monitored.find(activity.project_id);
    if (known == monitored.end()) {
      auto is = Monitored(activity.project_id);
      if (!is) {
        return tl::unexpected(is.error());
      }
      known = monitored.emplace(activity.project_id, *is).first;
    }
    if (known->second) {
      kept.push_back(std::move(activity));
    }
  }
  return kept;
}

Status GitlabSync::StoreActivities(const std::vector<domain::Activity>& kept) {
  if (kept.empty()) {
    return {};
  }
  if (auto sighted = store_.GitlabOrg().RecordEmailSightings(Sightings(kept)); !sighted) {
    return sighted;
  }
  auto inserted = store_.Activities().InsertBatch(kept);
  if (!inserted) {
    return tl::unexpected(inserted.error());
  }
  if (*inserted > 0) {
    spdlog::info("activities stored new={} seen={}", *inserted, kept.size());
  }
  return {};
}

Status GitlabSync::Ingest(std::vector<domain::Activity> activities) {
  auto kept = KeepMonitored(std::move(activities));
  if (!kept) {
    return tl::unexpected(kept.error());
  }
  if (auto stored = StoreActivities(*kept); !stored) {
    return stored;
  }
  return HandleSmartCommits(*kept);
}

bool GitlabSync::NeedsSmartCommits(const std::vector<domain::Activity>& activities) const {
  return smart_commits_ &&
         std::any_of(activities.begin(), activities.end(), [](const domain::Activity& activity) {
           return activity.kind == domain::ActivityKind::kCommit && activity.time_spent_seconds;
         });
}

Result<gitlab::NormalizeOptions> GitlabSync::NormalizeOptionsNow() {
  auto settings = store_.GitlabOrg().GetFeedSettings();
  if (!settings) {
    return tl::unexpected(settings.error());
  }
  gitlab::NormalizeOptions options;
  options.time_units.hours_per_day = settings->hours_per_day;
  options.time_units.days_per_week = settings->days_per_week;
  return options;
}

Status GitlabSync::HandleSmartCommits(const std::vector<domain::Activity>& stored) {
  if (!smart_commits_) {
    return {};
  }
  std::vector<domain::Activity> timed;
  for (const auto& activity : stored) {
    if (activity.kind == domain::ActivityKind::kCommit && activity.time_spent_seconds) {
      timed.push_back(activity);
    }
  }
  if (timed.empty()) {
    return {};
  }
  // Webhooks and commit listings date a commit by its committer date, which a rebase or
  // an amend changes; the smart commit's identity uses the authored date, which only the
  // commits API tells (smart commits are rare: one call each).
  auto session = org_.Open();
  if (!session) {
    if (session.error().code == ErrorCode::kConflict) {
      return smart_commits_(timed);  // not connected now: the committed dates will do
    }
    return tl::unexpected(session.error());
  }
  for (auto& commit : timed) {
    gitlab::CommitsQuery query = RefQuery(commit.sha);
    query.max_commits = 1;
    auto listed = session->client->Commits(commit.project_id, query);
    if (!listed) {
      if (listed.error().code == ErrorCode::kNotFound ||
          listed.error().code == ErrorCode::kInvalidArgument) {
        continue;  // gone from GitLab: the committed date will do
      }
      return tl::unexpected(listed.error());
    }
    if (!listed->empty() && EqualsIgnoringCase(listed->front().id, commit.sha) &&
        listed->front().authored_date != TimePoint{}) {
      commit.occurred_at = listed->front().authored_date;
    }
  }
  return smart_commits_(timed);
}

Status GitlabSync::HandlePoll(int64_t generation, int64_t project_id) {
  auto project = store_.GitlabOrg().GetProject(project_id);
  if (!project) {
    return tl::unexpected(project.error());
  }
  if (!project->monitored || !project->owned) {
    return {};
  }
  auto session = org_.Open();
  if (!session) {
    return tl::unexpected(session.error());
  }
  if (session->integration.generation != generation) {
    return Conflict("the GitLab organization was reconnected meanwhile");
  }
  gitlab::Client& client = *session->client;
  const TimePoint now = clock_.Now();
  const TimePoint horizon = now - duration_cast<microseconds>(options_.backfill);
  const TimePoint from = project->cursor_event_id == 0 ? horizon : project->cursor_at;
  // GitLab's `after` is an exclusive date: ask from the day before.
  gitlab::EventsQuery query;
  query.after = std::chrono::floor<date::days>(from) - date::days(1);
  query.sort = "asc";
  auto events = client.ProjectEvents(project_id, query);
  if (!events) {
    return tl::unexpected(events.error());
  }
  int64_t last_id = project->cursor_event_id;
  TimePoint last_at = project->cursor_at;
  std::string page = "[";
  bool any = false;
  for (const auto& event : *events) {
    const int64_t id = event.id;
    if (id <= 0) {
      continue;  // GitLab sent no id
    }
    if (id <= project->cursor_event_id) {
      continue;  // read by an earlier poll
    }
    const TimePoint at = event.created_at.value_or(now);
    if (project->cursor_event_id == 0 && at < horizon) {
      continue;  // older than the backfill horizon
    }
    if (id > last_id) {
      last_id = id;
      last_at = at;
    }
    page += any ? "," : "";
    page += event.json;
    any = true;
  }
  page += "]";
  if (any) {
    gitlab::ProjectRef ref{.id = project_id,
                           .path_with_namespace = project->path_with_namespace,
                           .web_url = project->web_url};
    auto normalize = NormalizeOptionsNow();
    if (!normalize) {
      return tl::unexpected(normalize.error());
    }
    auto normalized = gitlab::NormalizeEvents(ref, page, *normalize);
    if (!normalized) {
      return tl::unexpected(normalized.error());
    }
    for (const auto& skipped : normalized->skipped) {
      spdlog::warn("gitlab event skipped project_id={} field={} error={}", project_id,
                   skipped.field, skipped.message);
    }
    std::vector<domain::Activity> activities = std::move(normalized->activities);
    for (const auto& push : normalized->needs_commits) {
      Result<std::vector<gitlab::Commit>> commits =
          push.before.empty() || push.before == kZeroSha
              ? client.Commits(project_id, RefQuery(push.after))
              : client.CommitRange(project_id, push.before, push.after);
      if (!commits) {
        if (commits.error().code == ErrorCode::kNotFound ||
            commits.error().code == ErrorCode::kInvalidArgument) {
          spdlog::warn("push commits unavailable project_id={} ref={} error={}", project_id,
                       push.ref, commits.error().message);
          continue;  // force-pushed away or garbage-collected
        }
        return tl::unexpected(commits.error());
      }
      if (push.total_commits > 0 &&
          commits->size() > static_cast<std::size_t>(push.total_commits)) {
        commits->resize(static_cast<std::size_t>(push.total_commits));
      }
      auto more = gitlab::CommitActivities(push, *commits, *normalize);
      activities.insert(activities.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
    }
    if (auto ingested = Ingest(std::move(activities)); !ingested) {
      return ingested;
    }
  }
  return store_.GitlabOrg().AdvanceCursor(generation, project_id, last_id, last_at,
                                          /*backfilled=*/true, now);
}

Status GitlabSync::HandleCompletePush(const Payload& payload) {
  auto generation = payload.RequireInt("generation");
  auto project_id = payload.RequireInt("project_id");
  if (!generation || !project_id) {
    return InvalidArgument("payload", "a push job needs generation and project_id");
  }
  auto monitored = Monitored(*project_id);
  if (!monitored) {
    return tl::unexpected(monitored.error());
  }
  if (!*monitored) {
    return {};
  }
  auto session = org_.Open();
  if (!session) {
    return tl::unexpected(session.error());
  }
  if (session->integration.generation != *generation) {
    return Conflict("the GitLab organization was reconnected meanwhile");
  }
  gitlab::CommitRange push;
  push.project = {.id = *project_id,
                  .path_with_namespace = payload.Text("path").value_or(""),
                  .web_url = payload.Text("web_url").value_or("")};
  push.ref = payload.Text("ref").value_or("");
  push.before = payload.Text("before").value_or("");
  push.after = payload.Text("after").value_or("");
  push.total_commits = payload.Int("total").value_or(0);
  push.pusher_id = payload.Int("pusher_id");
  push.pusher_name = payload.Text("pusher_name").value_or("");
  gitlab::Client& client = *session->client;
  Result<std::vector<gitlab::Commit>> commits =
      push.before.empty() || push.before == kZeroSha
          ? client.Commits(*project_id, RefQuery(push.after))
          : client.CommitRange(*project_id, push.before, push.after);
  if (!commits) {
    if (commits.error().code == ErrorCode::kNotFound ||
        commits.error().code == ErrorCode::kInvalidArgument) {
      spdlog::warn("push commits unavailable project_id={} error={}", *project_id,
                   commits.error().message);
      return {};
    }
    return tl::unexpected(commits.error());
  }
  if (push.total_commits > 0 && commits->size() > static_cast<std::size_t>(push.total_commits)) {
    commits->resize(static_cast<std::size_t>(push.total_commits));
  }
  auto normalize = NormalizeOptionsNow();
  if (!normalize) {
    return tl::unexpected(normalize.error());
  }
  return Ingest(gitlab::CommitActivities(push, *commits, *normalize));
}

Status GitlabSync::HandleRefresh(int64_t generation) {
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->generation != generation ||
      integration->status != store::OrgStatus::kConnected) {
    return {};
  }
  if (integration->token_expires_at - clock_.Now() > options_.refresh_margin) {
    return {};  // another node refreshed already
  }
  auto refreshed = org_.Refresh(generation);
  if (!refreshed) {
    return tl::unexpected(refreshed.error());
  }
  return {};
}

Status GitlabSync::EnqueueCompletePush(const gitlab::CommitRange& push, int64_t generation) {
  auto monitored = Monitored(push.project.id);
  if (!monitored) {
    return tl::unexpected(monitored.error());
  }
  if (!*monitored) {
    return {};
  }
  Payload payload;
  payload.Set("generation", generation)
      .Set("project_id", push.project.id)
      .Set("path", push.project.path_with_namespace)
      .Set("web_url", push.project.web_url)
      .Set("ref", push.ref)
      .Set("before", push.before)
      .Set("after", push.after)
      .Set("total", push.total_commits)
      .Set("pusher_name", push.pusher_name);
  if (push.pusher_id) {
    payload.Set("pusher_id", *push.pusher_id);
  }
  auto queued =
      store_.Jobs().Enqueue({.kind = std::string(jobs::kCompletePush),
                             .payload_json = payload.ToJson(),
                             .run_at = clock_.Now(),
                             .unique_key = fmt::format("{}:{}:{}:{}", jobs::kCompletePush,
                                                       push.project.id, push.before, push.after)});
  if (!queued) {
    return tl::unexpected(queued.error());
  }
  return {};
}

Status GitlabSync::HandleDelivery(const store::InboxDelivery& delivery,
                                  const store::GitlabIntegration& integration) {
  if (integration.status == store::OrgStatus::kDisconnected) {
    return {};  // stored before a disconnect: nothing to keep
  }
  auto normalize = NormalizeOptionsNow();
  if (!normalize) {
    return tl::unexpected(normalize.error());
  }
  normalize->received_at = delivery.received_at;
  auto normalized = gitlab::NormalizeWebhook(delivery.event_name, delivery.body, *normalize);
  if (!normalized) {
    return tl::unexpected(normalized.error());
  }
  if (auto ingested = Ingest(std::move(normalized->activities)); !ingested) {
    return ingested;
  }
  if (normalized->needs_commits) {
    return EnqueueCompletePush(*normalized->needs_commits, integration.generation);
  }
  return {};
}

Result<int> GitlabSync::RunInboxBatch(std::string_view worker_id) {
  auto claimed = store_.Inbox().ClaimPending(
      kInboxBatch, worker_id, clock_.Now() + duration_cast<microseconds>(options_.inbox_lease));
  if (!claimed) {
    return tl::unexpected(claimed.error());
  }
  if (claimed->empty()) {
    return 0;
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  int handled = 0;
  std::vector<int64_t> done;
  const auto reject = [&](const store::InboxDelivery& delivery, const Error& error) {
    spdlog::warn("webhook delivery rejected id={} event={} field={} error={}", delivery.id,
                 delivery.event_name, error.field, error.message);
    (void)store_.Inbox().MarkFailed(delivery.id, error.message);
    ++handled;
  };
  const auto postpone = [&](const store::InboxDelivery& delivery, const Error& error) {
    // Transient (database busy, ...): the lease runs out and another look retries it.
    spdlog::warn("webhook delivery postponed id={} error={}", delivery.id, error.message);
    org_.stats().RecordSyncError("inbox", "retried");
  };
  // The batch is normalized first and stored in one write (below). Activity keys make a
  // repeat after a crash harmless, as for one delivery.
  struct Ready {
    const store::InboxDelivery* delivery;
    std::optional<gitlab::CommitRange> needs_commits;
  };
  std::vector<Ready> ready;
  std::vector<domain::Activity> activities;
  auto options = NormalizeOptionsNow();
  if (!options) {
    for (const auto& delivery : *claimed) {
      postpone(delivery, options.error());
    }
    return handled;
  }
  for (const auto& delivery : *claimed) {
    if (integration->status == store::OrgStatus::kDisconnected) {
      done.push_back(delivery.id);  // stored before a disconnect: nothing to keep
      continue;
    }
    gitlab::NormalizeOptions normalize = *options;
    normalize.received_at = delivery.received_at;
    auto normalized = gitlab::NormalizeWebhook(delivery.event_name, delivery.body, normalize);
    if (!normalized) {
      if (normalized.error().code == ErrorCode::kInvalidArgument) {
        reject(delivery, normalized.error());
      } else {
        postpone(delivery, normalized.error());
      }
      continue;
    }
    activities.insert(activities.end(), std::make_move_iterator(normalized->activities.begin()),
                      std::make_move_iterator(normalized->activities.end()));
    ready.push_back({&delivery, std::move(normalized->needs_commits)});
  }
  auto kept = KeepMonitored(std::move(activities));
  if (kept && NeedsSmartCommits(*kept)) {
    // Smart commits ask GitLab between storing the activities and marking the deliveries
    // done: one write at a time (activity keys make a repeat after a crash harmless).
    Status ingested = StoreActivities(*kept);
    if (ingested) {
      ingested = HandleSmartCommits(*kept);
    }
    for (const Ready& one : ready) {
      Status outcome = ingested;
      if (!ingested) {
        // Alone, so that one bad delivery does not hold back the others.
        outcome = ready.size() == 1 ? ingested : HandleDelivery(*one.delivery, *integration);
      } else if (one.needs_commits) {
        outcome = EnqueueCompletePush(*one.needs_commits, integration->generation);
      }
      if (outcome) {
        done.push_back(one.delivery->id);
      } else if (outcome.error().code == ErrorCode::kInvalidArgument) {
        reject(*one.delivery, outcome.error());
      } else {
        postpone(*one.delivery, outcome.error());
      }
    }
    if (auto marked = store_.Inbox().MarkAllDone(done); !marked) {
      return tl::unexpected(marked.error());  // the leases run out; the batch is retried
    }
  } else {
    // Otherwise the batch is one write: its activities (with the e-mails they reveal), the
    // jobs fetching the commits a push left out, and the done marks of its deliveries. After
    // a crash all of them are there or none (the deliveries are claimed again), and a
    // webhook's acknowledgement queued behind the worker waits for one commit.
    std::vector<int64_t> marked;
    std::vector<std::pair<const store::InboxDelivery*, Error>> refused;
    const auto batch = [&]() -> Status {
      marked = done;
      refused.clear();
      if (!kept) {
        return tl::unexpected(kept.error());
      }
      if (auto stored = StoreActivities(*kept); !stored) {
        return stored;
      }
      for (const Ready& one : ready) {
        if (auto queued = one.needs_commits
                              ? EnqueueCompletePush(*one.needs_commits, integration->generation)
                              : Status{};
            !queued) {
          refused.emplace_back(one.delivery, queued.error());  // rolled back alone
          continue;
        }
        marked.push_back(one.delivery->id);
      }
      return store_.Inbox().MarkAllDone(marked);
    };
    // Everything in it comes from the deliveries, which stay pending in the inbox until
    // the same write marks them done: it does not wait for the disk on its own.
    const Status written = ready.empty() && done.empty() ? Status{} : store_.WriteDerived(batch);
    if (written) {
      done = std::move(marked);
    } else if (ready.empty()) {
      return tl::unexpected(written.error());  // the leases run out; the batch is retried
    } else {
      // Each delivery alone (with its done mark), so that one bad delivery does not hold
      // back the others.
      refused.clear();
      for (const Ready& one : ready) {
        const Status outcome = ready.size() == 1 ? written : store_.WriteTogether([&]() -> Status {
          if (auto stored = HandleDelivery(*one.delivery, *integration); !stored) {
            return stored;
          }
          return store_.Inbox().MarkDone(one.delivery->id);
        });
        if (outcome) {
          done.push_back(one.delivery->id);
        } else {
          refused.emplace_back(one.delivery, outcome.error());
        }
      }
    }
    for (const auto& [delivery, error] : refused) {
      if (error.code == ErrorCode::kInvalidArgument) {
        reject(*delivery, error);
      } else {
        postpone(*delivery, error);
      }
    }
  }
  for (const auto& delivery : *claimed) {
    if (std::find(done.begin(), done.end(), delivery.id) != done.end()) {
      spdlog::info("webhook delivery done id={} event={}", delivery.id, delivery.event_name);
    }
  }
  return handled + static_cast<int>(done.size());
}

Status GitlabSync::Tick() {
  if (auto pruned = PruneInbox(); !pruned) {
    spdlog::warn("webhook inbox retention: {}", pruned.error().message);
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->status == store::OrgStatus::kDisconnected) {
    // A worker of the old connection may have stored activities after the disconnect
    // deleted them: remove what is left.
    auto count = store_.Activities().Count();
    if (count && *count > 0) {
      spdlog::info("removing {} activities left after the GitLab disconnect", *count);
      return store_.Activities().DeleteAll();
    }
    return {};
  }
  if (integration->status != store::OrgStatus::kConnected) {
    return {};
  }
  const int64_t generation = integration->generation;
  const TimePoint now = clock_.Now();
  if (integration->token_expires_at - now <= options_.refresh_margin) {
    auto queued =
        store_.Jobs().Enqueue({.kind = std::string(jobs::kRefresh),
                               .payload_json = Payload().Set("generation", generation).ToJson(),
                               .run_at = now,
                               .unique_key = fmt::format("{}:{}", jobs::kRefresh, generation)});
    if (!queued) {
      return tl::unexpected(queued.error());
    }
  }
  {
    std::lock_guard lock(schedule_mutex_);
    if (next_poll_ && now < *next_poll_) {
      return {};
    }
    next_poll_ = now + duration_cast<microseconds>(options_.poll_interval);
  }
  if (auto queued = EnqueueDiscover(generation); !queued) {
    return queued;
  }
  auto projects = store_.GitlabOrg().ListProjects();
  if (!projects) {
    return tl::unexpected(projects.error());
  }
  for (const auto& project : *projects) {
    if (project.monitored && project.owned) {
      if (auto queued = EnqueuePoll(generation, project.id); !queued) {
        return queued;
      }
    }
    // Every hook is reconciled each interval: created when missing (or refused before),
    // replaced when GitLab disabled it, removed when the project is no longer monitored.
    const bool settled_unmonitored = !(project.monitored && project.owned) &&
                                     project.hook_status == store::HookStatus::kNone &&
                                     !project.hook_id;
    if (!settled_unmonitored) {
      if (auto queued = EnqueueHook(generation, project.id); !queued) {
        return queued;
      }
    }
  }
  return {};
}

void GitlabSync::Wake() {
  {
    std::lock_guard lock(wake_mutex_);
    ++wake_count_;
  }
  wake_.notify_all();
  {
    std::lock_guard lock(inbox_wake_mutex_);
    ++inbox_wake_count_;
  }
  inbox_wake_.notify_all();
}

void GitlabSync::WakeInbox() {
  {
    std::lock_guard lock(inbox_wake_mutex_);
    ++inbox_wake_count_;
  }
  inbox_wake_.notify_one();
}

void GitlabSync::WaitInbox(std::stop_token& stop, std::chrono::milliseconds duration) {
  std::unique_lock lock(inbox_wake_mutex_);
  const uint64_t seen = inbox_wake_count_;
  inbox_wake_.wait_for(lock, stop, duration, [&] { return inbox_wake_count_ != seen; });
}

void GitlabSync::WaitIdle(std::stop_token& stop, std::chrono::milliseconds duration) {
  std::unique_lock lock(wake_mutex_);
  const uint64_t seen = wake_count_;
  wake_.wait_for(lock, stop, duration, [&] { return wake_count_ != seen; });
}

void GitlabSync::WorkerLoop(std::stop_token stop, std::string name, int kind) {
  // Nobody waits on these writes: the store runs them after those people wait on.
  const store::BackgroundWrites background;
  if (kind != 2 && options_.worker_nice > 0) {
#ifdef __linux__
    // Linux keeps a nice value per thread: this one only.
    const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
    if (::setpriority(PRIO_PROCESS, thread_id, options_.worker_nice) != 0) {
      spdlog::warn("worker {}: cannot lower its CPU priority: {}", name,
                   std::generic_category().message(errno));
    }
#endif
  }
  while (!stop.stop_requested()) {
    bool busy = false;
    if (kind == 0) {
      auto ran = RunOneJob(name);
      busy = ran && *ran;
      if (!ran) {
        spdlog::warn("job worker {}: {}", name, ran.error().message);
      }
    } else if (kind == 1) {
      auto handled = RunInboxBatch(name);
      if (!handled) {
        spdlog::warn("inbox worker {}: {}", name, handled.error().message);
      }
      if (!handled || *handled == 0) {
        WaitInbox(stop, options_.idle_wait);
      }
      continue;
    } else {
      if (auto ticked = Tick(); !ticked) {
        spdlog::warn("gitlab scheduler: {}", ticked.error().message);
      }
      if (periodic_) {
        periodic_();
      }
      WaitIdle(stop, std::chrono::milliseconds(1000));
      continue;
    }
    if (!busy) {
      WaitIdle(stop, options_.idle_wait);
    }
  }
}

void GitlabSync::Start() {
  if (!threads_.empty()) {
    return;
  }
  for (int i = 0; i < std::max(1, options_.job_workers); ++i) {
    threads_.emplace_back([this, i](std::stop_token stop) {
      WorkerLoop(std::move(stop), fmt::format("{}/jobs-{}", node_id_, i), 0);
    });
  }
  for (int i = 0; i < std::max(1, options_.inbox_workers); ++i) {
    threads_.emplace_back([this, i](std::stop_token stop) {
      WorkerLoop(std::move(stop), fmt::format("{}/inbox-{}", node_id_, i), 1);
    });
  }
  threads_.emplace_back([this](std::stop_token stop) {
    WorkerLoop(std::move(stop), fmt::format("{}/scheduler", node_id_), 2);
  });
  spdlog::info("gitlab sync started node={} job_workers={} poll_interval={}s", node_id_,
               options_.job_workers, options_.poll_interval.count());
}

void GitlabSync::Stop() {
  for (auto& thread : threads_) {
    thread.request_stop();
  }
  Wake();
  threads_.clear();  // joins
}

}  // namespace worklog::sync
