// ActivityRepository::FeedStamp: the value the Activity Feed cache trusts. It must change
// on every write a user's feed depends on, whichever Store (process, node) makes it, and
// stay put for writes that cannot change it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/activity.h"
#include "domain/worklog.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

domain::Activity Made(const std::string& key, domain::ActivityKind kind,
                      std::optional<int64_t> actor, const std::string& author_email) {
  return TestActivity(key, kind, At(2026, 11, 24, 10), actor, author_email);
}

domain::Activity Commit(const std::string& key, std::optional<int64_t> pusher,
                        const std::string& author_email) {
  return Made(key, domain::ActivityKind::kCommit, pusher, author_email);
}

class FeedStampContract : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ada_ = AddUser("ada@example.com");
    bob_ = AddUser("bob@example.com");
    LinkGitlab(ada_.id, 10, {"ada@example.com", "ada@home.example"});
    LinkGitlab(bob_.id, 20, {"bob@example.com"});
    // Ada's feed has something in it already.
    Insert({Commit("commit:a0", 10, "ada@example.com")});
  }

  void Insert(const std::vector<domain::Activity>& activities) {
    auto inserted = store().Activities().InsertBatch(activities);
    ASSERT_TRUE(inserted) << inserted.error().message;
  }

  std::string Stamp(int64_t user_id) {
    auto stamp = store().Activities().FeedStamp(user_id);
    EXPECT_TRUE(stamp) << stamp.error().message;
    return stamp.value_or("");
  }

  domain::Worklog Worklog(int64_t user_id) {
    domain::Worklog worklog;
    worklog.user_id = user_id;
    worklog.issue_key = "PROJ-7";
    worklog.start_date = "2026-11-24";
    worklog.start_time = "09:30:00";
    worklog.start_at = domain::LocalToUtc("2026-11-24", "09:30:00", "Europe/Oslo").value();
    worklog.duration_seconds = 1800;
    worklog.description = "Reviewed the login change";
    return worklog;
  }

  domain::User ada_;
  domain::User bob_;
};
WORKLOG_STORE_BACKENDS(FeedStampContract);

TEST_P(FeedStampContract, UnchangedWithoutWrites) {
  const std::string stamp = Stamp(ada_.id);
  EXPECT_FALSE(stamp.empty());
  EXPECT_EQ(Stamp(ada_.id), stamp);
  // A user without a GitLab identity has a stamp too.
  const auto carl = AddUser("carl@example.com");
  EXPECT_EQ(Stamp(carl.id), Stamp(carl.id));
}

TEST_P(FeedStampContract, ChangesWithACommitAuthoredUnderTheirEmailWhoeverPushedIt) {
  std::string stamp = Stamp(ada_.id);
  Insert({Commit("commit:a1", 20, "ada@home.example")});  // pushed by Bob
  EXPECT_NE(Stamp(ada_.id), stamp);
  stamp = Stamp(ada_.id);
  Insert({Commit("commit:a2", std::nullopt, "ada@example.com")});
  EXPECT_NE(Stamp(ada_.id), stamp);
}

TEST_P(FeedStampContract, ChangesWithAnActivityOfTheirGitlabAccount) {
  std::string stamp = Stamp(ada_.id);
  Insert({Made("mr:1", domain::ActivityKind::kMergeRequest, 10, "")});
  EXPECT_NE(Stamp(ada_.id), stamp);
  stamp = Stamp(ada_.id);
  // A commit she pushed under an e-mail that is nobody's is hers too.
  Insert({Commit("commit:x1", 10, "old-laptop@example.com")});
  EXPECT_NE(Stamp(ada_.id), stamp);
}

TEST_P(FeedStampContract, ChangesWhenTwoWritersInsertForTheSameUser) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  std::string stamp = Stamp(ada_.id);
  ASSERT_TRUE(other->Activities().InsertBatch({Commit("commit:b1", 10, "ada@example.com")}));
  const std::string after_first = Stamp(ada_.id);
  EXPECT_NE(after_first, stamp);
  Insert({Commit("commit:b2", 10, "ada@example.com")});
  EXPECT_NE(Stamp(ada_.id), after_first);
  // And the other writer sees this one's writes.
  EXPECT_EQ(other->Activities().FeedStamp(ada_.id).value(), Stamp(ada_.id));
}

TEST_P(FeedStampContract, UnchangedByAnotherUsersActivityOrADuplicate) {
  const std::string stamp = Stamp(ada_.id);
  Insert({Commit("commit:c1", 20, "bob@example.com"),
          Made("issue:5", domain::ActivityKind::kIssue, 20, ""),
          Made("comment:9", domain::ActivityKind::kComment, std::nullopt, "")});
  EXPECT_EQ(Stamp(ada_.id), stamp);
  Insert({Commit("commit:a0", 10, "ada@example.com")});  // seen again: nothing new
  EXPECT_EQ(Stamp(ada_.id), stamp);
}

TEST_P(FeedStampContract, ChangesWhenEveryActivityIsDeleted) {
  const std::string stamp = Stamp(ada_.id);
  ASSERT_TRUE(store().Activities().DeleteAll());
  EXPECT_NE(Stamp(ada_.id), stamp);
}

TEST_P(FeedStampContract, ChangesWithTheirWorklogsCreatedUpdatedAndDeleted) {
  std::string stamp = Stamp(ada_.id);
  const std::string bobs = Stamp(bob_.id);
  auto created = store().Worklogs().Create(Worklog(ada_.id));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_NE(Stamp(ada_.id), stamp);
  EXPECT_EQ(Stamp(bob_.id), bobs);

  stamp = Stamp(ada_.id);
  domain::Worklog changed = *created;
  changed.description = "Reviewed the logout change";
  ASSERT_TRUE(store().Worklogs().Update(changed));
  EXPECT_NE(Stamp(ada_.id), stamp);

  stamp = Stamp(ada_.id);
  ASSERT_TRUE(store().Worklogs().Delete(created->id));
  EXPECT_NE(Stamp(ada_.id), stamp);
  EXPECT_EQ(Stamp(bob_.id), bobs);
}

TEST_P(FeedStampContract, ChangesWhenASuggestionIsHandled) {
  const std::string stamp = Stamp(ada_.id);
  const std::string bobs = Stamp(bob_.id);
  HandledSuggestion handled;
  handled.user_id = ada_.id;
  handled.suggestion_id = "s1";
  handled.action = "dismissed";
  handled.handled_at = clock_.Now();
  ASSERT_TRUE(store().Suggestions().MarkHandled(handled));
  EXPECT_NE(Stamp(ada_.id), stamp);
  EXPECT_EQ(Stamp(bob_.id), bobs);
}

TEST_P(FeedStampContract, ChangesWhenAnyIdentityIsLinkedOrUnlinked) {
  // Another identity's e-mails are claimed in Ada's feed: linking Carl changes it.
  std::string stamp = Stamp(ada_.id);
  const auto carl = AddUser("carl@example.com");
  LinkGitlab(carl.id, 30, {"carl@example.com"});
  EXPECT_NE(Stamp(ada_.id), stamp);

  stamp = Stamp(ada_.id);
  ASSERT_TRUE(store().GitlabOrg().UnlinkIdentity(ada_.id));
  EXPECT_NE(Stamp(ada_.id), stamp);
  stamp = Stamp(ada_.id);
  LinkGitlab(ada_.id, 10, {"ada@example.com"});
  EXPECT_NE(Stamp(ada_.id), stamp);
}

}  // namespace
}  // namespace worklog::store::testing
