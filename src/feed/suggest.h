#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/activity.h"
#include "feed/estimate.h"

namespace worklog::feed {

// Why a suggestion has its duration: the parameters and, per activity, the gaps and shares.
struct Evidence {
  EstimateParams params;
  std::chrono::seconds raw{0};           // sum of this suggestion's shares, before rounding
  std::vector<ActivityTime> activities;  // same order as Suggestion::activities
  // The share of each activity credited to this suggestion (same order as `activities`).
  std::vector<std::chrono::seconds> credited;
};

// A potential worklog: one per (user, local day, issue key) (DESIGN.md §3.5).
struct Suggestion {
  std::string id;  // SuggestionId(user_id, date, issue_key)
  int64_t user_id = 0;
  std::string date;                          // "2026-11-24", the user's local day
  std::string start_time;                    // "09:10:00" local: when its earliest owned time began
  TimePoint start_at{};                      // the same instant in UTC
  std::chrono::seconds duration{0};          // rounded (see EstimateParams::rounding)
  std::optional<std::string> issue_key;      // none: "unassigned", the user picks the issue
  std::string description;                   // commit and MR titles, trimmed, deduplicated, "; "
  std::string why;                           // "3 commits and 1 review between 09:10 and 11:40"
  std::vector<domain::Activity> activities;  // by time
  Evidence evidence;
};

// Stable id of the suggestion for (user, local date, issue key; none = unassigned): the same
// inputs give the same id in every version, so "logged" and "dismissed" can be remembered by
// it. "sg_" + 32 lowercase hex characters (SHA-256 prefix).
std::string SuggestionId(int64_t user_id, std::string_view date,
                         const std::optional<std::string>& issue_key);

// Suggestions for one user from their activities (any order), per local day of `time_zone`.
// Ordered by date, then start_time, then issue key (unassigned last). The caller passes all
// activities of the local days it shows (see LocalDaysToUtcRange) and drops handled ids.
// Fails only for an unknown time zone (field "timezone").
//
// `logged_elsewhere`: keys of activities whose time is already logged another way (a smart
// commit's own worklog). They still take their place in the time plan, so their
// neighbours' gaps stay as they happened, but they join no suggestion and their owned time
// is credited to none.
Result<std::vector<Suggestion>> Suggest(int64_t user_id, std::string_view time_zone,
                                        const std::vector<domain::Activity>& activities,
                                        const EstimateParams& params = {},
                                        const std::set<std::string>& logged_elsewhere = {});
// The same, moving the activities into the suggestions instead of copying them (a month
// is thousands): `activities` is left with unspecified (moved-from) elements.
Result<std::vector<Suggestion>> Suggest(int64_t user_id, std::string_view time_zone,
                                        std::vector<domain::Activity>&& activities,
                                        const EstimateParams& params = {},
                                        const std::set<std::string>& logged_elsewhere = {});

// The UTC instants [begin, end) that the local days from_date..to_date (inclusive,
// "YYYY-MM-DD") of `time_zone` cover, DST included: what to load for Suggest. Errors name
// "from", "to" or "timezone"; to_date before from_date is an error on "to".
Result<std::pair<TimePoint, TimePoint>> LocalDaysToUtcRange(std::string_view time_zone,
                                                            std::string_view from_date,
                                                            std::string_view to_date);

}  // namespace worklog::feed
