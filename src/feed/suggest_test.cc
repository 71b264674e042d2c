#include "feed/suggest.h"

#include <chrono>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "feed/test_activities.h"

namespace worklog::feed {
namespace {

using std::chrono::minutes;
using testing::Commit;
using ::testing::ElementsAre;
using testing::Make;
using testing::Utc;

constexpr int64_t kUser = 42;

std::vector<Suggestion> SuggestOk(const std::vector<domain::Activity>& activities,
                                  std::string_view zone = "UTC") {
  auto suggestions = Suggest(kUser, zone, activities);
  EXPECT_TRUE(suggestions.has_value());
  return suggestions.value_or(std::vector<Suggestion>{});
}

TEST(Suggest, OneSuggestionPerDayAndIssueKeyWithDescriptionAndWhy) {
  const auto suggestions = SuggestOk({
      Commit("2026-03-10T09:10:00Z", {"PROJ-7"}, "  Fix login redirect \n\nLong body"),
      Make(domain::ActivityKind::kReview, "2026-03-10T10:00:00Z", {"PROJ-7"}, "Looks good"),
      Commit("2026-03-10T10:30:00Z", {"PROJ-7"}, "Fix login redirect"),
      Make(domain::ActivityKind::kMergeRequest, "2026-03-10T11:00:00Z", {"PROJ-7"},
           "Login: keep the return URL"),
      Commit("2026-03-10T11:40:00Z", {"PROJ-7"}, "Add test"),
  });
  ASSERT_EQ(suggestions.size(), 1U);
  const Suggestion& s = suggestions[0];
  EXPECT_EQ(s.user_id, kUser);
  EXPECT_EQ(s.date, "2026-03-10");
  EXPECT_EQ(s.issue_key, "PROJ-7");
  EXPECT_EQ(s.start_time, "08:40:00");  // 09:10 minus the 30-minute lead-in
  EXPECT_EQ(s.start_at, Utc("2026-03-10T08:40:00Z"));
  EXPECT_EQ(s.duration, minutes(180));  // 30 + 50 + 30 + 30 + 40
  EXPECT_EQ(s.description, "Fix login redirect; Login: keep the return URL; Add test");
  EXPECT_EQ(s.why, "3 commits, 1 merge request update and 1 review between 09:10 and 11:40");
  ASSERT_EQ(s.activities.size(), 5U);
  EXPECT_EQ(s.activities[1].title, "Looks good");
}

TEST(Suggest, EvidenceShowsParametersGapsAndShares) {
  const auto suggestions = SuggestOk({Commit("2026-03-10T09:00:00Z", {"PROJ-1"}),
                                      Commit("2026-03-10T09:20:00Z", {"PROJ-2"}),
                                      Commit("2026-03-10T10:00:00Z", {"PROJ-1"})});
  ASSERT_EQ(suggestions.size(), 2U);
  const Suggestion& proj1 = suggestions[0];
  EXPECT_EQ(proj1.issue_key, "PROJ-1");
  EXPECT_EQ(proj1.evidence.params.max_gap, minutes(120));
  EXPECT_EQ(proj1.evidence.params.lead_in, minutes(30));
  EXPECT_EQ(proj1.evidence.raw, minutes(70));
  EXPECT_EQ(proj1.duration, minutes(75));
  ASSERT_EQ(proj1.evidence.activities.size(), 2U);
  EXPECT_TRUE(proj1.evidence.activities[0].starts_session);
  EXPECT_EQ(proj1.evidence.activities[1].gap, minutes(40));  // since PROJ-2's 09:20 commit
  EXPECT_THAT(proj1.evidence.credited, ElementsAre(minutes(30), minutes(40)));
  EXPECT_EQ(suggestions[1].issue_key, "PROJ-2");
  EXPECT_EQ(suggestions[1].start_time, "09:00:00");
  EXPECT_EQ(suggestions[1].why, "1 commit at 09:20");
}

TEST(Suggest, ActivityLoggedElsewhereKeepsItsPlaceInTimeButJoinsNoSuggestion) {
  // 09:00 PROJ-1 (lead-in 30) | 10:00 PROJ-2 smart commit, logged by itself (60) |
  // 10:30 PROJ-1 (30): PROJ-1 is 60 min, not 120, and PROJ-2 is not suggested.
  const domain::Activity smart = Commit("2026-03-10T10:00:00Z", {"PROJ-2"}, "PROJ-2 #time 1h");
  auto suggestions = Suggest(kUser, "UTC",
                             {Commit("2026-03-10T09:00:00Z", {"PROJ-1"}), smart,
                              Commit("2026-03-10T10:30:00Z", {"PROJ-1"})},
                             {}, {smart.key});
  ASSERT_TRUE(suggestions.has_value());
  ASSERT_EQ(suggestions->size(), 1U);
  EXPECT_EQ((*suggestions)[0].issue_key, "PROJ-1");
  EXPECT_EQ((*suggestions)[0].duration, minutes(60));
  EXPECT_EQ((*suggestions)[0].activities.size(), 2U);
}

TEST(Suggest, ActivitiesWithoutKeyFormAnUnassignedSuggestion) {
  const auto suggestions =
      SuggestOk({Commit("2026-03-10T09:00:00Z", {}, "WIP"),
                 Make(domain::ActivityKind::kComment, "2026-03-10T09:05:00Z", {}, "ping")});
  ASSERT_EQ(suggestions.size(), 1U);
  EXPECT_EQ(suggestions[0].issue_key, std::nullopt);
  EXPECT_EQ(suggestions[0].duration, minutes(30));  // 30 + 5 = 35 -> 30
  EXPECT_EQ(suggestions[0].description, "WIP");
  EXPECT_EQ(suggestions[0].why, "1 commit and 1 comment between 09:00 and 09:05");
}

TEST(Suggest, DescriptionFallsBackToOtherTitlesWithoutCommitsOrMergeRequests) {
  const auto suggestions = SuggestOk(
      {Make(domain::ActivityKind::kIssue, "2026-03-10T09:00:00Z", {"OPS-3"}, " Disk full "),
       Make(domain::ActivityKind::kReview, "2026-03-10T09:30:00Z", {"OPS-3"}, "")});
  ASSERT_EQ(suggestions.size(), 1U);
  EXPECT_EQ(suggestions[0].description, "Disk full");
  EXPECT_EQ(suggestions[0].why, "1 review and 1 issue update between 09:00 and 09:30");
}

TEST(Suggest, OrderedByDateThenStartTimeInTheUsersZone) {
  // Tokyo is UTC+9: 2026-03-10T16:30Z is 01:30 on the 11th.
  const auto suggestions =
      SuggestOk({Commit("2026-03-10T16:30:00Z", {"B-1"}), Commit("2026-03-10T03:00:00Z", {"Z-1"}),
                 Commit("2026-03-10T01:00:00Z", {"A-1"}), Commit("2026-03-10T01:00:00Z", {})},
                "Asia/Tokyo");
  ASSERT_EQ(suggestions.size(), 4U);
  EXPECT_EQ(suggestions[0].date, "2026-03-10");
  EXPECT_EQ(suggestions[0].issue_key, "A-1");
  EXPECT_EQ(suggestions[0].start_time, "09:30:00");
  // The unassigned commit at 10:00 owns nothing (same instant as A-1's) and so starts at
  // 10:00; Z-1 at 12:00 owns 10:00..12:00. Same start: keyed before unassigned.
  EXPECT_EQ(suggestions[1].issue_key, "Z-1");
  EXPECT_EQ(suggestions[1].start_time, "10:00:00");
  EXPECT_EQ(suggestions[2].issue_key, std::nullopt);
  EXPECT_EQ(suggestions[2].start_time, "10:00:00");
  EXPECT_EQ(suggestions[3].date, "2026-03-11");
  EXPECT_EQ(suggestions[3].start_time, "01:00:00");
}

TEST(Suggest, StartTimeNeverReachesIntoThePreviousDay) {
  const auto suggestions = SuggestOk({Commit("2026-01-15T23:10:00Z", {"A-1"})}, "Europe/Oslo");
  ASSERT_EQ(suggestions.size(), 1U);
  EXPECT_EQ(suggestions[0].date, "2026-01-16");
  EXPECT_EQ(suggestions[0].start_time, "00:00:00");
  EXPECT_EQ(suggestions[0].evidence.raw, minutes(10));
  EXPECT_EQ(suggestions[0].duration, minutes(15));
}

TEST(Suggest, UnknownTimeZoneIsAnError) {
  const auto suggestions = Suggest(kUser, "Nowhere/Town", {});
  ASSERT_FALSE(suggestions.has_value());
  EXPECT_EQ(suggestions.error().field, "timezone");
}

TEST(SuggestionId, IsStableAndDistinctPerUserDateAndKey) {
  const std::string id = SuggestionId(42, "2026-03-10", std::string("PROJ-7"));
  // Fixed forever: a changed id forgets which suggestions users already handled.
  EXPECT_EQ(id, SuggestionId(42, "2026-03-10", std::string("PROJ-7")));
  EXPECT_EQ(id.size(), 35U);
  EXPECT_EQ(id.rfind("sg_", 0), 0U);
  const std::set<std::string> ids{id, SuggestionId(43, "2026-03-10", std::string("PROJ-7")),
                                  SuggestionId(42, "2026-03-11", std::string("PROJ-7")),
                                  SuggestionId(42, "2026-03-10", std::string("PROJ-8")),
                                  SuggestionId(42, "2026-03-10", std::nullopt)};
  EXPECT_EQ(ids.size(), 5U);
  const auto suggestions = SuggestOk({Commit("2026-03-10T09:00:00Z", {"PROJ-7"})});
  ASSERT_EQ(suggestions.size(), 1U);
  EXPECT_EQ(suggestions[0].id, id);
}

TEST(LocalDaysToUtcRange, CoversWholeLocalDaysAcrossDst) {
  const auto range = LocalDaysToUtcRange("Europe/Oslo", "2026-03-29", "2026-03-29");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, Utc("2026-03-28T23:00:00Z"));
  EXPECT_EQ(range->second, Utc("2026-03-29T22:00:00Z"));  // a 23-hour day
  const auto week = LocalDaysToUtcRange("UTC", "2026-03-09", "2026-03-15");
  ASSERT_TRUE(week.has_value());
  EXPECT_EQ(week->second - week->first, std::chrono::hours(7 * 24));
}

TEST(LocalDaysToUtcRange, NamesTheBadField) {
  EXPECT_EQ(LocalDaysToUtcRange("UTC", "2026-13-01", "2026-03-01").error().field, "from");
  EXPECT_EQ(LocalDaysToUtcRange("UTC", "2026-03-02", "2026-03-01").error().field, "to");
  EXPECT_EQ(LocalDaysToUtcRange("Bad/Zone", "2026-03-01", "2026-03-01").error().field, "timezone");
}

TEST(Suggest, GivingTheActivitiesAwayGivesTheSameSuggestions) {
  // The first commit joins two suggestions (two issue keys): each gets the whole activity.
  const std::vector<domain::Activity> activities = {
      Commit("2026-03-10T09:10:00Z", {"PROJ-7", "PROJ-8"}, "Fix PROJ-7 and PROJ-8"),
      Commit("2026-03-10T09:40:00Z", {"PROJ-8"}, "More PROJ-8"),
      Commit("2026-03-10T10:00:00Z", {}, "Unassigned work"),
      Commit("2026-03-11T09:00:00Z", {"PROJ-7"}, "Next day"),
  };
  const auto copied = Suggest(kUser, "Europe/Berlin", activities).value();
  std::vector<domain::Activity> given = activities;
  const auto moved = Suggest(kUser, "Europe/Berlin", std::move(given)).value();
  ASSERT_EQ(moved.size(), copied.size());
  ASSERT_EQ(moved.size(), 4U);
  for (std::size_t i = 0; i < moved.size(); ++i) {
    EXPECT_EQ(moved[i].id, copied[i].id);
    EXPECT_EQ(moved[i].duration, copied[i].duration);
    EXPECT_EQ(moved[i].description, copied[i].description);
    EXPECT_EQ(moved[i].why, copied[i].why);
    ASSERT_EQ(moved[i].activities.size(), copied[i].activities.size());
    for (std::size_t k = 0; k < moved[i].activities.size(); ++k) {
      EXPECT_EQ(moved[i].activities[k].key, copied[i].activities[k].key);
      EXPECT_EQ(moved[i].activities[k].title, copied[i].activities[k].title);
      EXPECT_EQ(moved[i].activities[k].issue_keys, copied[i].activities[k].issue_keys);
    }
  }
  std::size_t with_first_commit = 0;
  for (const Suggestion& suggestion : moved) {
    for (const domain::Activity& activity : suggestion.activities) {
      if (activity.key == activities[0].key) {
        EXPECT_EQ(activity.title, "Fix PROJ-7 and PROJ-8");
        ++with_first_commit;
      }
    }
  }
  EXPECT_EQ(with_first_commit, 2U);
}

}  // namespace
}  // namespace worklog::feed
