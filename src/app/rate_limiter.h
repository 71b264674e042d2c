#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace worklog::app {

// Counts failures (wrong passwords) per key ("account:a@b", "address:10.0.0.1") and locks a
// key out for `lockout` once it reaches `max_failures` within `window`. The counts live in
// the database (store::SessionRepository), so several nodes behind a load balancer share
// them: an attacker gets as many tries from N nodes as from one. Thread-safe.
class FailureLimiter {
 public:
  FailureLimiter(store::SessionRepository& sessions, const Clock& clock, store::SignInLimit limit)
      : sessions_(sessions), clock_(clock), limit_(limit) {}

  // Empty when `key` may try again; else how long until it may (at least one second).
  Result<std::optional<std::chrono::seconds>> RetryAfter(std::string_view key) const;
  Status RecordFailure(std::string_view key);
  // Forgets the failures of `key` (after a successful sign-in).
  Status Reset(std::string_view key);

 private:
  store::SessionRepository& sessions_;
  const Clock& clock_;
  store::SignInLimit limit_;
};

}  // namespace worklog::app
