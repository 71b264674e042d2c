// The automation rules over a real (SQLite) store and a fake clock: smart commits log once
// for the commit's author, auto_log_day_end logs keyed suggestions only of days that ended.
#include "app/automation.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>

#include "app/activity_feed.h"
#include "app/worklogs.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace worklog::app {
namespace {

TimePoint Utc(int hh, int mm, unsigned day = 24) {
  return date::sys_days{date::year{2026} / date::November / date::day{day}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm};
}

domain::Activity Commit(const std::string& key, TimePoint at, int64_t pusher,
                        const std::string& email, std::vector<std::string> keys,
                        const std::string& title, std::optional<int64_t> seconds = {}) {
  domain::Activity activity;
  activity.key = key;
  activity.kind = domain::ActivityKind::kCommit;
  activity.action = "pushed";
  activity.occurred_at = at;
  activity.project_id = 9;
  activity.project_path = "acme/api";
  activity.gitlab_user_id = pusher;
  activity.author_email = email;
  activity.title = title;
  activity.body = title;
  activity.sha = key;
  activity.issue_keys = std::move(keys);
  activity.time_spent_seconds = seconds;
  return activity;
}

class AutomationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    worklogs_ = std::make_unique<Worklogs>(*store_, clock_);
    feed_ = std::make_unique<ActivityFeed>(*store_, clock_, *worklogs_);
    ada_ = AddUser("ada@example.com", 101);
    bob_ = AddUser("bob@example.com", 102);
  }

  std::unique_ptr<Automation> Make(AutomationOptions options = {}) {
    return std::make_unique<Automation>(*store_, clock_, *worklogs_, *feed_, options);
  }

  domain::User AddUser(const std::string& email, int64_t gitlab_user_id) {
    auto user = store_->Users().Create({.email = email,
                                        .name = "Staff",
                                        .role = domain::Role::kUser,
                                        .timezone = "Europe/Oslo",
                                        .password_hash = ""});
    EXPECT_TRUE(user) << user.error().message;
    store::GitlabIdentity identity;
    identity.user_id = user->id;
    identity.gitlab_user_id = gitlab_user_id;
    identity.username = email.substr(0, email.find('@'));
    identity.emails = {email};
    identity.connected_by = user->id;
    identity.connected_at = clock_.Now();
    EXPECT_TRUE(store_->GitlabOrg().LinkIdentity(identity));
    return *user;
  }

  std::vector<domain::Worklog> WorklogsOf(const domain::User& user, const std::string& day) {
    auto listed = store_->Worklogs().List({.user_id = user.id, .from_date = day, .to_date = day});
    EXPECT_TRUE(listed) << listed.error().message;
    return listed.value_or(std::vector<domain::Worklog>{});
  }

  FakeClock clock_{Utc(18, 0)};
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Worklogs> worklogs_;
  std::unique_ptr<ActivityFeed> feed_;
  domain::User ada_;
  domain::User bob_;
};

TEST_F(AutomationTest, SmartCommitLogsForItsAuthorOnceWhateverPushedItOrHowOften) {
  auto automation = Make();
  // Ada's commit, pushed by Bob, then the same commit rebased (another sha) seen again.
  const auto first =
      Commit("c1", Utc(9, 0), 102, "ada@example.com", {"PROJ-7"}, "PROJ-7 Fix #time 1h 30m", 5400);
  const auto rebased =
      Commit("c2", Utc(9, 0), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 Fix #time 1h 30m", 5400);
  ASSERT_TRUE(automation->LogSmartCommits({first}));
  ASSERT_TRUE(automation->LogSmartCommits({first, rebased}));
  const auto logged = WorklogsOf(ada_, "2026-11-24");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].origin, domain::WorklogOrigin::kSmartCommit);
  EXPECT_EQ(logged[0].issue_key, "PROJ-7");
  EXPECT_EQ(logged[0].duration_seconds, 5400);
  EXPECT_EQ(logged[0].start_time, "08:30:00");  // Oslo: the 10:00 commit minus 1 h 30
  EXPECT_EQ(logged[0].activity_keys, std::vector<std::string>{"c1"});
  EXPECT_TRUE(WorklogsOf(bob_, "2026-11-24").empty());
}

TEST_F(AutomationTest, SmartCommitWithoutAnOwnerKeyOrValidTimeLogsNothing) {
  auto automation = Make();
  ASSERT_TRUE(automation->LogSmartCommits({
      Commit("u1", Utc(9, 0), 999, "stranger@example.com", {"PROJ-7"}, "PROJ-7 #time 1h", 3600),
      Commit("u2", Utc(9, 5), 101, "ada@example.com", {}, "Fix #3 @1h", 3600),
      Commit("u3", Utc(9, 10), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 #time 1w", 40 * 3600),
  }));
  EXPECT_TRUE(WorklogsOf(ada_, "2026-11-24").empty());
  // Before midnight: the worklog starts at local midnight, not on the previous day.
  ASSERT_TRUE(automation->LogSmartCommits({Commit("m1", Utc(23, 30, 23), 101, "ada@example.com",
                                                  {"PROJ-8"}, "PROJ-8 #time 2h", 7200)}));
  const auto early = WorklogsOf(ada_, "2026-11-24");
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].start_time, "00:00:00");
}

TEST_F(AutomationTest, SmartCommitsRuleSwitchedOffLogsNothing) {
  auto automation = Make({.smart_commits = false});
  ASSERT_TRUE(automation->LogSmartCommits(
      {Commit("c1", Utc(9, 0), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 #time 1h", 3600)}));
  EXPECT_TRUE(WorklogsOf(ada_, "2026-11-24").empty());
}

TEST_F(AutomationTest, AutoLogDayEndLogsKeyedSuggestionsOnceTheLocalDayHasEnded) {
  ASSERT_TRUE(store_->Activities().InsertBatch({
      Commit("c1", Utc(8, 10), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 start login"),
      Commit("c2", Utc(9, 40), 101, "ada@example.com", {"PROJ-7"}, "PROJ-7 finish login"),
      Commit("c3", Utc(13, 0), 101, "ada@example.com", {}, "tidy up"),
      Commit("c4", Utc(10, 0), 102, "bob@example.com", {"PROJ-9"}, "PROJ-9 bob's work"),
  }));
  ada_.auto_log_day_end = true;
  ASSERT_TRUE(store_->Users().Update(ada_));
  auto automation = Make();

  // 22:30Z is 23:30 in Oslo: the day has not ended.
  clock_.Set(Utc(22, 30));
  ASSERT_EQ(automation->LogEndedDays(), 0);
  EXPECT_TRUE(WorklogsOf(ada_, "2026-11-24").empty());

  // 23:30Z is 00:30 on the 25th in Oslo: the 24th has ended. Only the keyed suggestion.
  clock_.Set(Utc(23, 30));
  ASSERT_EQ(automation->LogEndedDays(), 1);
  const auto logged = WorklogsOf(ada_, "2026-11-24");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].origin, domain::WorklogOrigin::kAutomation);
  EXPECT_EQ(logged[0].issue_key, "PROJ-7");
  EXPECT_EQ(logged[0].duration_seconds, 2 * 3600);
  // Again (another node, the next sweep): nothing more. Bob's setting is off.
  ASSERT_EQ(automation->LogEndedDays(), 0);
  EXPECT_EQ(WorklogsOf(ada_, "2026-11-24").size(), 1u);
  EXPECT_TRUE(WorklogsOf(bob_, "2026-11-24").empty());
  // What is left in Ada's feed: the unassigned suggestion.
  Principal ada;
  ada.user = ada_;
  auto page = feed_->Get(ada, {.from = "2026-11-24", .to = "2026-11-24"});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->suggestions.size(), 1u);
  EXPECT_FALSE(page->suggestions[0].issue_key.has_value());
}

}  // namespace
}  // namespace worklog::app
