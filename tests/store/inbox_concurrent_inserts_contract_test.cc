// The webhook inbox under concurrent acknowledgements: every delivery stored once, whoever
// stores it (PostgreSQL stores the deliveries arriving together as one group).
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::minutes;

class InboxConcurrentInserts : public StoreTest {};

WORKLOG_STORE_BACKENDS(InboxConcurrentInserts);

// Bytes a text format would mangle: NUL, invalid UTF-8, a backslash, quotes and commas of
// an array literal.
std::string BodyOf(int delivery) {
  std::string body = "{\"n\":" + std::to_string(delivery) + ",\"x\":\"a,b\\\\\"}";
  body.push_back('\0');
  body += "\xff\xfe{\"}";
  body.append(static_cast<std::size_t>(delivery % 7) * 300, 'z');
  return body;
}

TEST_P(InboxConcurrentInserts, EachDeliveryIsStoredOnceWithItsBodyWhenManyArriveAtOnce) {
  constexpr int kThreads = 32;
  constexpr int kPerThread = 20;
  constexpr int kDeliveries = 200;  // fewer than the calls: every delivery arrives ~3 times
  std::mutex mutex;
  std::map<std::string, int> stored;  // Guarded by mutex: kStored answers per delivery id
  std::vector<std::string> errors;    // Guarded by mutex.
  std::atomic<int> duplicates{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const int delivery = (t * 7 + i * 13) % kDeliveries;
          const std::string id = "uuid:" + std::to_string(delivery);
          auto result = store().Inbox().Insert(id, "Push Hook", BodyOf(delivery), clock_.Now());
          std::lock_guard lock(mutex);
          if (!result) {
            errors.push_back(result.error().message);
          } else if (*result == InboxInsertResult::kStored) {
            ++stored[id];
          } else {
            ++duplicates;
          }
        }
      });
    }
  }
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kDeliveries));
  for (const auto& [id, count] : stored) {
    EXPECT_EQ(count, 1) << id << " was answered \"stored\" " << count << " times";
  }
  EXPECT_EQ(duplicates.load(), kThreads * kPerThread - kDeliveries);
  EXPECT_EQ(store().Inbox().CountPending().value(), kDeliveries);

  auto claimed = store().Inbox().ClaimPending(1000, "w", clock_.Now() + minutes(1));
  ASSERT_TRUE(claimed) << claimed.error().message;
  ASSERT_EQ(claimed->size(), static_cast<std::size_t>(kDeliveries));
  std::set<std::string> seen;
  for (const auto& delivery : *claimed) {
    const int n = std::stoi(delivery.delivery_id.substr(5));
    EXPECT_EQ(delivery.body, BodyOf(n)) << delivery.delivery_id;
    EXPECT_EQ(delivery.event_name, "Push Hook");
    seen.insert(delivery.delivery_id);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kDeliveries));
}

TEST_P(InboxConcurrentInserts, ADeliveryTheDatabaseRefusesFailsAloneAndTheOthersAreStored) {
  if (GetParam() != Backend::kPostgres) {
    GTEST_SKIP() << "SQLite stores any bytes as a delivery id";
  }
  // PostgreSQL refuses text that is not UTF-8: that delivery fails, whatever group it is
  // stored with, and the deliveries beside it are stored.
  constexpr int kThreads = 16;
  constexpr int kRounds = 10;
  std::mutex mutex;
  int refused = 0;                  // Guarded by mutex.
  std::vector<std::string> errors;  // Guarded by mutex: the good deliveries' errors
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kRounds; ++i) {
          const bool bad = t == 0;
          const std::string id =
              bad ? "uuid:\xff\xfe-" + std::to_string(i) : "uuid:" + std::to_string(t * 100 + i);
          auto result = store().Inbox().Insert(id, "Push Hook", "{}", clock_.Now());
          std::lock_guard lock(mutex);
          if (bad) {
            refused += result ? 0 : 1;
          } else if (!result) {
            errors.push_back(result.error().message);
          }
        }
      });
    }
  }
  EXPECT_EQ(refused, kRounds);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(store().Inbox().CountPending().value(), (kThreads - 1) * kRounds);
}

}  // namespace
}  // namespace worklog::store::testing
