#pragma once

// Builders for feed tests (header only; not part of the library).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "domain/activity.h"

namespace worklog::feed::testing {

// "2026-01-15T22:50:00Z" (UTC, whole seconds).
inline TimePoint Utc(std::string_view text) {
  std::string input(text);
  std::istringstream stream(input);
  date::sys_seconds at;
  stream >> date::parse("%FT%TZ", at);
  return std::chrono::time_point_cast<std::chrono::microseconds>(at);
}

inline domain::Activity Make(domain::ActivityKind kind, std::string_view at,
                             std::vector<std::string> keys, std::string title = "") {
  static int counter = 0;
  domain::Activity activity;
  // Zero-padded so that keys (the tie-break for equal times) sort in creation order.
  std::string number = std::to_string(++counter);
  activity.key = "test:" + std::string(8 - std::min<std::size_t>(8, number.size()), '0') + number;
  activity.kind = kind;
  activity.occurred_at = Utc(at);
  activity.issue_keys = std::move(keys);
  activity.title = std::move(title);
  return activity;
}

inline domain::Activity Commit(std::string_view at, std::vector<std::string> keys,
                               std::string title = "") {
  return Make(domain::ActivityKind::kCommit, at, std::move(keys), std::move(title));
}

}  // namespace worklog::feed::testing
