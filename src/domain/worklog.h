#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::domain {

enum class WorklogOrigin { kManual, kActivityFeed, kSmartCommit, kAutomation };

std::string_view OriginName(WorklogOrigin origin);  // "manual", "activity_feed", ...
Result<WorklogOrigin> ParseOrigin(std::string_view field, std::string_view text);

inline constexpr int64_t kMaxWorklogSeconds = int64_t{24} * 60 * 60;

// Time a user logged against an issue. Dates and times of day are in the author's time
// zone; `start_at` is the same instant in UTC.
struct Worklog {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string issue_key;
  std::string start_date;  // "2026-11-24"
  std::string start_time;  // "09:30:00"
  TimePoint start_at{};    // UTC instant of start_date + start_time in the author's zone
  int64_t duration_seconds = 0;
  std::string description;
  WorklogOrigin origin = WorklogOrigin::kManual;
  std::vector<std::string> activity_keys;
  // Makes a create idempotent per user: a second create with the same key returns the
  // first worklog (suggestion logged twice, smart commit seen on two branches).
  std::optional<std::string> dedupe_key;
  TimePoint created_at{};
  TimePoint updated_at{};
};

// Value rules, each naming `field` in its error.
Result<std::string> ValidateIssueKey(std::string_view field, std::string_view key);
Result<int64_t> ValidateDurationSeconds(std::string_view field, int64_t seconds);
Result<std::string> ValidateDate(std::string_view field, std::string_view date);  // YYYY-MM-DD
// "HH:MM" or "HH:MM:SS" -> "HH:MM:SS".
Result<std::string> ValidateTimeOfDay(std::string_view field, std::string_view time);
Result<std::string> ValidateDescription(std::string_view field, std::string_view text);
// The UTC instant of a local date and time in `timezone` (the earlier one when a DST
// change repeats it; shifted forward when a DST gap skips it).
Result<TimePoint> LocalToUtc(std::string_view date, std::string_view time,
                             std::string_view timezone);

}  // namespace worklog::domain
