// PostgreSQL-only behaviour: the pool survives connections the server dropped.
#include <gtest/gtest.h>

#include "common/clock.h"
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

}  // namespace
}  // namespace worklog::store
