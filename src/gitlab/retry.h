#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace worklog::gitlab {

// How long to keep trying a GitLab call that failed transiently (429, 5xx, timeout,
// connection failure, truncated or invalid JSON).
struct RetryPolicy {
  int max_attempts = 5;                               // including the first
  std::chrono::milliseconds initial_backoff{500};     // doubled per attempt
  std::chrono::milliseconds max_backoff{30'000};      // cap of one computed wait
  std::chrono::milliseconds max_wait{60'000};         // a longer Retry-After: give up
  std::chrono::milliseconds max_total_wait{120'000};  // sum of all waits of one call
};

// Waits between attempts. Tests inject one that records instead of sleeping.
class Sleeper {
 public:
  Sleeper() = default;
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;
  Sleeper(Sleeper&&) = delete;
  Sleeper& operator=(Sleeper&&) = delete;
  virtual ~Sleeper() = default;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
};

class RealSleeper final : public Sleeper {
 public:
  void Sleep(std::chrono::milliseconds duration) override;
};

// The process-wide RealSleeper and SystemClock, for callers that inject nothing.
Sleeper& DefaultSleeper();
const Clock& DefaultClock();

// How long a response asks us to wait: `Retry-After` as delta-seconds ("120") or as an
// HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), else `RateLimit-Reset` (Unix seconds).
// Times in the past give zero. nullopt when neither header is present or parseable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view retry_after,
                                                         std::string_view ratelimit_reset,
                                                         TimePoint now);

// Capped exponential backoff with "equal jitter": for attempt n (1 = after the first
// failure) a wait in [d/2, d] where d = min(initial * 2^(n-1), max_backoff). `unit` is a
// uniform random number in [0, 1].
std::chrono::milliseconds Backoff(const RetryPolicy& policy, int attempt, double unit);

}  // namespace worklog::gitlab
