// GitlabSync::PruneInbox: the webhook inbox's retention. A done delivery is kept for a while
// after it arrived (GitLab resends a delivery it thinks failed, and an administrator may
// resend one from the hook's "Recent events", which keep two days): a resend within the
// retention is recognized by its id. Past it the body is just disk: a busy organization's
// pushes add ~4 KB each, every day, for as long as the server runs.
#include <spdlog/spdlog.h>

#include "sync/gitlab_sync.h"

namespace worklog::sync {
namespace {

// A retention write removes at most this many deliveries; a run at most kMaxBatches of them
// (the rest waits for the next run), so a first run after months without retention is
// spread out instead of holding the writer.
constexpr int64_t kBatch = 1000;
constexpr int kMaxBatches = 50;
constexpr auto kEvery = std::chrono::minutes(10);

}  // namespace

Result<int64_t> GitlabSync::PruneInbox(bool force) {
  if (options_.inbox_retention.count() <= 0) {
    return 0;
  }
  const TimePoint now = clock_.Now();
  {
    std::lock_guard lock(schedule_mutex_);
    if (!force && next_prune_ && now < *next_prune_) {
      return 0;
    }
    next_prune_ = now + std::chrono::duration_cast<std::chrono::microseconds>(kEvery);
  }
  const TimePoint before =
      now - std::chrono::duration_cast<std::chrono::microseconds>(options_.inbox_retention);
  int64_t removed = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    auto gone = store_.Inbox().DeleteDoneBefore(before, kBatch);
    if (!gone) {
      return tl::unexpected(gone.error());
    }
    removed += *gone;
    if (*gone < kBatch) {
      break;
    }
  }
  if (removed > 0) {
    spdlog::info("webhook inbox retention removed={} older_than_hours={}", removed,
                 options_.inbox_retention.count());
  }
  return removed;
}

}  // namespace worklog::sync
