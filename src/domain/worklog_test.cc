#include "domain/worklog.h"

#include <chrono>
#include <string>

#include <date/date.h>
#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TimePoint Utc(int y, unsigned m, unsigned d, int hh, int mm) {
  return date::sys_days{date::year_month_day{date::year{y}, date::month{m}, date::day{d}}} +
         hours{hh} + minutes{mm};
}

TEST(ValidateIssueKey, AcceptsJiraStyleKeys) {
  for (const char* key : {"PROJ-7", "AB-1", "A1_B-123456", "X9-0"}) {
    EXPECT_TRUE(ValidateIssueKey("issue_key", key)) << key;
  }
}

TEST(ValidateIssueKey, RejectsOtherTextNamingTheField) {
  for (const char* bad : {"", "proj-7", "P-7", "PROJ-", "-7", "PROJ7", "1PROJ-7", "PROJ-7a",
                          "PR OJ-7", "PROJ-7 ", "#123"}) {
    const auto result = ValidateIssueKey("issue_key", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().field, "issue_key");
  }
}

TEST(ValidateDurationSeconds, AcceptsOneSecondToOneDay) {
  EXPECT_EQ(ValidateDurationSeconds("duration_seconds", 1).value(), 1);
  EXPECT_EQ(ValidateDurationSeconds("duration_seconds", 86400).value(), 86400);
  for (const int64_t bad : {int64_t{0}, int64_t{-60}, int64_t{86401}}) {
    const auto result = ValidateDurationSeconds("duration_seconds", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().field, "duration_seconds");
  }
}

TEST(ValidateDate, AcceptsRealCalendarDatesOnly) {
  EXPECT_EQ(ValidateDate("start_date", "2026-11-24").value(), "2026-11-24");
  EXPECT_TRUE(ValidateDate("start_date", "2024-02-29"));  // leap year
  for (const char* bad : {"2025-02-29", "2026-13-01", "2026-04-31", "2026-00-10", "2026-1-5",
                          "26-11-24", "2026/11/24", "2026-11-24T10:00", "", "0000-01-01"}) {
    const auto result = ValidateDate("start_date", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().field, "start_date");
  }
}

TEST(ValidateTimeOfDay, AddsSecondsWhenMissing) {
  EXPECT_EQ(ValidateTimeOfDay("start_time", "09:30").value(), "09:30:00");
  EXPECT_EQ(ValidateTimeOfDay("start_time", "23:59:59").value(), "23:59:59");
  for (const char* bad : {"24:00", "9:30", "09:60", "09:30:60", "09-30", "", "09:30:0"}) {
    const auto result = ValidateTimeOfDay("start_time", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().field, "start_time");
  }
}

TEST(ValidateDescription, CapsLengthInCharacters) {
  EXPECT_TRUE(ValidateDescription("description", ""));
  EXPECT_TRUE(ValidateDescription("description", std::string(5000, 'x')));
  const auto too_long = ValidateDescription("description", std::string(5001, 'x'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().field, "description");
  const auto not_utf8 = ValidateDescription("description", "caf\xc3");
  ASSERT_FALSE(not_utf8);
  EXPECT_EQ(not_utf8.error().field, "description");
}

TEST(Origin, RoundTripsItsNames) {
  for (const auto origin : {WorklogOrigin::kManual, WorklogOrigin::kActivityFeed,
                            WorklogOrigin::kSmartCommit, WorklogOrigin::kAutomation}) {
    EXPECT_EQ(ParseOrigin("origin", OriginName(origin)).value(), origin);
  }
  EXPECT_EQ(ParseOrigin("origin", "jira").error().field, "origin");
}

TEST(LocalToUtc, UsesTheZoneOffsetOfThatDay) {
  EXPECT_EQ(LocalToUtc("2026-01-15", "09:30:00", "Europe/Oslo").value(), Utc(2026, 1, 15, 8, 30));
  EXPECT_EQ(LocalToUtc("2026-07-15", "09:30", "Europe/Oslo").value(), Utc(2026, 7, 15, 7, 30));
  EXPECT_EQ(LocalToUtc("2026-07-15", "09:30", "UTC").value(), Utc(2026, 7, 15, 9, 30));
  EXPECT_EQ(LocalToUtc("2026-07-15", "20:00", "America/New_York").value(), Utc(2026, 7, 16, 0, 0));
}

TEST(LocalToUtc, RepeatedHourAtDstEndTakesTheEarlierInstant) {
  // Oslo leaves summer time on 2026-10-25 at 03:00 CEST, so 02:30 happens twice.
  EXPECT_EQ(LocalToUtc("2026-10-25", "02:30", "Europe/Oslo").value(), Utc(2026, 10, 25, 0, 30));
}

TEST(LocalToUtc, SkippedHourAtDstStartIsShiftedForward) {
  // Oslo jumps from 02:00 to 03:00 on 2026-03-29: 02:30 is read as 03:30 CEST.
  EXPECT_EQ(LocalToUtc("2026-03-29", "02:30", "Europe/Oslo").value(), Utc(2026, 3, 29, 1, 30));
}

TEST(LocalToUtc, NamesTheWrongField) {
  EXPECT_EQ(LocalToUtc("2026-02-30", "09:00", "UTC").error().field, "start_date");
  EXPECT_EQ(LocalToUtc("2026-02-03", "25:00", "UTC").error().field, "start_time");
  EXPECT_EQ(LocalToUtc("2026-02-03", "09:00", "Nowhere/City").error().field, "timezone");
}

}  // namespace
}  // namespace worklog::domain
