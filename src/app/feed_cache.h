#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace worklog::app {

// Rendered Activity Feed responses (app/activity_feed.h GetRendered), each under the
// store's FeedStamp it was computed at: an entry is served only while the user's stamp is
// unchanged, so a write from any node invalidates it at the next read. An entry may also
// carry a version (what its body was made from, finer than the stamp): once the stamp has
// moved, Restamp serves it again under the new stamp if the version still matches. Least recently
// used entries go first once the bodies, keys and stamps exceed the capacity; capacity 0 keeps
// nothing. Thread-safe; a body found stays valid while the caller holds it.
class FeedCache {
 public:
  explicit FeedCache(std::size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The body stored under `key` at `stamp`, else nullptr (an entry of another stamp is
  // dropped unless it has a version: Restamp may still serve it). `first_reread`, when given, is
  // set true only for the first Find that serves a body Put stored (its first re-read), once per
  // body.
  std::shared_ptr<const std::string> Find(const std::string& key, std::string_view stamp,
                                          bool* first_reread = nullptr);
  // Stores (or replaces) `key`'s body. A body larger than the capacity is not kept.
  void Put(const std::string& key, std::string stamp, std::shared_ptr<const std::string> body,
           std::string version = {});
  // `key`'s body if its entry has this (non-empty) version, now stored under `stamp`, else
  // nullptr. The entry becomes the most recently used.
  std::shared_ptr<const std::string> Restamp(const std::string& key, std::string_view version,
                                             std::string stamp);
  // Swaps `key`'s body for `better` (the same response, e.g. compressed harder) if the
  // entry still holds `body` (the same object) under `stamp`; false otherwise. The entry
  // keeps its place in the recency order and is never re-read-marked again.
  bool Replace(const std::string& key, std::string_view stamp,
               const std::shared_ptr<const std::string>& body,
               std::shared_ptr<const std::string> better);

  // `key`'s body whatever its stamp, else nullptr; changes nothing (not even the order).
  std::shared_ptr<const std::string> Peek(const std::string& key) const;

  std::size_t capacity_bytes() const { return capacity_; }
  std::size_t size_bytes() const;
  std::size_t entries() const;

 private:
  struct Entry {
    std::string key;
    std::string stamp;
    std::shared_ptr<const std::string> body;
    std::string version;
    std::size_t bytes = 0;
    bool reread = false;  // served by Find at least once (or replaced)
  };
  void EraseLocked(std::list<Entry>::iterator entry);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
};

}  // namespace worklog::app
