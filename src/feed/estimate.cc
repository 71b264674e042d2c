#include "feed/estimate.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "feed/time_zone.h"

namespace worklog::feed {
namespace {

using std::chrono::seconds;

std::vector<std::string> UniqueKeys(const std::vector<std::string>& keys) {
  std::vector<std::string> unique;
  for (const auto& key : keys) {
    if (!key.empty() && std::find(unique.begin(), unique.end(), key) == unique.end()) {
      unique.push_back(key);
    }
  }
  return unique;
}

// `owned` split into `parts` whole seconds; the first part takes the remainder.
std::vector<seconds> Split(seconds owned, std::size_t parts) {
  const auto n = static_cast<seconds::rep>(parts);
  std::vector<seconds> shares(parts, seconds(owned.count() / n));
  shares.front() += seconds(owned.count() % n);
  return shares;
}

}  // namespace

Status ValidateEstimateParams(const EstimateParams& params) {
  using std::chrono::hours;
  using std::chrono::minutes;
  if (params.max_gap < minutes(1) || params.max_gap > hours(24)) {
    return InvalidArgument("max_gap_minutes", "must be between 1 and 1440 minutes");
  }
  if (params.lead_in < seconds(0) || params.lead_in > hours(8)) {
    return InvalidArgument("lead_in_minutes", "must be between 0 and 480 minutes");
  }
  if (params.rounding < minutes(1) || params.rounding > hours(1)) {
    return InvalidArgument("rounding_minutes", "must be between 1 and 60 minutes");
  }
  return {};
}

seconds RoundDuration(seconds raw, seconds increment) {
  if (increment <= seconds(0)) {
    return raw;
  }
  const auto steps = (raw.count() + increment.count() / 2) / increment.count();
  return std::max(increment, increment * steps);
}

Result<std::vector<ActivityTime>> PlanActivities(const std::vector<domain::Activity>& activities,
                                                 std::string_view time_zone,
                                                 const EstimateParams& params) {
  auto zone = Zone::Locate(time_zone);
  if (!zone) {
    return tl::unexpected(zone.error());
  }
  std::vector<std::size_t> order(activities.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto ta = std::chrono::floor<seconds>(activities[a].occurred_at);
    const auto tb = std::chrono::floor<seconds>(activities[b].occurred_at);
    if (ta != tb) {
      return ta < tb;
    }
    return activities[a].key < activities[b].key;
  });

  std::vector<ActivityTime> plan;
  plan.reserve(activities.size());
  // Per local day: the previous activity's instant and the current session number. A map,
  // not "the previous entry", because a DST change at midnight can revisit a local day.
  struct DayState {
    date::sys_seconds previous;
    int session = 0;
  };
  std::map<date::local_days, DayState> days;
  for (const std::size_t index : order) {
    const domain::Activity& activity = activities[index];
    const date::sys_seconds at = std::chrono::floor<seconds>(activity.occurred_at);
    const date::local_seconds local = zone->ToLocal(at);
    const date::local_days day = date::floor<date::days>(local);

    ActivityTime time;
    time.index = index;
    time.date = FormatLocalDate(day);
    time.local_time = FormatLocalTime(local);
    time.occurred_at = at;
    time.issue_keys = UniqueKeys(activity.issue_keys);

    auto [state, first_of_day] = days.try_emplace(day);
    if (!first_of_day) {
      time.gap = at - state->second.previous;
    }
    if (time.gap && *time.gap <= params.max_gap) {
      time.session = state->second.session;
      time.owned = *time.gap;
    } else {
      time.session = ++state->second.session;
      time.starts_session = true;
      const seconds since_midnight = at - zone->LocalMidnight(day);
      time.owned = std::clamp(since_midnight, seconds(0), params.lead_in);
    }
    state->second.previous = at;
    time.shares = Split(time.owned, std::max<std::size_t>(1, time.issue_keys.size()));
    plan.push_back(std::move(time));
  }
  return plan;
}

Result<std::vector<DayKeyTotal>> EstimateTotals(const std::vector<domain::Activity>& activities,
                                                std::string_view time_zone,
                                                const EstimateParams& params) {
  auto plan = PlanActivities(activities, time_zone, params);
  if (!plan) {
    return tl::unexpected(plan.error());
  }
  // Key: (date, has no key, issue key) orders unassigned last within a day.
  std::map<std::tuple<std::string, bool, std::string>, seconds> sums;
  for (const ActivityTime& time : *plan) {
    if (time.issue_keys.empty()) {
      sums[{time.date, true, ""}] += time.shares.front();
      continue;
    }
    for (std::size_t i = 0; i < time.issue_keys.size(); ++i) {
      sums[{time.date, false, time.issue_keys[i]}] += time.shares[i];
    }
  }
  std::vector<DayKeyTotal> totals;
  totals.reserve(sums.size());
  for (const auto& [group, raw] : sums) {
    const auto& [date, unassigned, key] = group;
    DayKeyTotal total;
    total.date = date;
    if (!unassigned) {
      total.issue_key = key;
    }
    total.raw = raw;
    total.rounded = RoundDuration(raw, params.rounding);
    totals.push_back(std::move(total));
  }
  return totals;
}

}  // namespace worklog::feed
