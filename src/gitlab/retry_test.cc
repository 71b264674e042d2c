#include "gitlab/retry.h"

#include <gtest/gtest.h>

namespace worklog::gitlab {
namespace {

using std::chrono::milliseconds;

// 2015-10-21T07:28:00Z
constexpr TimePoint kNow{std::chrono::seconds(1445412480)};

TEST(ParseRetryAfter, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", "", kNow), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", "", kNow), milliseconds(0));
}

TEST(ParseRetryAfter, HttpDateIsCountedFromNow) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:45 GMT", "", kNow), milliseconds(45'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", "", kNow), milliseconds(0));
}

TEST(ParseRetryAfter, RateLimitResetIsUsedWhenRetryAfterIsMissing) {
  EXPECT_EQ(ParseRetryAfter("", "1445412490", kNow), milliseconds(10'000));
}

TEST(ParseRetryAfter, NothingUsableGivesNothing) {
  EXPECT_EQ(ParseRetryAfter("", "", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", "later", kNow), std::nullopt);
}

TEST(Backoff, DoublesPerAttemptWithinJitterAndStopsAtTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(100);
  policy.max_backoff = milliseconds(1000);
  EXPECT_EQ(Backoff(policy, 1, 1.0), milliseconds(100));
  EXPECT_EQ(Backoff(policy, 1, 0.0), milliseconds(50));
  EXPECT_EQ(Backoff(policy, 2, 1.0), milliseconds(200));
  EXPECT_EQ(Backoff(policy, 3, 1.0), milliseconds(400));
  EXPECT_EQ(Backoff(policy, 5, 1.0), milliseconds(1000));
  EXPECT_EQ(Backoff(policy, 40, 0.0), milliseconds(500));
}

}  // namespace
}  // namespace worklog::gitlab
