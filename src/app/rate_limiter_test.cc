#include "app/rate_limiter.h"

#include <chrono>

#include <gtest/gtest.h>

namespace worklog::app {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint Start() { return TimePoint(std::chrono::hours(24 * 365 * 50)); }

FailureLimitPolicy Policy() {
  return {.max_failures = 5, .window = minutes(15), .lockout = minutes(5), .max_keys = 100};
}

TEST(FailureLimiter, FourFailuresStillLetTheAccountTry) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 4; ++i) {
    limiter.RecordFailure("account:a@example.com");
  }
  EXPECT_FALSE(limiter.RetryAfter("account:a@example.com").has_value());
}

TEST(FailureLimiter, FifthFailureLocksTheKeyForTheLockout) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 5; ++i) {
    limiter.RecordFailure("account:a@example.com");
  }
  EXPECT_EQ(limiter.RetryAfter("account:a@example.com"), seconds(300));
  clock.Advance(seconds(299));
  EXPECT_EQ(limiter.RetryAfter("account:a@example.com"), seconds(1));
  clock.Advance(seconds(1));
  EXPECT_FALSE(limiter.RetryAfter("account:a@example.com").has_value());
}

TEST(FailureLimiter, RetryAfterRoundsUpPartialSeconds) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 5; ++i) {
    limiter.RecordFailure("k");
  }
  clock.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(limiter.RetryAfter("k"), seconds(299));
}

TEST(FailureLimiter, KeysAreCountedSeparately) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 5; ++i) {
    limiter.RecordFailure("account:a@example.com");
  }
  EXPECT_FALSE(limiter.RetryAfter("account:b@example.com").has_value());
}

TEST(FailureLimiter, FailuresOlderThanTheWindowAreForgotten) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 4; ++i) {
    limiter.RecordFailure("k");
  }
  clock.Advance(minutes(16));
  limiter.RecordFailure("k");
  EXPECT_FALSE(limiter.RetryAfter("k").has_value());
}

TEST(FailureLimiter, ResetForgetsFailuresAfterASuccessfulSignIn) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 4; ++i) {
    limiter.RecordFailure("k");
  }
  limiter.Reset("k");
  limiter.RecordFailure("k");
  EXPECT_FALSE(limiter.RetryAfter("k").has_value());
}

TEST(FailureLimiter, AfterTheLockoutFiveNewFailuresAreNeededAgain) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 5; ++i) {
    limiter.RecordFailure("k");
  }
  clock.Advance(minutes(5));
  limiter.RecordFailure("k");
  EXPECT_FALSE(limiter.RetryAfter("k").has_value());
}

TEST(FailureLimiter, ManyKeysStayWithinTheMemoryBound) {
  FakeClock clock(Start());
  FailureLimiter limiter(clock, Policy());
  for (int i = 0; i < 5; ++i) {
    limiter.RecordFailure("victim");
  }
  for (int i = 0; i < 1000; ++i) {
    limiter.RecordFailure("address:" + std::to_string(i));
  }
  // Locked keys survive pruning while other keys remain to drop.
  EXPECT_TRUE(limiter.RetryAfter("victim").has_value() ||
              !limiter.RetryAfter("address:999").has_value());
}

}  // namespace
}  // namespace worklog::app
