// Activities: idempotent batches and per-user attribution, on every back-end.
#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/activity.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

domain::Activity Commit(const std::string& key, TimePoint at, std::optional<int64_t> pusher,
                        const std::string& author_email) {
  return TestActivity(key, domain::ActivityKind::kCommit, at, pusher, author_email);
}

std::vector<std::string> Keys(const std::vector<domain::Activity>& activities) {
  std::vector<std::string> keys;
  for (const auto& activity : activities) {
    keys.push_back(activity.key);
  }
  return keys;
}

class ActivityContract : public StoreTest {
 protected:
  int64_t Insert(const std::vector<domain::Activity>& activities) {
    auto inserted = store().Activities().InsertBatch(activities);
    EXPECT_TRUE(inserted) << inserted.error().message;
    return inserted.value_or(-1);
  }

  std::vector<std::string> ListKeys(const ActivityQuery& query) {
    auto listed = store().Activities().ListForUser(query);
    EXPECT_TRUE(listed) << listed.error().message;
    return Keys(listed.value_or(std::vector<domain::Activity>{}));
  }

  const TimePoint day_ = At(2026, 11, 24);
};
WORKLOG_STORE_BACKENDS(ActivityContract);

TEST_P(ActivityContract, SameActivitySeenTwiceIsStoredOnce) {
  const auto a = TestActivity("mr:1", domain::ActivityKind::kMergeRequest, day_ + hours(9), 10);
  const auto b = Commit("commit:abc", day_ + hours(10), 10, "ada@example.com");
  EXPECT_EQ(Insert({a, b}), 2);
  // Webhook and poll deliver the same things again, plus one new one, twice in a batch.
  const auto c = TestActivity("issue:7", domain::ActivityKind::kIssue, day_ + hours(11), 10);
  EXPECT_EQ(Insert({b, c, a, c}), 1);
  EXPECT_EQ(store().Activities().Count().value(), 3);
  EXPECT_EQ(Insert({}), 0);
}

TEST_P(ActivityContract, StoredActivityReadsBackFieldForField) {
  auto commit = Commit("commit:1:abc", At(2026, 11, 24, 9, 15), 10, "ada@example.com");
  commit.author_name = "Ada Lovelace";
  commit.title = "PROJ-7 Fix \"login\" ✓";
  commit.body = "PROJ-7 Fix login\n\nLong body with \\ and \t tab";
  commit.ref = "feature/PROJ-7-login";
  commit.sha = "abc123";
  commit.issue_keys = {"PROJ-7", "OPS-2"};
  commit.time_spent_seconds = 5400;
  auto push = TestActivity("push:9", domain::ActivityKind::kPush, day_, std::nullopt);
  ASSERT_EQ(Insert({commit, push}), 2);

  auto read = store().Activities().GetByKeys({"commit:1:abc", "push:9", "missing"});
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), 2U);
  const auto& got = (*read)[0].key == "commit:1:abc" ? (*read)[0] : (*read)[1];
  const auto& got_push = (*read)[0].key == "push:9" ? (*read)[0] : (*read)[1];
  EXPECT_EQ(got.kind, domain::ActivityKind::kCommit);
  EXPECT_EQ(got.action, "pushed");
  EXPECT_EQ(got.occurred_at, commit.occurred_at);
  EXPECT_EQ(got.project_id, 42);
  EXPECT_EQ(got.project_path, "group/project");
  EXPECT_EQ(got.gitlab_user_id, 10);
  EXPECT_EQ(got.author_email, "ada@example.com");
  EXPECT_EQ(got.author_name, "Ada Lovelace");
  EXPECT_EQ(got.title, commit.title);
  EXPECT_EQ(got.body, commit.body);
  EXPECT_EQ(got.url, commit.url);
  EXPECT_EQ(got.ref, "feature/PROJ-7-login");
  EXPECT_EQ(got.sha, "abc123");
  EXPECT_EQ(got.issue_keys, (std::vector<std::string>{"PROJ-7", "OPS-2"}));
  EXPECT_EQ(got.time_spent_seconds, 5400);
  EXPECT_EQ(got_push.kind, domain::ActivityKind::kPush);
  EXPECT_EQ(got_push.gitlab_user_id, std::nullopt);
  EXPECT_EQ(got_push.time_spent_seconds, std::nullopt);
  EXPECT_THAT(got_push.issue_keys, IsEmpty());
}

TEST_P(ActivityContract, CommitsBelongToTheirAuthorsEmailElseToThePusher) {
  // Ada is GitLab user 10 with ada@example.com; Bob is GitLab user 11 with bob@example.com.
  Insert({
      TestActivity("mr:ada", domain::ActivityKind::kMergeRequest, day_ + hours(9), 10),
      TestActivity("mr:bob", domain::ActivityKind::kMergeRequest, day_ + hours(9), 11),
      Commit("c:ada-by-ada", day_ + hours(10), 10, "ada@example.com"),
      Commit("c:ada-pushed-by-bob", day_ + hours(11), 11, "ada@example.com"),
      Commit("c:bob-pushed-by-ada", day_ + hours(12), 10, "bob@example.com"),
      Commit("c:unknown-pushed-by-ada", day_ + hours(13), 10, "laptop@localhost"),
      Commit("c:unknown-pushed-by-bob", day_ + hours(14), 11, "old@home.example"),
      TestActivity("note:ada", domain::ActivityKind::kComment, day_ + hours(15), 10),
  });
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {10},
                        .emails = {"ada@example.com"},
                        .claimed_emails = {"bob@example.com"},
                        .from = day_,
                        .to = day_ + hours(24)}),
              ElementsAre("mr:ada", "c:ada-by-ada", "c:ada-pushed-by-bob",
                          "c:unknown-pushed-by-ada", "note:ada"));
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {11},
                        .emails = {"bob@example.com"},
                        .claimed_emails = {"ada@example.com"},
                        .from = day_,
                        .to = day_ + hours(24)}),
              ElementsAre("mr:bob", "c:bob-pushed-by-ada", "c:unknown-pushed-by-bob"));
}

TEST_P(ActivityContract, LinkedIdentitiesEmailsCountAsClaimedWhenAsked) {
  // Ada (GitLab 10) and Bob (GitLab 11) are linked, Bob with two e-mails; Carol's e-mail
  // belongs to nobody linked. The same answer as listing the other identities' e-mails in
  // claimed_emails.
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  for (const auto& [user_id, gitlab_user_id, emails] :
       {std::tuple{ada.id, int64_t{10}, std::vector<std::string>{"ada@example.com"}},
        std::tuple{bob.id, int64_t{11},
                   std::vector<std::string>{"bob@example.com", "bob@home.example"}}}) {
    LinkGitlab(user_id, gitlab_user_id, emails);
  }
  Insert({
      TestActivity("mr:ada", domain::ActivityKind::kMergeRequest, day_ + hours(9), 10),
      Commit("c:ada-by-ada", day_ + hours(10), 10, "ada@example.com"),
      Commit("c:ada-pushed-by-bob", day_ + hours(11), 11, "ada@example.com"),
      Commit("c:bob-pushed-by-ada", day_ + hours(12), 10, "bob@example.com"),
      Commit("c:bob-home-pushed-by-ada", day_ + hours(13), 10, "bob@home.example"),
      Commit("c:carol-pushed-by-ada", day_ + hours(14), 10, "carol@example.com"),
  });
  const std::vector<std::string> expected = {"mr:ada", "c:ada-by-ada", "c:ada-pushed-by-bob",
                                             "c:carol-pushed-by-ada"};
  EXPECT_EQ(ListKeys({.gitlab_user_ids = {10},
                      .emails = {"ada@example.com"},
                      .claimed_emails = {},
                      .from = day_,
                      .to = day_ + hours(24),
                      .claimed_by_identities = true}),
            expected);
  EXPECT_EQ(ListKeys({.gitlab_user_ids = {10},
                      .emails = {"ada@example.com"},
                      .claimed_emails = {"bob@example.com", "bob@home.example"},
                      .from = day_,
                      .to = day_ + hours(24)}),
            expected);
  // Not asked: only claimed_emails count.
  EXPECT_EQ(ListKeys({.gitlab_user_ids = {10},
                      .emails = {"ada@example.com"},
                      .claimed_emails = {},
                      .from = day_,
                      .to = day_ + hours(24)})
                .size(),
            6U);
  // Bob's own e-mails are in the identities too: his commits stay his.
  EXPECT_EQ(ListKeys({.gitlab_user_ids = {11},
                      .emails = {"bob@example.com", "bob@home.example"},
                      .claimed_emails = {},
                      .from = day_,
                      .to = day_ + hours(24),
                      .claimed_by_identities = true}),
            (std::vector<std::string>{"c:bob-pushed-by-ada", "c:bob-home-pushed-by-ada"}));
}

TEST_P(ActivityContract, TimeRangeIncludesFromAndExcludesTo) {
  Insert({
      TestActivity("before", domain::ActivityKind::kIssue, day_ - minutes(1), 10),
      TestActivity("at-from", domain::ActivityKind::kIssue, day_, 10),
      Commit("c:last", day_ + hours(24) - minutes(1), 99, "ada@example.com"),
      TestActivity("at-to", domain::ActivityKind::kIssue, day_ + hours(24), 10),
      Commit("c:at-to", day_ + hours(24), 99, "ada@example.com"),
  });
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {10},
                        .emails = {"ada@example.com"},
                        .claimed_emails = {},
                        .from = day_,
                        .to = day_ + hours(24)}),
              ElementsAre("at-from", "c:last"));
}

TEST_P(ActivityContract, UserWithoutGitlabAccountOrEmailsSeesNothing) {
  Insert({TestActivity("mr:1", domain::ActivityKind::kMergeRequest, day_ + hours(9), 10),
          Commit("c:1", day_ + hours(9), 10, "ada@example.com")});
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {},
                        .emails = {},
                        .claimed_emails = {},
                        .from = day_,
                        .to = day_ + hours(24)}),
              IsEmpty());
  // E-mails alone find commits, in the order they happened.
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {},
                        .emails = {"ada@example.com"},
                        .claimed_emails = {},
                        .from = day_,
                        .to = day_ + hours(24)}),
              ElementsAre("c:1"));
}

TEST_P(ActivityContract, SeveralGitlabAccountsAndEmailsOfOneUserAreMerged) {
  Insert({TestActivity("mr:a", domain::ActivityKind::kMergeRequest, day_ + hours(9), 10),
          TestActivity("mr:b", domain::ActivityKind::kMergeRequest, day_ + hours(10), 12),
          Commit("c:work", day_ + hours(11), 99, "ada@work.example"),
          Commit("c:home", day_ + hours(12), 99, "ada@home.example")});
  EXPECT_THAT(ListKeys({.gitlab_user_ids = {10, 12},
                        .emails = {"ada@work.example", "ada@home.example"},
                        .claimed_emails = {},
                        .from = day_,
                        .to = day_ + hours(24)}),
              ElementsAre("mr:a", "mr:b", "c:work", "c:home"));
}

TEST_P(ActivityContract, DeleteAllRemovesEveryActivity) {
  Insert({TestActivity("mr:1", domain::ActivityKind::kMergeRequest, day_, 10),
          Commit("c:1", day_, 10, "ada@example.com")});
  ASSERT_TRUE(store().Activities().DeleteAll());
  EXPECT_EQ(store().Activities().Count().value(), 0);
  // A later connection can store the same activities again.
  EXPECT_EQ(Insert({Commit("c:1", day_, 10, "ada@example.com")}), 1);
}

TEST_P(ActivityContract, LargeBatchIsStoredWhole) {
  std::vector<domain::Activity> batch;
  for (int i = 0; i < 1500; ++i) {
    batch.push_back(
        Commit("c:" + std::to_string(i), day_ + minutes(i % 1440), 10, "ada@example.com"));
  }
  EXPECT_EQ(Insert(batch), 1500);
  EXPECT_EQ(Insert(batch), 0);
  EXPECT_EQ(store().Activities().Count().value(), 1500);
}

}  // namespace
}  // namespace worklog::store::testing
