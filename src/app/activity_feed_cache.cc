// ActivityFeed::GetRendered: the Activity Feed response cache (app/feed_cache.h), and the
// thread that improves the bodies kept in it.
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#if defined(__linux__)
#include <unistd.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "app/activity_feed.h"

namespace worklog::app {
namespace {

// Holds one of the semaphore's places while it lives.
template <typename Semaphore>
class Place {
 public:
  explicit Place(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  Place(const Place&) = delete;
  Place& operator=(const Place&) = delete;
  Place(Place&&) = delete;
  Place& operator=(Place&&) = delete;
  ~Place() { semaphore_.release(); }

 private:
  Semaphore& semaphore_;
};

// Improving a body is worth less than answering a request: the improver thread runs at
// this nice value (Linux: per thread) so the connection threads go first.
constexpr int kImproverNice = 10;

}  // namespace

void ActivityFeed::SetCacheBytes(std::size_t bytes) {
  cache_ = std::make_unique<FeedCache>(bytes);
  if (bytes > 0 && !improver_.joinable()) {
    improver_ = std::jthread([this](const std::stop_token& stop) { RunImprovements(stop); });
  }
}

void ActivityFeed::AskImprovement(Improvement improvement) {
  {
    std::lock_guard lock(improvements_mutex_);
    if (!improver_.joinable() || improvements_.size() >= kMaxPendingImprovements) {
      return;
    }
    improvements_.push_back(std::move(improvement));
  }
  improvements_changed_.notify_all();
}

void ActivityFeed::RunImprovements(const std::stop_token& stop) {
#if defined(__linux__)
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kImproverNice) != 0) {
    spdlog::debug("activity feed: the improver thread keeps the normal CPU priority");
  }
#endif
  while (true) {
    Improvement next;
    {
      std::unique_lock lock(improvements_mutex_);
      improving_ = false;
      improvements_changed_.notify_all();
      if (!improvements_changed_.wait(lock, stop, [&] { return !improvements_.empty(); })) {
        return;  // stopping
      }
      next = std::move(improvements_.front());
      improvements_.pop_front();
      improving_ = true;
    }
    std::string better = next.improve(*next.body);
    if (!better.empty() && better.size() < next.body->size()) {
      cache_->Replace(next.key, next.stamp, next.body,
                      std::make_shared<const std::string>(std::move(better)));
    }
  }
}

void ActivityFeed::WaitForImprovements() {
  std::unique_lock lock(improvements_mutex_);
  improvements_changed_.wait(lock, [&] { return improvements_.empty() && !improving_; });
}

Result<std::shared_ptr<const std::string>> ActivityFeed::GetRendered(const Principal& caller,
                                                                     const ActivityFeedInput& input,
                                                                     const Renderer& render,
                                                                     const Improver& improve) {
  if (cache_->capacity_bytes() == 0) {
    const Place place(renders_);
    auto page = Get(caller, input);
    if (!page) {
      return tl::unexpected(page.error());
    }
    return std::make_shared<const std::string>(render(*page));
  }
  // The stamp first: the page computed after it is at least as new as it says.
  auto stamp = store_.Activities().FeedStamp(caller.user.id);
  if (!stamp) {
    return tl::unexpected(stamp.error());
  }
  // The raw from/to: only a valid request's page is stored, so a hit was valid. The time
  // zone is the caller's as read with this request (it shifts the local days).
  const std::string key = fmt::format("{}:{}:{}:{}:{}:{}", caller.user.id, input.from.size(),
                                      input.from, input.to.size(), input.to, caller.user.timezone);
  bool first_reread = false;
  if (auto body = cache_->Find(key, *stamp, improve ? &first_reread : nullptr)) {
    if (first_reread) {
      AskImprovement(Improvement{key, *stamp, body, improve});
    }
    return body;
  }
  const Place place(renders_);
  if (auto body = cache_->Find(key, *stamp)) {
    return body;  // rendered by another request while this one waited
  }
  auto page = Get(caller, input);
  if (!page) {
    return tl::unexpected(page.error());
  }
  auto body = std::make_shared<const std::string>(render(*page));
  cache_->Put(key, std::move(*stamp), body);
  return body;
}

}  // namespace worklog::app
