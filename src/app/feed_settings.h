#pragma once

#include <cstdint>
#include <optional>

#include "app/principal.h"
#include "common/clock.h"
#include "common/result.h"
#include "domain/smart_commits.h"
#include "feed/estimate.h"
#include "store/store.h"

namespace worklog::app {

// PUT /api/v1/apps/gitlab/settings: the values to change; the others stay.
struct FeedSettingsInput {
  std::optional<int64_t> max_gap_minutes;
  std::optional<int64_t> lead_in_minutes;
  std::optional<int64_t> rounding_minutes;
  std::optional<int64_t> hours_per_day;
  std::optional<int64_t> days_per_week;
};

// The organization's Activity Feed settings (DESIGN §3.4 and §3.6): how the feed turns
// activity into durations, and a smart commit's day and week. Administrators change them;
// every feed uses them from the next read, every commit normalized afterwards its units.
class FeedSettings {
 public:
  FeedSettings(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<store::FeedSettings> Get(const Principal& caller);
  // Validates every value (errors name the field) and records who changed what in the
  // audit log.
  Result<store::FeedSettings> Update(const Principal& caller, const FeedSettingsInput& input);

  static feed::EstimateParams EstimateParamsOf(const store::FeedSettings& settings);
  static domain::TimeUnits TimeUnitsOf(const store::FeedSettings& settings);

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace worklog::app
