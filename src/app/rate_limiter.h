#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace worklog::app {

struct FailureLimitPolicy {
  int max_failures = 5;                   // failures within `window` before a lockout
  std::chrono::seconds window{15 * 60};   // failures older than this are forgotten
  std::chrono::seconds lockout{15 * 60};  // how long a key stays locked
  std::size_t max_keys = 100'000;         // bound on memory; oldest entries go first
};

// Counts failures (wrong passwords) per key ("account:a@b", "address:10.0.0.1") and locks a
// key out for `lockout` once it reaches `max_failures` within `window`. In-memory, per process.
// Thread-safe.
class FailureLimiter {
 public:
  FailureLimiter(const Clock& clock, FailureLimitPolicy policy);

  // Empty when `key` may try again; else how long until it may (at least one second).
  std::optional<std::chrono::seconds> RetryAfter(std::string_view key) const;
  void RecordFailure(std::string_view key);
  // Forgets the failures of `key` (after a successful sign-in).
  void Reset(std::string_view key);

 private:
  struct Entry {
    int failures = 0;
    TimePoint first_failure{};
    TimePoint locked_until{};
  };
  void PruneLocked(TimePoint now);

  const Clock& clock_;
  FailureLimitPolicy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // Guarded by mutex_.
};

}  // namespace worklog::app
