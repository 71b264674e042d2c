// PostgreSQL-only behaviour: the pool survives connections the server dropped, and serves
// people before background work.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "store/background_writes.h"
#include "store/postgres/pg_db.h"
#include "store/store.h"
#include "support/pg_database.h"

namespace worklog::store {
namespace {

TEST(PostgresPool, RecoversAfterTheServerDropsItsConnections) {
  auto database = worklog::testing::PgTestDatabase::Create();
  ASSERT_TRUE(database) << database.error().message;
  SystemClock clock;
  auto store = OpenStore((*database)->url(), clock);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->Migrate());
  ASSERT_EQ((*store)->Users().Count().value(), 0);

  // What a server restart or an administrator's pg_terminate_backend does to idle
  // connections in the pool; wait until they are really gone.
  const std::string name = (*database)->name();
  ASSERT_TRUE((*database)->AdminExec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'"));
  auto remaining = (*database)->AdminQueryIntUntil(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + name + "'", 0);
  ASSERT_TRUE(remaining) << remaining.error().message;

  auto count = (*store)->Users().Count();
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 0);
  auto created = (*store)->Users().Create({.email = "ada@example.com",
                                           .name = "Ada",
                                           .role = domain::Role::kUser,
                                           .timezone = "UTC",
                                           .password_hash = ""});
  EXPECT_TRUE(created) << created.error().message;
}

// Both connections are taken; a GitLab worker asks for one, then a person's request does.
// The first connection given back goes to the person: background work waits while anyone
// else waits (and holds at most half of the pool).
TEST(PostgresPool, AWaitingRequestGetsAConnectionBeforeWaitingBackgroundWork) {
  auto database = worklog::testing::PgTestDatabase::Create();
  ASSERT_TRUE(database) << database.error().message;
  postgres::Pool pool((*database)->url(), 2);
  auto first = std::make_unique<Result<postgres::Pool::Lease>>(pool.Acquire());
  auto second = std::make_unique<Result<postgres::Pool::Lease>>(pool.Acquire());
  ASSERT_TRUE(*first) << (*first).error().message;
  ASSERT_TRUE(*second) << (*second).error().message;
  std::mutex order_mutex;
  std::vector<std::string> order;
  const auto take = [&](const std::string& who) {
    auto lease = pool.Acquire();
    EXPECT_TRUE(lease) << lease.error().message;
    std::lock_guard lock(order_mutex);
    order.push_back(who);
  };
  std::thread worker([&] {
    const BackgroundWrites background;
    take("worker");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the worker waits first
  std::thread person([&] { take("person"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  first.reset();
  person.join();
  second.reset();
  worker.join();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0], "person");
}

// Webhook deliveries queued for the next group commit (InboxInsertGroups) wait for the
// database outside the pool: a GitLab worker asking for a connection, though one is free,
// gets it only once they are on their way.
TEST(PostgresPool, BackgroundWorkWaitsForDeliveriesQueuedForTheirGroup) {
  auto database = worklog::testing::PgTestDatabase::Create();
  ASSERT_TRUE(database) << database.error().message;
  postgres::Pool pool((*database)->url(), 4);
  pool.AddWaiting(3);
  std::mutex mutex;
  bool worker_has_one = false;  // Guarded by mutex.
  std::thread worker([&] {
    const BackgroundWrites background;
    auto lease = pool.Acquire();
    EXPECT_TRUE(lease) << lease.error().message;
    std::lock_guard lock(mutex);
    worker_has_one = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    auto person = pool.Acquire();  // people are not held back
    ASSERT_TRUE(person) << person.error().message;
  }
  pool.AddWaiting(-2);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(worker_has_one) << "the worker went before a queued delivery";
  }
  pool.AddWaiting(-1);
  worker.join();
  EXPECT_TRUE(worker_has_one);
}

}  // namespace
}  // namespace worklog::store
