#include "app/rate_limiter.h"

#include <algorithm>

namespace worklog::app {

FailureLimiter::FailureLimiter(const Clock& clock, FailureLimitPolicy policy)
    : clock_(clock), policy_(policy) {}

std::optional<std::chrono::seconds> FailureLimiter::RetryAfter(std::string_view key) const {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.locked_until <= now) {
    return std::nullopt;
  }
  // Round up: a client that waits exactly Retry-After seconds must be let in.
  const auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

void FailureLimiter::RecordFailure(std::string_view key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= policy_.max_keys) {
    PruneLocked(now);
  }
  Entry& entry = entries_[std::string(key)];
  const bool lockout_over = entry.locked_until != TimePoint{} && entry.locked_until <= now;
  if (entry.failures == 0 || lockout_over || now - entry.first_failure > policy_.window) {
    entry = Entry{.failures = 0, .first_failure = now, .locked_until = {}};
  }
  ++entry.failures;
  if (entry.failures >= policy_.max_failures) {
    entry.locked_until = now + policy_.lockout;
  }
}

void FailureLimiter::Reset(std::string_view key) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::string(key));
}

void FailureLimiter::PruneLocked(TimePoint now) {
  std::erase_if(entries_, [&](const auto& item) {
    const Entry& entry = item.second;
    return entry.locked_until <= now && now - entry.first_failure > policy_.window;
  });
  if (entries_.size() < policy_.max_keys) {
    return;
  }
  // Still full of live entries (an attack from many addresses): drop the ones not locked,
  // then everything, rather than grow without bound.
  std::erase_if(entries_, [&](const auto& item) { return item.second.locked_until <= now; });
  if (entries_.size() >= policy_.max_keys) {
    entries_.clear();
  }
}

}  // namespace worklog::app
