#include "app/rate_limiter.h"

#include <algorithm>

namespace worklog::app {

Result<std::optional<std::chrono::seconds>> FailureLimiter::RetryAfter(std::string_view key) const {
  const TimePoint now = clock_.Now();
  auto locked_until = sessions_.SignInLockedUntil(key, now);
  if (!locked_until) {
    return tl::unexpected(locked_until.error());
  }
  if (!*locked_until) {
    return std::nullopt;
  }
  // Round up: a client that waits exactly Retry-After seconds must be let in.
  const auto left = std::chrono::ceil<std::chrono::seconds>(**locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

Status FailureLimiter::RecordFailure(std::string_view key) {
  return sessions_.RecordSignInFailure(key, limit_, clock_.Now());
}

Status FailureLimiter::Reset(std::string_view key) { return sessions_.ResetSignInFailures(key); }

}  // namespace worklog::app
