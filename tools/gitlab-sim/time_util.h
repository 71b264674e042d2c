#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace worklog::gitlab_sim {

// GitLab writes instants in several shapes; each function names the one it produces.
std::string IsoMillis(TimePoint t);        // "2024-01-15T10:20:30.123Z" (API resources)
std::string IsoMillisOffset(TimePoint t);  // "2024-01-15T10:20:30.000+00:00" (commit dates)
std::string IsoOffset(TimePoint t);        // "2024-01-15T10:20:30+00:00" (push hook commits)
std::string UtcSpaced(TimePoint t);        // "2024-01-15 10:20:30 UTC" (MR, issue, note hooks)
std::string DateOnly(TimePoint t);         // "2024-01-15"

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:MM]]" and "YYYY-MM-DD HH:MM:SS UTC".
// A date alone is midnight UTC.
std::optional<TimePoint> ParseTime(std::string_view text);
// Only "YYYY-MM-DD" (the events API's `before` / `after`).
std::optional<TimePoint> ParseDate(std::string_view text);

}  // namespace worklog::gitlab_sim
