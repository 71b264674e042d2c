#include "app/feed_cache.h"

#include <utility>

namespace worklog::app {
namespace {

// What an entry costs beyond its strings: list node, index node, shared_ptr control block.
constexpr std::size_t kEntryOverhead = 160;

// What an entry holds in memory: its strings' capacities, not only what they say.
std::size_t EntryBytes(const std::string& key, const std::string& stamp, const std::string& body,
                       const std::string& version) {
  return kEntryOverhead + 2 * key.capacity() + stamp.capacity() + body.capacity() +
         version.capacity();
}

}  // namespace

std::shared_ptr<const std::string> FeedCache::Find(const std::string& key, std::string_view stamp,
                                                   bool* first_reread) {
  if (first_reread != nullptr) {
    *first_reread = false;
  }
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) {
    return nullptr;
  }
  if (found->second->stamp != stamp) {
    if (found->second->version.empty()) {
      EraseLocked(found->second);
    }
    return nullptr;
  }
  entries_.splice(entries_.begin(), entries_, found->second);
  if (first_reread != nullptr && !found->second->reread) {
    *first_reread = true;
  }
  found->second->reread = true;
  return found->second->body;
}

bool FeedCache::Replace(const std::string& key, std::string_view stamp,
                        const std::shared_ptr<const std::string>& body,
                        std::shared_ptr<const std::string> better) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end() || found->second->stamp != stamp || found->second->body != body) {
    return false;
  }
  Entry& entry = *found->second;
  const std::size_t bytes = EntryBytes(entry.key, entry.stamp, *better, entry.version);
  if (bytes > entry.bytes && bytes_ - entry.bytes + bytes > capacity_) {
    return false;  // keeps what fits rather than evicting others for it
  }
  bytes_ = bytes_ - entry.bytes + bytes;
  entry.bytes = bytes;
  entry.body = std::move(better);
  entry.reread = true;
  return true;
}

std::shared_ptr<const std::string> FeedCache::Restamp(const std::string& key,
                                                      std::string_view version, std::string stamp) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (version.empty() || found == index_.end() || found->second->version != version) {
    return nullptr;
  }
  Entry& entry = *found->second;
  entry.stamp = std::move(stamp);
  const std::size_t bytes = EntryBytes(entry.key, entry.stamp, *entry.body, entry.version);
  bytes_ = bytes_ - entry.bytes + bytes;
  entry.bytes = bytes;
  entries_.splice(entries_.begin(), entries_, found->second);
  while (bytes_ > capacity_ && entries_.size() > 1) {
    EraseLocked(std::prev(entries_.end()));
  }
  return entry.body;
}

void FeedCache::Put(const std::string& key, std::string stamp,
                    std::shared_ptr<const std::string> body, std::string version) {
  const std::size_t bytes = EntryBytes(key, stamp, *body, version);
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
  entries_.push_front(Entry{key, std::move(stamp), std::move(body), std::move(version), bytes});
  index_.emplace(key, entries_.begin());
  bytes_ += bytes;
}

void FeedCache::EraseLocked(std::list<Entry>::iterator entry) {
  bytes_ -= entry->bytes;
  index_.erase(entry->key);
  entries_.erase(entry);
}

std::shared_ptr<const std::string> FeedCache::Peek(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  return found == index_.end() ? nullptr : found->second->body;
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
