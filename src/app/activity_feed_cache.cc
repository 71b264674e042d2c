// ActivityFeed::GetRendered: the Activity Feed response cache (app/feed_cache.h).
#include <utility>

#include <fmt/format.h>

#include "app/activity_feed.h"

namespace worklog::app {

Result<std::shared_ptr<const std::string>> ActivityFeed::GetRendered(const Principal& caller,
                                                                     const ActivityFeedInput& input,
                                                                     const Renderer& render) {
  if (cache_->capacity_bytes() == 0) {
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
  auto page = Get(caller, input);
  if (!page) {
    return tl::unexpected(page.error());
  }
  auto body = std::make_shared<const std::string>(render(*page));
  cache_->Put(key, std::move(*stamp), body);
  return body;
}

}  // namespace worklog::app
