#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace worklog::domain {

struct TimeUnits {
  int64_t hours_per_day = 8;
  int64_t days_per_week = 5;
};

// Time logged by a commit message, in seconds, or nothing when the message logs none or
// the amount cannot be parsed (never guessed).
//  - Jira smart commits: "PROJ-7 #time 1w 2d 4h 30m fixed X" (units w d h m; the issue key
//    must appear in the message).
//  - GitLab's commit time marker: "Fix login #123 @1h30m" (units mo w d h m s, no spaces;
//    needs a GitLab issue reference).
struct SmartCommitTime {
  int64_t seconds = 0;
  std::string comment;  // the text after the amount (Jira), may be empty
};
std::optional<SmartCommitTime> ParseSmartCommitTime(std::string_view message,
                                                    const TimeUnits& units = {});

}  // namespace worklog::domain
