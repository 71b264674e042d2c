#include "feed/estimate.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feed/test_activities.h"

namespace worklog::feed {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Commit;

// (date, key or "-") -> rounded minutes.
std::map<std::string, int64_t> Minutes(const std::vector<domain::Activity>& activities,
                                       std::string_view zone = "UTC", EstimateParams params = {}) {
  auto totals = EstimateTotals(activities, zone, params);
  EXPECT_TRUE(totals.has_value());
  std::map<std::string, int64_t> result;
  for (const auto& total : totals.value_or(std::vector<DayKeyTotal>{})) {
    result[total.date + " " + total.issue_key.value_or("-")] =
        std::chrono::duration_cast<minutes>(total.rounded).count();
  }
  return result;
}

using Totals = std::map<std::string, int64_t>;

TEST(EstimateTotals, GapLongerThanMaxGapStartsANewSession) {
  EXPECT_EQ(Minutes({Commit("2026-03-10T09:00:00Z", {"PROJ-7"}),
                     Commit("2026-03-10T09:45:00Z", {"PROJ-7"}),
                     Commit("2026-03-10T13:00:00Z", {"PROJ-7"})}),
            (Totals{{"2026-03-10 PROJ-7", 30 + 45 + 30}}));
}

TEST(EstimateTotals, GapOfExactlyMaxGapStaysInTheSession) {
  EXPECT_EQ(Minutes({Commit("2026-03-10T09:00:00Z", {"PROJ-7"}),
                     Commit("2026-03-10T11:00:00Z", {"PROJ-7"})}),
            (Totals{{"2026-03-10 PROJ-7", 30 + 120}}));
  EXPECT_EQ(Minutes({Commit("2026-03-10T09:00:00Z", {"PROJ-7"}),
                     Commit("2026-03-10T11:00:01Z", {"PROJ-7"})}),
            (Totals{{"2026-03-10 PROJ-7", 30 + 30}}));
}

TEST(EstimateTotals, EachActivityOwnsTheTimeSinceThePreviousOneWhateverItsKey) {
  // PROJ-1: 30 (lead-in) + 40 (09:20..10:00) = 70 -> 75; PROJ-2: 20 (09:00..09:20) -> 15.
  EXPECT_EQ(Minutes({Commit("2026-03-10T09:00:00Z", {"PROJ-1"}),
                     Commit("2026-03-10T09:20:00Z", {"PROJ-2"}),
                     Commit("2026-03-10T10:00:00Z", {"PROJ-1"})}),
            (Totals{{"2026-03-10 PROJ-1", 75}, {"2026-03-10 PROJ-2", 15}}));
}

TEST(EstimateTotals, InputOrderDoesNotMatter) {
  EXPECT_EQ(Minutes({Commit("2026-03-10T10:00:00Z", {"PROJ-1"}),
                     Commit("2026-03-10T09:00:00Z", {"PROJ-1"}),
                     Commit("2026-03-10T09:20:00Z", {"PROJ-2"})}),
            (Totals{{"2026-03-10 PROJ-1", 75}, {"2026-03-10 PROJ-2", 15}}));
}

TEST(EstimateTotals, ActivitiesWithoutAKeyAreUnassigned) {
  EXPECT_EQ(
      Minutes({Commit("2026-03-10T09:00:00Z", {}), Commit("2026-03-10T10:00:00Z", {"PROJ-1"})}),
      (Totals{{"2026-03-10 PROJ-1", 60}, {"2026-03-10 -", 30}}));
}

TEST(EstimateTotals, SeveralKeysShareTheActivitysTimeEvenly) {
  // 09:00 lead-in 30 min -> PROJ-1; 09:45 owns 45 min: 22:30 each -> 30 and 30 (halves up).
  EXPECT_EQ(Minutes({Commit("2026-03-10T09:00:00Z", {"PROJ-1"}),
                     Commit("2026-03-10T09:45:00Z", {"PROJ-1", "PROJ-2", "PROJ-1"})}),
            (Totals{{"2026-03-10 PROJ-1", 60}, {"2026-03-10 PROJ-2", 30}}));
}

TEST(EstimateTotals, RoundsToFifteenMinutesWithAMinimumOfFifteen) {
  const std::vector<domain::Activity> one{Commit("2026-03-10T09:00:00Z", {"PROJ-1"})};
  EXPECT_EQ(Minutes(one, "UTC", {.lead_in = minutes(0)}), (Totals{{"2026-03-10 PROJ-1", 15}}));
  EXPECT_EQ(Minutes(one, "UTC", {.lead_in = minutes(7)}), (Totals{{"2026-03-10 PROJ-1", 15}}));
  EXPECT_EQ(Minutes(one, "UTC", {.lead_in = minutes(22)}), (Totals{{"2026-03-10 PROJ-1", 15}}));
  EXPECT_EQ(Minutes(one, "UTC", {.lead_in = seconds(22 * 60 + 30)}),
            (Totals{{"2026-03-10 PROJ-1", 30}}));
  EXPECT_EQ(Minutes(one, "UTC", {.lead_in = minutes(37)}), (Totals{{"2026-03-10 PROJ-1", 30}}));
}

TEST(EstimateTotals, ParametersAreConfigurable) {
  const std::vector<domain::Activity> day{Commit("2026-03-10T09:00:00Z", {"PROJ-1"}),
                                          Commit("2026-03-10T10:30:00Z", {"PROJ-1"})};
  // max_gap 1 h: two sessions of a 10-minute lead-in each, rounded to 5 minutes -> 20.
  EXPECT_EQ(
      Minutes(day, "UTC", {.max_gap = minutes(60), .lead_in = minutes(10), .rounding = minutes(5)}),
      (Totals{{"2026-03-10 PROJ-1", 20}}));
}

TEST(EstimateTotals, DaysFollowTheUsersTimeZoneAcrossMidnight) {
  // Europe/Oslo is UTC+1 in January. In UTC all three are on the 15th; in Oslo the last two
  // are on the 16th, whose first activity at 00:20 owns only the 20 minutes since midnight.
  const std::vector<domain::Activity> night{Commit("2026-01-15T22:50:00Z", {"PROJ-1"}),
                                            Commit("2026-01-15T23:20:00Z", {"PROJ-1"}),
                                            Commit("2026-01-15T23:50:00Z", {"PROJ-1"})};
  EXPECT_EQ(Minutes(night, "Europe/Oslo"),
            (Totals{{"2026-01-15 PROJ-1", 30}, {"2026-01-16 PROJ-1", 45}}));  // 20+30=50 -> 45
  EXPECT_EQ(Minutes(night, "UTC"), (Totals{{"2026-01-15 PROJ-1", 30 + 30 + 30}}));
}

TEST(EstimateTotals, SpringForwardCountsRealElapsedTime) {
  // Oslo, 2026-03-29: clocks jump 02:00 -> 03:00 (01:00Z). 01:40 and 04:30 local look 2h50m
  // apart but are 1h50m apart: one session, 30 + 110 = 140 -> 135.
  EXPECT_EQ(Minutes({Commit("2026-03-29T00:40:00Z", {"PROJ-1"}),
                     Commit("2026-03-29T02:30:00Z", {"PROJ-1"})},
                    "Europe/Oslo"),
            (Totals{{"2026-03-29 PROJ-1", 135}}));
}

TEST(EstimateTotals, FallBackCountsRealElapsedTime) {
  // Oslo, 2026-10-25: clocks go back 03:00 -> 02:00 (01:00Z). 02:30 CEST then 02:20 CET is
  // 50 minutes later, not 10 minutes earlier: 30 + 50 = 80 -> 75.
  EXPECT_EQ(Minutes({Commit("2026-10-25T00:30:00Z", {"PROJ-1"}),
                     Commit("2026-10-25T01:20:00Z", {"PROJ-1"})},
                    "Europe/Oslo"),
            (Totals{{"2026-10-25 PROJ-1", 75}}));
}

TEST(PlanActivities, RecordsGapsSessionsAndOwnedTime) {
  const std::vector<domain::Activity> day{Commit("2026-03-10T13:00:00Z", {"PROJ-7"}),
                                          Commit("2026-03-10T09:00:00Z", {"PROJ-7"}),
                                          Commit("2026-03-10T09:45:00Z", {})};
  const auto plan = PlanActivities(day, "America/New_York");
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->size(), 3U);
  EXPECT_EQ((*plan)[0].index, 1U);
  EXPECT_EQ((*plan)[0].date, "2026-03-10");
  EXPECT_EQ((*plan)[0].local_time, "05:00:00");  // EDT since March 8th: UTC-4
  EXPECT_EQ((*plan)[0].gap, std::nullopt);
  EXPECT_TRUE((*plan)[0].starts_session);
  EXPECT_EQ((*plan)[0].owned, minutes(30));
  EXPECT_EQ((*plan)[1].gap, minutes(45));
  EXPECT_EQ((*plan)[1].owned, minutes(45));
  EXPECT_EQ((*plan)[1].session, 1);
  EXPECT_TRUE((*plan)[1].issue_keys.empty());
  EXPECT_EQ((*plan)[2].gap, minutes(195));
  EXPECT_EQ((*plan)[2].session, 2);
  EXPECT_TRUE((*plan)[2].starts_session);
  EXPECT_EQ((*plan)[2].owned, minutes(30));
}

TEST(PlanActivities, SimultaneousActivitiesOwnNothingAfterTheFirst) {
  const auto plan = PlanActivities(
      {Commit("2026-03-10T09:00:00Z", {"A-1"}), Commit("2026-03-10T09:00:00Z", {"A-1"})}, "UTC");
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ((*plan)[0].owned + (*plan)[1].owned, minutes(30));
}

TEST(PlanActivities, UnknownTimeZoneIsAnErrorOnTimezone) {
  const auto plan = PlanActivities({Commit("2026-03-10T09:00:00Z", {})}, "Mars/Olympus");
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().field, "timezone");
}

TEST(ValidateEstimateParams, NamesTheFieldOutOfRange) {
  EXPECT_TRUE(ValidateEstimateParams({}).has_value());
  EXPECT_EQ(ValidateEstimateParams({.max_gap = seconds(0)}).error().field, "max_gap_minutes");
  EXPECT_EQ(ValidateEstimateParams({.lead_in = minutes(-1)}).error().field, "lead_in_minutes");
  EXPECT_EQ(ValidateEstimateParams({.rounding = minutes(90)}).error().field, "rounding_minutes");
}

}  // namespace
}  // namespace worklog::feed
