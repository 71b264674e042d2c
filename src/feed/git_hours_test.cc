#include "feed/git_hours.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace worklog::feed {
namespace {

constexpr int64_t kStart = 1'700'000'000;  // Unix seconds
constexpr int64_t kMinute = 60;

std::vector<int64_t> Every(int64_t minutes, int count) {
  std::vector<int64_t> times;
  times.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    times.push_back(kStart + i * minutes * kMinute);
  }
  return times;
}

TEST(GitHoursForTimes, OneCommitScoresZero) {
  EXPECT_EQ(GitHoursForTimes({kStart}), 0);
  EXPECT_EQ(GitHoursForTimes({}), 0);
}

TEST(GitHoursForTimes, TheVeryFirstCommitAddsNothing) {
  EXPECT_EQ(GitHoursForTimes({kStart, kStart + 60 * kMinute}), 1);
}

TEST(GitHoursForTimes, GapOfExactlyMaxStartsANewSessionWorthTheAddition) {
  // Strict "<": 120 minutes is a new session and adds 120 minutes, 119 adds 119.
  EXPECT_EQ(
      GitHoursForTimes({kStart, kStart + 120 * kMinute}, {.first_commit_addition_minutes = 60}), 1);
  EXPECT_EQ(
      GitHoursForTimes({kStart, kStart + 119 * kMinute}, {.first_commit_addition_minutes = 60}), 2);
  EXPECT_EQ(GitHoursForTimes({kStart, kStart + 600 * kMinute, kStart + 630 * kMinute}), 3);
}

TEST(GitHoursForTimes, RoundsLikeJavaScriptIncludingFloatingPointDrift) {
  EXPECT_EQ(GitHoursForTimes(Every(30, 2)), 1);  // 0.5 -> 1
  EXPECT_EQ(GitHoursForTimes(Every(10, 4)), 1);  // 3 x 10/60 is exactly 0.5 in doubles
  EXPECT_EQ(GitHoursForTimes(Every(1, 31)), 0);  // 30 x 1/60 = 0.49999999999999994 -> 0
  EXPECT_EQ(GitHoursForTimes(Every(2, 16)), 0);  // 15 x 2/60 as well
  EXPECT_EQ(GitHoursForTimes(Every(1, 91)), 1);  // 1.4999999999999996
}

TEST(GitHoursForTimes, OrderOfInputDoesNotMatter) {
  EXPECT_EQ(GitHoursForTimes({kStart + 90 * kMinute, kStart, kStart + 30 * kMinute}), 2);
}

TEST(EstimateGitHours, GroupsByExactEmailAndSumsRoundedAuthorHours) {
  const std::vector<GitHoursCommit> commits{
      {"a@example.com", "Ann (newest)", kStart + 30 * kMinute},
      {"A@example.com", "Ann upper", kStart + 45 * kMinute},
      {"a@example.com", "Ann", kStart},
      {"", "Nobody", kStart},
      {"b@example.com", "Bob", kStart + 10 * kMinute},
      {"b@example.com", "Bob", kStart + 40 * kMinute},
  };
  const GitHoursReport report = EstimateGitHours(commits);
  ASSERT_EQ(report.authors.size(), 4U);
  // Sorted by hours; ties in order of first appearance.
  EXPECT_EQ(report.authors[0].email, "A@example.com");
  EXPECT_EQ(report.authors[0].hours, 0);
  EXPECT_EQ(report.authors[1].email, "unknown");
  EXPECT_EQ(report.authors[1].name, "Nobody");
  EXPECT_EQ(report.authors[2].email, "a@example.com");
  EXPECT_EQ(report.authors[2].name, "Ann (newest)");
  EXPECT_EQ(report.authors[2].hours, 1);  // 0.5 rounds up
  EXPECT_EQ(report.authors[2].commits, 2);
  EXPECT_EQ(report.authors[3].email, "b@example.com");
  EXPECT_EQ(report.authors[3].hours, 1);
  EXPECT_EQ(report.total_hours, 2);  // 1 + 1, not round(0.5 + 0.5)
  EXPECT_EQ(report.total_commits, 6);
}

TEST(EstimateGitHours, CommitsOnTwoBranchesCountTwiceButAddNoHours) {
  const std::vector<GitHoursCommit> once{{"a@x", "A", kStart}, {"a@x", "A", kStart + 3600}};
  std::vector<GitHoursCommit> twice = once;
  twice.insert(twice.end(), once.begin(), once.end());
  EXPECT_EQ(EstimateGitHours(twice).authors[0].hours, EstimateGitHours(once).authors[0].hours);
  EXPECT_EQ(EstimateGitHours(twice).authors[0].commits, 4);
}

}  // namespace
}  // namespace worklog::feed
