// FailureLimiter on a SQLite store; the counting itself is the store's contract
// (tests/store/accounts_contract_test.cc, SignInFailureContract, on both back-ends).
#include "app/rate_limiter.h"

#include <chrono>
#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "store/store.h"
#include "support/temp_dir.h"

namespace worklog::app {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class FailureLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    limiter_ = std::make_unique<FailureLimiter>(
        store_->Sessions(), clock_,
        store::SignInLimit{.max_failures = 5, .window = minutes(15), .lockout = minutes(5)});
  }

  void Fail(std::string_view key, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(limiter_->RecordFailure(key));
    }
  }
  std::optional<seconds> RetryAfter(std::string_view key) {
    auto wait = limiter_->RetryAfter(key);
    EXPECT_TRUE(wait) << wait.error().message;
    return wait.value_or(std::nullopt);
  }

  FakeClock clock_{TimePoint(std::chrono::hours(24 * 365 * 50))};
  worklog::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FailureLimiter> limiter_;
};

TEST_F(FailureLimiterTest, FourFailuresStillLetTheAccountTry) {
  Fail("account:a@example.com", 4);
  EXPECT_EQ(RetryAfter("account:a@example.com"), std::nullopt);
}

TEST_F(FailureLimiterTest, FifthFailureLocksTheKeyForTheLockoutCountedDown) {
  Fail("account:a@example.com", 5);
  EXPECT_EQ(RetryAfter("account:a@example.com"), seconds(300));
  clock_.Advance(seconds(299));
  EXPECT_EQ(RetryAfter("account:a@example.com"), seconds(1));
  clock_.Advance(seconds(1));
  EXPECT_EQ(RetryAfter("account:a@example.com"), std::nullopt);
}

TEST_F(FailureLimiterTest, RetryAfterRoundsUpPartialSeconds) {
  Fail("k", 5);
  clock_.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(RetryAfter("k"), seconds(299));  // 298.5 s left: waiting 298 would be too early
  clock_.Advance(std::chrono::milliseconds(298'400));
  EXPECT_EQ(RetryAfter("k"), seconds(1));  // 0.1 s left
}

TEST_F(FailureLimiterTest, ResetForgetsFailuresAfterASuccessfulSignIn) {
  Fail("k", 4);
  ASSERT_TRUE(limiter_->Reset("k"));
  Fail("k", 4);
  EXPECT_EQ(RetryAfter("k"), std::nullopt);
}

}  // namespace
}  // namespace worklog::app
