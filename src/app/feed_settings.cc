#include "app/feed_settings.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace worklog::app {

feed::EstimateParams FeedSettings::EstimateParamsOf(const store::FeedSettings& settings) {
  return {.max_gap = std::chrono::minutes(settings.max_gap_minutes),
          .lead_in = std::chrono::minutes(settings.lead_in_minutes),
          .rounding = std::chrono::minutes(settings.rounding_minutes)};
}

domain::TimeUnits FeedSettings::TimeUnitsOf(const store::FeedSettings& settings) {
  domain::TimeUnits units;
  units.hours_per_day = settings.hours_per_day;
  units.days_per_week = settings.days_per_week;
  return units;
}

Result<store::FeedSettings> FeedSettings::Get(const Principal& caller) {
  if (!caller.IsAdmin()) {
    return PermissionDenied("only administrators may read the organization's settings");
  }
  return store_.GitlabOrg().GetFeedSettings();
}

Result<store::FeedSettings> FeedSettings::Update(const Principal& caller,
                                                 const FeedSettingsInput& input) {
  if (!caller.IsAdmin()) {
    return PermissionDenied("only administrators may change the organization's settings");
  }
  auto current = store_.GitlabOrg().GetFeedSettings();
  if (!current) {
    return tl::unexpected(current.error());
  }
  store::FeedSettings next = *current;
  next.max_gap_minutes = input.max_gap_minutes.value_or(next.max_gap_minutes);
  next.lead_in_minutes = input.lead_in_minutes.value_or(next.lead_in_minutes);
  next.rounding_minutes = input.rounding_minutes.value_or(next.rounding_minutes);
  next.hours_per_day = input.hours_per_day.value_or(next.hours_per_day);
  next.days_per_week = input.days_per_week.value_or(next.days_per_week);
  if (auto valid = feed::ValidateEstimateParams(EstimateParamsOf(next)); !valid) {
    return tl::unexpected(valid.error());
  }
  if (next.hours_per_day < 1 || next.hours_per_day > 24) {
    return InvalidArgument("hours_per_day", "must be between 1 and 24 hours");
  }
  if (next.days_per_week < 1 || next.days_per_week > 7) {
    return InvalidArgument("days_per_week", "must be between 1 and 7 days");
  }
  next.updated_by = caller.user.id;
  auto updated = store_.GitlabOrg().UpdateFeedSettings(next);
  if (!updated) {
    return tl::unexpected(updated.error());
  }
  const std::string detail =
      fmt::format("max_gap {} min, lead_in {} min, rounding {} min, 1d = {}h, 1w = {}d",
                  updated->max_gap_minutes, updated->lead_in_minutes, updated->rounding_minutes,
                  updated->hours_per_day, updated->days_per_week);
  auto audited = store_.GitlabOrg().AppendAudit({.id = 0,
                                                 .at = clock_.Now(),
                                                 .actor_user_id = caller.user.id,
                                                 .action = "feed.settings.update",
                                                 .target = "organization",
                                                 .detail = detail});
  if (!audited) {
    spdlog::error("audit log write failed: {}", audited.error().message);
  }
  return updated;
}

}  // namespace worklog::app
