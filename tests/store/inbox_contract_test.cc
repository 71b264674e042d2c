// The webhook inbox: durable, deduplicated, leased to one worker at a time.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class InboxContract : public StoreTest {
 protected:
  void Deliver(const std::string& delivery_id,
               const std::string& body = R"({"object_kind":"push"})") {
    auto stored = store().Inbox().Insert(delivery_id, "Push Hook", body, clock_.Now());
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_EQ(*stored, InboxInsertResult::kStored);
  }

  std::vector<std::string> Claim(int limit, const std::string& worker, minutes lease = minutes(5)) {
    auto claimed = store().Inbox().ClaimPending(limit, worker, clock_.Now() + lease);
    EXPECT_TRUE(claimed) << claimed.error().message;
    std::vector<std::string> ids;
    for (const auto& delivery : claimed.value_or(std::vector<InboxDelivery>{})) {
      ids.push_back(delivery.delivery_id);
    }
    return ids;
  }
};
WORKLOG_STORE_BACKENDS(InboxContract);

TEST_P(InboxContract, SameDeliveryTwiceIsStoredOnce) {
  Deliver("uuid-1");
  auto again = store().Inbox().Insert("uuid-1", "Push Hook", "{}", clock_.Now());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, InboxInsertResult::kDuplicate);
  EXPECT_EQ(store().Inbox().CountPending().value(), 1);
}

TEST_P(InboxContract, RedeliveryAfterProcessingIsStillADuplicate) {
  Deliver("uuid-1");
  auto claimed = store().Inbox().ClaimPending(1, "w", clock_.Now() + minutes(1)).value();
  ASSERT_TRUE(store().Inbox().MarkDone(claimed.at(0).id));
  EXPECT_EQ(store().Inbox().Insert("uuid-1", "Push Hook", "{}", clock_.Now()).value(),
            InboxInsertResult::kDuplicate);
  EXPECT_EQ(store().Inbox().CountPending().value(), 0);
}

TEST_P(InboxContract, BodyComesBackByteForByte) {
  const std::string body = std::string("{\"a\":\"\xff\xfe not utf-8\",\"nul\":\"") +
                           std::string(1, '\0') + "\"}" + std::string(100000, 'x');
  Deliver("uuid-bytes", body);
  auto claimed = store().Inbox().ClaimPending(1, "w", clock_.Now() + minutes(1));
  ASSERT_TRUE(claimed) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 1U);
  const InboxDelivery& delivery = claimed->front();
  EXPECT_EQ(delivery.body, body);
  EXPECT_EQ(delivery.event_name, "Push Hook");
  EXPECT_EQ(delivery.received_at, clock_.Now());
  EXPECT_EQ(delivery.attempts, 1);
}

TEST_P(InboxContract, ClaimTakesOldestFirstUpToTheLimit) {
  for (const char* id : {"d1", "d2", "d3"}) {
    Deliver(id);
  }
  EXPECT_THAT(Claim(2, "w1"), ElementsAre("d1", "d2"));
  EXPECT_THAT(Claim(2, "w2"), ElementsAre("d3"));
  EXPECT_THAT(Claim(2, "w3"), IsEmpty());
}

TEST_P(InboxContract, ExpiredLeaseMakesADeliveryClaimableAgain) {
  Deliver("d1");
  EXPECT_THAT(Claim(10, "crashed-worker", minutes(5)), ElementsAre("d1"));
  clock_.Advance(minutes(4));
  EXPECT_THAT(Claim(10, "other"), IsEmpty());
  clock_.Advance(minutes(1));
  auto again = store().Inbox().ClaimPending(10, "other", clock_.Now() + minutes(5));
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1U);
  EXPECT_EQ(again->front().attempts, 2);
}

TEST_P(InboxContract, DoneAndFailedDeliveriesAreNotClaimedAgain) {
  Deliver("ok");
  Deliver("bad");
  auto claimed = store().Inbox().ClaimPending(10, "w", clock_.Now() + minutes(1)).value();
  ASSERT_EQ(claimed.size(), 2U);
  ASSERT_TRUE(store().Inbox().MarkDone(claimed[0].id));
  ASSERT_TRUE(store().Inbox().MarkFailed(claimed[1].id, "payload is not JSON at byte 3"));
  clock_.Advance(minutes(10));
  EXPECT_THAT(Claim(10, "w"), IsEmpty());
  EXPECT_EQ(store().Inbox().GetStatus(claimed[0].id).value(), InboxStatus::kDone);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[1].id).value(), InboxStatus::kFailed);
  EXPECT_EQ(store().Inbox().CountPending().value(), 0);
}

TEST_P(InboxContract, MarkingAMissingDeliveryIsNotFound) {
  EXPECT_EQ(store().Inbox().MarkDone(999).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Inbox().MarkFailed(999, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Inbox().GetStatus(999).error().code, ErrorCode::kNotFound);
}

TEST_P(InboxContract, ABatchIsMarkedDoneTogetherOrNotAtAll) {
  Deliver("a");
  Deliver("b");
  Deliver("c");
  auto claimed = store().Inbox().ClaimPending(10, "w", clock_.Now() + minutes(1)).value();
  ASSERT_EQ(claimed.size(), 3U);
  // One id of the batch does not exist: nothing is marked.
  EXPECT_EQ(store().Inbox().MarkAllDone({claimed[0].id, 999}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[0].id).value(), InboxStatus::kPending);
  ASSERT_TRUE(store().Inbox().MarkAllDone({claimed[0].id, claimed[2].id}));
  ASSERT_TRUE(store().Inbox().MarkAllDone({}));
  EXPECT_EQ(store().Inbox().GetStatus(claimed[0].id).value(), InboxStatus::kDone);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[1].id).value(), InboxStatus::kPending);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[2].id).value(), InboxStatus::kDone);
  clock_.Advance(minutes(10));
  EXPECT_THAT(Claim(10, "w"), ElementsAre("b"));
}

TEST_P(InboxContract, RetentionRemovesOnlyOldDoneDeliveriesOldestFirstInBoundedBatches) {
  for (const char* id : {"done-1", "done-2", "done-3", "failed", "pending"}) {
    Deliver(id);
  }
  auto claimed = store().Inbox().ClaimPending(4, "w", clock_.Now() + minutes(1)).value();
  ASSERT_EQ(claimed.size(), 4U);
  ASSERT_TRUE(store().Inbox().MarkAllDone({claimed[0].id, claimed[1].id, claimed[2].id}));
  ASSERT_TRUE(store().Inbox().MarkFailed(claimed[3].id, "unparsable"));
  clock_.Advance(std::chrono::hours(24 * 8));
  Deliver("new-done");
  auto fresh = store().Inbox().ClaimPending(10, "w", clock_.Now() + minutes(1)).value();
  ASSERT_EQ(fresh.size(), 2U);  // "pending" (its lease ran out) and "new-done"
  ASSERT_TRUE(store().Inbox().MarkDone(fresh[1].id));

  const TimePoint week_ago = clock_.Now() - std::chrono::hours(24 * 7);
  EXPECT_EQ(store().Inbox().DeleteDoneBefore(week_ago, 2).value(), 2);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[0].id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[1].id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Inbox().GetStatus(claimed[2].id).value(), InboxStatus::kDone);
  EXPECT_EQ(store().Inbox().DeleteDoneBefore(week_ago, 2).value(), 1);
  EXPECT_EQ(store().Inbox().DeleteDoneBefore(week_ago, 2).value(), 0);
  // Kept: the failed one for the operator, the pending one, the recent done one.
  EXPECT_EQ(store().Inbox().GetStatus(claimed[3].id).value(), InboxStatus::kFailed);
  EXPECT_EQ(store().Inbox().GetStatus(fresh[0].id).value(), InboxStatus::kPending);
  EXPECT_EQ(store().Inbox().GetStatus(fresh[1].id).value(), InboxStatus::kDone);
  // A removed delivery's id is forgotten: GitLab resending it is stored again (and its
  // activities' keys keep them from being stored twice).
  EXPECT_EQ(store().Inbox().Insert("done-1", "Push Hook", "{}", clock_.Now()).value(),
            InboxInsertResult::kStored);
  EXPECT_EQ(store().Inbox().Insert("new-done", "Push Hook", "{}", clock_.Now()).value(),
            InboxInsertResult::kDuplicate);
}

TEST_P(InboxContract, ConcurrentClaimersNeverGetTheSameDelivery) {
  constexpr int kDeliveries = 60;
  for (int i = 0; i < kDeliveries; ++i) {
    Deliver("d" + std::to_string(i));
  }
  // Two "nodes" with two workers each.
  auto other_node = OpenAnother();
  ASSERT_NE(other_node, nullptr);
  std::mutex mutex;
  std::map<std::string, int> claims;  // Guarded by mutex.
  std::vector<std::string> errors;    // Guarded by mutex.
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < 4; ++w) {
      auto& node = w % 2 == 0 ? store() : *other_node;
      workers.emplace_back([&, w] {
        while (true) {
          auto claimed = node.Inbox().ClaimPending(3, "worker-" + std::to_string(w),
                                                   clock_.Now() + minutes(5));
          std::lock_guard lock(mutex);
          if (!claimed) {
            errors.push_back(claimed.error().message);
            return;
          }
          if (claimed->empty()) {
            return;
          }
          for (const auto& delivery : *claimed) {
            ++claims[delivery.delivery_id];
          }
        }
      });
    }
  }
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kDeliveries));
  for (const auto& [id, count] : claims) {
    EXPECT_EQ(count, 1) << id << " was claimed " << count << " times";
  }
}

}  // namespace
}  // namespace worklog::store::testing
