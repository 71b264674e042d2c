#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"

namespace worklog::feed {

// How activity becomes time (DESIGN.md §3.4). Configurable per organization.
struct EstimateParams {
  std::chrono::seconds max_gap = std::chrono::hours(2);     // a longer gap ends the session
  std::chrono::seconds lead_in = std::chrono::minutes(30);  // owned by a session's first activity
  std::chrono::seconds rounding =
      std::chrono::minutes(15);  // per (day, issue key); also the minimum
};

// Checks organization settings: max_gap 1 min..24 h, lead_in 0..8 h, rounding 1 min..1 h.
// Errors name the field: "max_gap_minutes", "lead_in_minutes", "rounding_minutes".
Status ValidateEstimateParams(const EstimateParams& params);

// `raw` rounded to the nearest multiple of `increment` (halves up), at least one increment.
std::chrono::seconds RoundDuration(std::chrono::seconds raw, std::chrono::seconds increment);

// What the engine decided for one activity: the evidence behind a suggestion.
struct ActivityTime {
  std::size_t index = 0;    // into the input vector
  std::string date;         // local day "2026-11-24" in the user's time zone
  std::string local_time;   // "09:10:00"
  TimePoint occurred_at{};  // whole seconds, UTC
  int session = 1;          // 1-based session number within the local day
  bool starts_session = false;
  // Time since the previous activity of the same local day (any issue key); none for the
  // day's first activity.
  std::optional<std::chrono::seconds> gap;
  // The time this activity owns: the gap within a session; at a session start the lead-in,
  // cut at local midnight (a day's worklogs never reach into the previous day).
  std::chrono::seconds owned{0};
  // The activity's issue keys (first source that has any, DESIGN §3.3), deduplicated; empty
  // means unassigned. Its owned time is split evenly between them (remainder to the first).
  std::vector<std::string> issue_keys;
  std::vector<std::chrono::seconds> shares;  // one per issue key, or one for unassigned
};

// The time plan of one user's activities: activities grouped by local day of `time_zone`
// (IANA name), sorted by time (ties by activity key), split into sessions where the gap
// exceeds max_gap. Elapsed time is real time, so DST changes count as they happened. Result
// order: by occurred_at, then activity key. Fails only for an unknown time zone ("timezone").
Result<std::vector<ActivityTime>> PlanActivities(const std::vector<domain::Activity>& activities,
                                                 std::string_view time_zone,
                                                 const EstimateParams& params = {});

// Estimated time per (local day, issue key) — the durations suggestions carry.
struct DayKeyTotal {
  std::string date;                      // local day
  std::optional<std::string> issue_key;  // none: unassigned
  std::chrono::seconds raw{0};           // sum of shares
  std::chrono::seconds rounded{0};       // RoundDuration(raw, params.rounding)
};
// Ordered by date, then issue key (unassigned last).
Result<std::vector<DayKeyTotal>> EstimateTotals(const std::vector<domain::Activity>& activities,
                                                std::string_view time_zone,
                                                const EstimateParams& params = {});

}  // namespace worklog::feed
