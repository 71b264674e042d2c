// ActivityFeed::GetRendered: the Activity Feed response cache (app/feed_cache.h).
#include <utility>

#include <fmt/format.h>

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

}  // namespace

Result<std::shared_ptr<const std::string>> ActivityFeed::GetRendered(const Principal& caller,
                                                                     const ActivityFeedInput& input,
                                                                     const Renderer& render) {
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
  if (auto body = cache_->Find(key, *stamp)) {
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
