#include "domain/smart_commits.h"

#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 8 * kHour;
constexpr int64_t kWeek = 5 * kDay;

int64_t Seconds(std::string_view message, const TimeUnits& units = {}) {
  const auto time = ParseSmartCommitTime(message, units);
  return time ? time->seconds : -1;
}

TEST(JiraSmartCommit, LogsWeeksDaysHoursAndMinutesWithTheComment) {
  const auto time = ParseSmartCommitTime("PROJ-7 #time 1w 2d 4h 30m Total work logged");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->seconds, kWeek + 2 * kDay + 4 * kHour + 30 * kMinute);
  EXPECT_EQ(time->comment, "Total work logged");
}

TEST(JiraSmartCommit, WorkingDayAndWeekLengthsAreConfigurable) {
  EXPECT_EQ(Seconds("PROJ-7 #time 1w 1d", {.hours_per_day = 6, .days_per_week = 4}),
            6 * kHour * 4 + 6 * kHour);
}

TEST(JiraSmartCommit, UnitsInAnyOrderAndTheKeyAnywhereInTheMessage) {
  EXPECT_EQ(Seconds("Fix login #time 30m 1h\n\nRefs PROJ-7"), 90 * kMinute);
}

TEST(JiraSmartCommit, CommentStopsAtTheNextCommand) {
  const auto time = ParseSmartCommitTime("JRA-123 #time 2d 5h Tests #comment done #resolve");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->seconds, 2 * kDay + 5 * kHour);
  EXPECT_EQ(time->comment, "Tests");
}

TEST(JiraSmartCommit, CommentIsEmptyWithoutOne) {
  const auto time = ParseSmartCommitTime("PROJ-7 #time 15m\nmore text on the next line");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->seconds, 15 * kMinute);
  EXPECT_EQ(time->comment, "");
}

TEST(JiraSmartCommit, CommandIsCaseInsensitive) { EXPECT_EQ(Seconds("PROJ-7 #TIME 1h"), kHour); }

TEST(JiraSmartCommit, UnparsableAmountsAreIgnoredNotGuessed) {
  EXPECT_EQ(Seconds("PROJ-7 #time 1.5h"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 2 h"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 1h 30x fixed"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 1mo"), -1);  // Jira has no months
  EXPECT_EQ(Seconds("PROJ-7 #time soon"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 0h"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 9999999h"), -1);
}

TEST(JiraSmartCommit, NeedsAnIssueKeyAndAStandaloneCommand) {
  EXPECT_EQ(Seconds("Fix login #time 1h"), -1);
  EXPECT_EQ(Seconds("proj-7 #time 1h"), -1);
  EXPECT_EQ(Seconds("PROJ-7 x#time 1h"), -1);
  EXPECT_EQ(Seconds("PROJ-7 #timer 1h"), -1);
}

TEST(JiraSmartCommit, FirstValidCommandCounts) {
  EXPECT_EQ(Seconds("PROJ-7 #time later\nPROJ-7 #time 2h\nPROJ-8 #time 3h"), 2 * kHour);
}

TEST(GitlabTimeMarker, LogsHoursAndMinutes) {
  const auto time = ParseSmartCommitTime("Fix login #123 @1h30m");
  ASSERT_TRUE(time.has_value());
  EXPECT_EQ(time->seconds, 90 * kMinute);
  EXPECT_EQ(time->comment, "");
}

TEST(GitlabTimeMarker, MonthIsFourWorkingWeeks) {
  EXPECT_EQ(Seconds("Fix #1 @1mo"), 4 * kWeek);  // 160 h, GitLab's days_per_month: 20
  EXPECT_EQ(Seconds("Fix #1 @2mo1d"), 8 * kWeek + kDay);
  EXPECT_EQ(Seconds("Fix #1 @1mo", {.hours_per_day = 7, .days_per_week = 4}), 7 * kHour * 4 * 4);
}

TEST(GitlabTimeMarker, AllUnitsAddUp) {
  EXPECT_EQ(Seconds("Fix #1 @1w2d3h4m5s"), kWeek + 2 * kDay + 3 * kHour + 4 * kMinute + 5);
  EXPECT_EQ(Seconds("Fix #1 @30m"), 30 * kMinute);
}

TEST(GitlabTimeMarker, NeedsAnIssueReference) {
  EXPECT_EQ(Seconds("Working on something @1h30m"), -1);
  EXPECT_EQ(Seconds("Fix !4 @1h"), -1);  // a merge request is not an issue
  EXPECT_EQ(Seconds("Fix group/project#4 @1h"), kHour);
}

TEST(GitlabTimeMarker, IgnoresMentionsAddressesAndSpaces) {
  EXPECT_EQ(Seconds("Fix #1 thanks @alice"), -1);
  EXPECT_EQ(Seconds("Fix #1 mail me at bob@1h.example"), -1);
  EXPECT_EQ(Seconds("Fix #1 @2hosts"), -1);
  EXPECT_EQ(Seconds("Fix #1 @1h 30m"), kHour);  // the marker ends at the space
  EXPECT_EQ(Seconds("Fix #1 @1x"), -1);
  EXPECT_EQ(Seconds("Fix #1 @"), -1);
}

TEST(GitlabTimeMarker, FirstNonZeroMarkerCounts) {
  EXPECT_EQ(Seconds("Fix #1 @0h then @2h30m and also @1d"), 150 * kMinute);
}

TEST(SmartCommitTime, JiraWinsOverGitlabMarker) {
  EXPECT_EQ(Seconds("PROJ-7 #12 #time 2h @1h"), 2 * kHour);
  EXPECT_EQ(Seconds("PROJ-7 #12 #time 2x @1h"), kHour);  // bad Jira amount: GitLab's marker
}

TEST(SmartCommitTime, NothingWithoutATimeOrWithNonsenseUnits) {
  EXPECT_EQ(Seconds("PROJ-7 fix the login"), -1);
  EXPECT_EQ(Seconds(""), -1);
  EXPECT_EQ(Seconds("PROJ-7 #time 1h", {.hours_per_day = 0}), -1);
}

TEST(SmartCommitDedupeKey, SameAuthorTitleAndTimeIsTheSameCommitWhateverItsMessageBody) {
  const TimePoint at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} +
                       std::chrono::hours(9) + std::chrono::milliseconds(250);
  const std::string key = SmartCommitDedupeKey("Dev@Example.com", "PROJ-7 #time 1h Fix", at);
  EXPECT_TRUE(key.starts_with("smart_commit:")) << key;
  EXPECT_EQ(key.size(), std::string("smart_commit:").size() + 32);
  // Rebased or amended: same author, title and authored second; the body may change.
  EXPECT_EQ(SmartCommitDedupeKey("dev@example.com", " PROJ-7 #time 1h Fix\nmore words", at), key);
  EXPECT_EQ(SmartCommitDedupeKey("dev@example.com", "PROJ-7 #time 1h Fix",
                                 at + std::chrono::milliseconds(500)),
            key);
}

TEST(SmartCommitDedupeKey, AnotherAuthorTitleOrSecondIsAnotherCommit) {
  const TimePoint at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
  const std::string key = SmartCommitDedupeKey("dev@example.com", "PROJ-7 #time 1h", at);
  EXPECT_NE(SmartCommitDedupeKey("eve@example.com", "PROJ-7 #time 1h", at), key);
  EXPECT_NE(SmartCommitDedupeKey("dev@example.com", "PROJ-7 #time 2h", at), key);
  EXPECT_NE(
      SmartCommitDedupeKey("dev@example.com", "PROJ-7 #time 1h", at + std::chrono::seconds(1)),
      key);
}

}  // namespace
}  // namespace worklog::domain
