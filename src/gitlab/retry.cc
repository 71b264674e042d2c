#include "gitlab/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <string>
#include <thread>

#include <date/date.h>

#include "common/text.h"

namespace worklog::gitlab {

void RealSleeper::Sleep(std::chrono::milliseconds duration) {
  if (duration.count() > 0) {
    std::this_thread::sleep_for(duration);
  }
}

Sleeper& DefaultSleeper() {
  static RealSleeper sleeper;
  return sleeper;
}

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

namespace {

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

std::chrono::milliseconds Until(std::chrono::sys_seconds when, TimePoint now) {
  const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  return std::max(delta, std::chrono::milliseconds(0));
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view retry_after,
                                                         std::string_view ratelimit_reset,
                                                         TimePoint now) {
  retry_after = TrimBlanks(retry_after);
  if (!retry_after.empty()) {
    if (const auto seconds = ParseInteger(retry_after)) {
      return std::chrono::milliseconds(std::max<int64_t>(*seconds, 0) * 1000);
    }
    // IMF-fixdate, RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT".
    std::istringstream in{std::string(retry_after)};
    std::chrono::sys_seconds when;
    in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", when);
    if (!in.fail()) {
      return Until(when, now);
    }
  }
  ratelimit_reset = TrimBlanks(ratelimit_reset);
  if (const auto reset = ParseInteger(ratelimit_reset)) {
    return Until(std::chrono::sys_seconds(std::chrono::seconds(*reset)), now);
  }
  return std::nullopt;
}

std::chrono::milliseconds Backoff(const RetryPolicy& policy, int attempt, double unit) {
  const auto base = static_cast<double>(policy.initial_backoff.count());
  const auto cap = static_cast<double>(policy.max_backoff.count());
  const double exponent = std::min(std::max(attempt - 1, 0), 30);
  const double full = std::min(base * std::pow(2.0, exponent), cap);
  const double jittered = full / 2 + full / 2 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(jittered));
}

}  // namespace worklog::gitlab
