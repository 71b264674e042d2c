#include "app/feed_cache.h"

#include <utility>

namespace worklog::app {
namespace {

// What an entry costs beyond its strings: list node, index node, shared_ptr control block.
constexpr std::size_t kEntryOverhead = 160;

}  // namespace

std::shared_ptr<const std::string> FeedCache::Find(const std::string& key, std::string_view stamp) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) {
    return nullptr;
  }
  if (found->second->stamp != stamp) {
    EraseLocked(found->second);
    return nullptr;
  }
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->body;
}

void FeedCache::Put(const std::string& key, std::string stamp,
                    std::shared_ptr<const std::string> body) {
  // Capacities: what the strings hold in memory, not only what they say.
  const std::size_t bytes =
      kEntryOverhead + 2 * key.capacity() + stamp.capacity() + body->capacity();
  std::lock_guard lock(mutex_);
  if (auto found = index_.find(key); found != index_.end()) {
    EraseLocked(found->second);
  }
  if (bytes > capacity_) {
    return;
  }
  while (bytes_ + bytes > capacity_ && !entries_.empty()) {
    EraseLocked(std::prev(entries_.end()));
  }
  entries_.push_front(Entry{key, std::move(stamp), std::move(body), bytes});
  index_.emplace(key, entries_.begin());
  bytes_ += bytes;
}

void FeedCache::EraseLocked(std::list<Entry>::iterator entry) {
  bytes_ -= entry->bytes;
  index_.erase(entry->key);
  entries_.erase(entry);
}

std::size_t FeedCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t FeedCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace worklog::app
