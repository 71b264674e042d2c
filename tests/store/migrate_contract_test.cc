// Migrations and opening stores: the same contract on every back-end.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

class MigrateContract : public StoreTest {
 protected:
  MigrateContract() { migrate_in_setup_ = false; }
};
WORKLOG_STORE_BACKENDS(MigrateContract);

TEST_P(MigrateContract, UnmigratedDatabaseHasNoTables) {
  auto users = store().Users().Count();
  ASSERT_FALSE(users);
}

TEST_P(MigrateContract, MigrateTwiceIsANoOpThatKeepsData) {
  ASSERT_TRUE(store().Migrate());
  AddUser("ada@example.com");
  auto again = store().Migrate();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(store().Users().Count().value(), 1);

  auto reopened = OpenAnother();
  ASSERT_NE(reopened, nullptr);
  ASSERT_TRUE(reopened->Migrate());
  EXPECT_EQ(reopened->Users().Count().value(), 1);
}

TEST_P(MigrateContract, ConcurrentMigrateFromSeveralStoresIsSafe) {
  constexpr int kStores = 4;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kStores; ++i) {
    stores.push_back(OpenAnother());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::vector<Status> results(kStores);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kStores; ++i) {
      threads.emplace_back([&, i] {
        results[static_cast<std::size_t>(i)] = stores[static_cast<std::size_t>(i)]->Migrate();
      });
    }
  }
  for (const auto& result : results) {
    EXPECT_TRUE(result) << result.error().message;
  }
  // Every store sees one usable schema.
  for (auto& opened : stores) {
    EXPECT_EQ(opened->Users().Count().value(), 0);
  }
  ASSERT_TRUE(stores[0]->Users().Create({.email = "ada@example.com",
                                         .name = "Ada",
                                         .role = domain::Role::kUser,
                                         .timezone = "UTC",
                                         .password_hash = ""}));
  EXPECT_EQ(stores[kStores - 1]->Users().Count().value(), 1);
}

TEST_P(MigrateContract, BackendNamesItself) {
  EXPECT_EQ(store().Backend(), GetParam() == Backend::kSqlite ? "sqlite" : "postgresql");
}

}  // namespace
}  // namespace worklog::store::testing
