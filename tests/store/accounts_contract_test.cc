// Users, sessions and API tokens: the same contract on every back-end.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::Field;

class UserContract : public StoreTest {};
class SessionContract : public StoreTest {};
WORKLOG_STORE_BACKENDS(UserContract);
WORKLOG_STORE_BACKENDS(SessionContract);

TEST_P(UserContract, CreatedUserCanBeReadBackByIdAndEmail) {
  auto created = store().Users().Create({.email = "ada@example.com",
                                         .name = "Ada Lovelace",
                                         .role = domain::Role::kAdmin,
                                         .timezone = "Europe/London",
                                         .password_hash = "$argon2id$stub"});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->created_at, clock_.Now());
  EXPECT_FALSE(created->auto_log_day_end);

  auto by_id = store().Users().Get(created->id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(by_id->email, "ada@example.com");
  EXPECT_EQ(by_id->name, "Ada Lovelace");
  EXPECT_EQ(by_id->role, domain::Role::kAdmin);
  EXPECT_EQ(by_id->timezone, "Europe/London");
  EXPECT_EQ(by_id->password_hash, "$argon2id$stub");

  auto by_email = store().Users().GetByEmail("ada@example.com");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->id, created->id);
}

TEST_P(UserContract, SecondUserWithTheSameEmailIsAConflictOnEmail) {
  AddUser("ada@example.com");
  auto again = store().Users().Create({.email = "ada@example.com",
                                       .name = "Another Ada",
                                       .role = domain::Role::kUser,
                                       .timezone = "UTC",
                                       .password_hash = ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "email");
  EXPECT_EQ(store().Users().Count().value(), 1);
}

TEST_P(UserContract, MissingUserIsNotFound) {
  EXPECT_EQ(store().Users().Get(4242).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Users().GetByEmail("nobody@example.com").error().code, ErrorCode::kNotFound);
}

TEST_P(UserContract, ListIsOrderedByIdAndCountMatches) {
  EXPECT_EQ(store().Users().Count().value(), 0);
  const auto a = AddUser("a@example.com");
  const auto b = AddUser("b@example.com");
  const auto c = AddUser("c@example.com");
  auto users = store().Users().List();
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_THAT(*users, ElementsAre(Field(&domain::User::id, a.id), Field(&domain::User::id, b.id),
                                  Field(&domain::User::id, c.id)));
  EXPECT_EQ(store().Users().Count().value(), 3);
}

TEST_P(UserContract, UpdateReplacesTheEditableFields) {
  auto user = AddUser("ada@example.com");
  user.name = "Ada King";
  user.role = domain::Role::kAdmin;
  user.timezone = "America/New_York";
  user.password_hash = "$argon2id$new";
  user.auto_log_day_end = true;
  ASSERT_TRUE(store().Users().Update(user));

  auto read = store().Users().Get(user.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->name, "Ada King");
  EXPECT_EQ(read->role, domain::Role::kAdmin);
  EXPECT_EQ(read->timezone, "America/New_York");
  EXPECT_EQ(read->password_hash, "$argon2id$new");
  EXPECT_TRUE(read->auto_log_day_end);
  EXPECT_EQ(read->email, "ada@example.com");
}

TEST_P(UserContract, UpdatingAMissingUserIsNotFound) {
  domain::User ghost;
  ghost.id = 999;
  ghost.name = "Ghost";
  EXPECT_EQ(store().Users().Update(ghost).error().code, ErrorCode::kNotFound);
}

TEST_P(SessionContract, SessionIsFoundWithItsUserUntilItExpires) {
  AddUser("someone-else@example.com");
  const auto user = AddUser("ada@example.com", domain::Role::kAdmin);
  const Session session{.id_hash = "hash-1",
                        .user_id = user.id,
                        .csrf_token = "csrf-1",
                        .created_at = clock_.Now(),
                        .expires_at = clock_.Now() + hours(8)};
  ASSERT_TRUE(store().Sessions().Create(session));

  auto found = store().Sessions().Get("hash-1", clock_.Now() + hours(7));
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->session.id_hash, "hash-1");
  EXPECT_EQ(found->session.user_id, user.id);
  EXPECT_EQ(found->session.csrf_token, "csrf-1");
  EXPECT_EQ(found->session.created_at, session.created_at);
  EXPECT_EQ(found->session.expires_at, session.expires_at);
  // The request runs as the session's owner, read in the same query.
  EXPECT_EQ(found->user.id, user.id);
  EXPECT_EQ(found->user.email, "ada@example.com");
  EXPECT_EQ(found->user.role, domain::Role::kAdmin);
  EXPECT_EQ(found->user.timezone, user.timezone);
  EXPECT_EQ(found->user.password_hash, user.password_hash);
  EXPECT_EQ(found->user.created_at, user.created_at);

  EXPECT_EQ(store().Sessions().Get("hash-1", session.expires_at).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store().Sessions().Get("other", clock_.Now()).error().code, ErrorCode::kNotFound);
}

TEST_P(SessionContract, SignOutDeletesTheSession) {
  const auto user = AddUser("ada@example.com");
  ASSERT_TRUE(store().Sessions().Create({.id_hash = "hash-1",
                                         .user_id = user.id,
                                         .csrf_token = "csrf",
                                         .created_at = clock_.Now(),
                                         .expires_at = clock_.Now() + hours(1)}));
  ASSERT_TRUE(store().Sessions().Delete("hash-1"));
  EXPECT_EQ(store().Sessions().Get("hash-1", clock_.Now()).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().Sessions().Delete("hash-1"));  // already gone: still fine
}

TEST_P(SessionContract, DeleteExpiredKeepsLiveSessions) {
  const auto user = AddUser("ada@example.com");
  for (const auto& [hash, lifetime] : {std::pair{"old", hours(1)}, std::pair{"new", hours(10)}}) {
    ASSERT_TRUE(store().Sessions().Create({.id_hash = hash,
                                           .user_id = user.id,
                                           .csrf_token = "csrf",
                                           .created_at = clock_.Now(),
                                           .expires_at = clock_.Now() + lifetime}));
  }
  ASSERT_TRUE(store().Sessions().DeleteExpired(clock_.Now() + hours(2)));
  // Even a "now" before its expiry no longer finds the deleted one.
  EXPECT_EQ(store().Sessions().Get("old", clock_.Now()).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().Sessions().Get("new", clock_.Now()));
}

TEST_P(SessionContract, SessionForAMissingUserIsRejected) {
  auto created = store().Sessions().Create({.id_hash = "hash",
                                            .user_id = 777,
                                            .csrf_token = "csrf",
                                            .created_at = clock_.Now(),
                                            .expires_at = clock_.Now() + hours(1)});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kNotFound);
}

TEST_P(SessionContract, ApiTokenIsFoundByItsHashWithItsUser) {
  AddUser("someone-else@example.com");
  const auto user = AddUser("ada@example.com");
  auto token = store().Sessions().CreateApiToken(user.id, "ci", "sha256-of-token");
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_GT(token->id, 0);
  EXPECT_EQ(token->created_at, clock_.Now());

  auto found = store().Sessions().GetApiToken("sha256-of-token");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->token.id, token->id);
  EXPECT_EQ(found->token.user_id, user.id);
  EXPECT_EQ(found->token.name, "ci");
  EXPECT_EQ(found->token.token_hash, "sha256-of-token");
  EXPECT_EQ(found->token.created_at, token->created_at);
  EXPECT_EQ(found->user.id, user.id);
  EXPECT_EQ(found->user.email, "ada@example.com");
  EXPECT_EQ(found->user.role, domain::Role::kUser);
  EXPECT_EQ(store().Sessions().GetApiToken("unknown").error().code, ErrorCode::kNotFound);
}

TEST_P(SessionContract, TheSameTokenHashCannotBeStoredTwice) {
  const auto user = AddUser("ada@example.com");
  ASSERT_TRUE(store().Sessions().CreateApiToken(user.id, "one", "same-hash"));
  auto again = store().Sessions().CreateApiToken(user.id, "two", "same-hash");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

// Failed sign-ins, counted in the database for every node.
class SignInFailureContract : public StoreTest {
 protected:
  static constexpr SignInLimit kLimit{
      .max_failures = 5, .window = std::chrono::minutes(15), .lockout = std::chrono::minutes(5)};

  void Fail(std::string_view key, int times, Store* on = nullptr) {
    for (int i = 0; i < times; ++i) {
      auto counted =
          (on != nullptr ? *on : store()).Sessions().RecordSignInFailure(key, kLimit, clock_.Now());
      ASSERT_TRUE(counted) << counted.error().message;
    }
  }
  std::optional<TimePoint> LockedUntil(std::string_view key) {
    auto locked = store().Sessions().SignInLockedUntil(key, clock_.Now());
    EXPECT_TRUE(locked) << locked.error().message;
    return locked.value_or(std::nullopt);
  }
};
WORKLOG_STORE_BACKENDS(SignInFailureContract);

TEST_P(SignInFailureContract, TheFifthFailureLocksTheKeyForTheLockoutAndNoOtherKey) {
  Fail("account:a@example.com", 4);
  EXPECT_EQ(LockedUntil("account:a@example.com"), std::nullopt);
  const TimePoint fifth = clock_.Now();
  Fail("account:a@example.com", 1);
  EXPECT_EQ(LockedUntil("account:a@example.com"), fifth + std::chrono::minutes(5));
  EXPECT_EQ(LockedUntil("account:b@example.com"), std::nullopt);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(LockedUntil("account:a@example.com"), std::nullopt);
}

TEST_P(SignInFailureContract, AfterALockoutFiveNewFailuresAreNeededAgain) {
  Fail("address:10.0.0.1", 5);
  clock_.Advance(std::chrono::minutes(5));
  Fail("address:10.0.0.1", 4);
  EXPECT_EQ(LockedUntil("address:10.0.0.1"), std::nullopt);
  Fail("address:10.0.0.1", 1);
  EXPECT_EQ(LockedUntil("address:10.0.0.1"), clock_.Now() + std::chrono::minutes(5));
}

TEST_P(SignInFailureContract, FailuresOlderThanTheWindowAreForgotten) {
  Fail("account:a@example.com", 4);
  clock_.Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  Fail("account:a@example.com", 4);
  EXPECT_EQ(LockedUntil("account:a@example.com"), std::nullopt);
  Fail("account:a@example.com", 1);
  EXPECT_NE(LockedUntil("account:a@example.com"), std::nullopt);
}

TEST_P(SignInFailureContract, ResetForgetsTheFailuresOfOneKey) {
  Fail("account:a@example.com", 4);
  Fail("address:10.0.0.1", 4);
  ASSERT_TRUE(store().Sessions().ResetSignInFailures("account:a@example.com"));
  Fail("account:a@example.com", 1);
  Fail("address:10.0.0.1", 1);
  EXPECT_EQ(LockedUntil("account:a@example.com"), std::nullopt);
  EXPECT_NE(LockedUntil("address:10.0.0.1"), std::nullopt);
}

// Two nodes on one database: failures counted through either add up, also when they arrive
// at the same moment from several threads.
TEST_P(SignInFailureContract, FailuresThroughEveryNodeAddUp) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  Fail("account:a@example.com", 2);
  Fail("account:a@example.com", 2, other.get());
  EXPECT_EQ(LockedUntil("account:a@example.com"), std::nullopt);
  Fail("account:a@example.com", 1, other.get());
  EXPECT_NE(LockedUntil("account:a@example.com"), std::nullopt);

  std::vector<std::thread> threads;
  for (Store* node : {&store(), other.get()}) {
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, node] {
        for (int i = 0; i < 10; ++i) {
          auto counted = node->Sessions().RecordSignInFailure("address:10.0.0.9",
                                                              {.max_failures = 40,
                                                               .window = std::chrono::minutes(15),
                                                               .lockout = std::chrono::minutes(5)},
                                                              clock_.Now());
          EXPECT_TRUE(counted) << counted.error().message;
        }
      });
    }
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  // 40 failures in all: exactly the 40th locked it.
  EXPECT_NE(LockedUntil("address:10.0.0.9"), std::nullopt);
}

}  // namespace
}  // namespace worklog::store::testing
