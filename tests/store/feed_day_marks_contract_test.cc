// ActivityRepository::DayMarks: which days of a user's Activity Feed changed. A day's
// marks must change with every write to that day's data, whichever Store (process, node)
// makes it, and stay put for writes to other days and other users.
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/activity.h"
#include "domain/worklog.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

constexpr int64_t kNov24 = 20781;  // days since 1970-01-01 of 2026-11-24

domain::Activity Commit(const std::string& key, TimePoint at, std::optional<int64_t> pusher,
                        const std::string& author_email) {
  return TestActivity(key, domain::ActivityKind::kCommit, at, pusher, author_email);
}

class FeedDayMarksContract : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ada_ = AddUser("ada@example.com");
    bob_ = AddUser("bob@example.com");
    LinkGitlab(ada_.id, 10, {"ada@example.com", "ada@home.example"});
    LinkGitlab(bob_.id, 20, {"bob@example.com"});
  }

  void Insert(const std::vector<domain::Activity>& activities, Store* on = nullptr) {
    auto inserted = (on ? *on : store()).Activities().InsertBatch(activities);
    ASSERT_TRUE(inserted) << inserted.error().message;
  }

  FeedDayMarks Marks(int64_t user_id, int64_t first = kNov24 - 5, int64_t last = kNov24 + 5) {
    auto marks = store().Activities().DayMarks(user_id, first, last);
    EXPECT_TRUE(marks) << marks.error().message;
    return marks.value_or(FeedDayMarks{});
  }

  static int64_t ActivityDay(const FeedDayMarks& marks, int64_t day) {
    auto found = marks.activity_days.find(day);
    return found == marks.activity_days.end() ? 0 : found->second;
  }
  static int64_t WorklogDay(const FeedDayMarks& marks, int64_t day) {
    auto found = marks.worklog_days.find(day);
    return found == marks.worklog_days.end() ? 0 : found->second;
  }

  domain::Worklog SmartCommitWorklog(int64_t user_id, const std::string& date) {
    domain::Worklog worklog;
    worklog.user_id = user_id;
    worklog.issue_key = "PROJ-7";
    worklog.start_date = date;
    worklog.start_time = "09:30:00";
    worklog.start_at = domain::LocalToUtc(date, "09:30:00", "Europe/Oslo").value();
    worklog.duration_seconds = 1800;
    worklog.description = "Fixed the login";
    worklog.origin = domain::WorklogOrigin::kSmartCommit;
    return worklog;
  }

  domain::User ada_;
  domain::User bob_;
};
WORKLOG_STORE_BACKENDS(FeedDayMarksContract);

TEST_P(FeedDayMarksContract, ANewActivityMovesOnlyItsUtcDayOfItsUsersFeed) {
  const FeedDayMarks before = Marks(ada_.id);
  const FeedDayMarks bobs = Marks(bob_.id);
  // 23:30 UTC on the 24th: the 24th, although it is the 25th in Oslo.
  Insert({Commit("commit:a1", At(2026, 11, 24, 23, 30), std::nullopt, "ada@home.example")});
  const FeedDayMarks after = Marks(ada_.id);
  EXPECT_NE(ActivityDay(after, kNov24), ActivityDay(before, kNov24));
  EXPECT_EQ(after.activity_days.size(), 1U);
  EXPECT_EQ(after.identities, before.identities);
  EXPECT_EQ(after.all, before.all);
  // Not Bob's: his feed is as it was.
  EXPECT_EQ(Marks(bob_.id).activity_days, bobs.activity_days);

  // Her merge request of the 22nd moves the 22nd only.
  Insert({TestActivity("mr:1", domain::ActivityKind::kMergeRequest, At(2026, 11, 22, 8), 10)});
  const FeedDayMarks later = Marks(ada_.id);
  EXPECT_NE(ActivityDay(later, kNov24 - 2), 0);
  EXPECT_EQ(ActivityDay(later, kNov24), ActivityDay(after, kNov24));
  // Outside the days asked for: not returned.
  EXPECT_TRUE(Marks(ada_.id, kNov24 - 1, kNov24 - 1).activity_days.empty());
}

TEST_P(FeedDayMarksContract, ADuplicateMovesNothing) {
  Insert({Commit("commit:a1", At(2026, 11, 24, 10), 10, "ada@example.com")});
  const FeedDayMarks before = Marks(ada_.id);
  Insert({Commit("commit:a1", At(2026, 11, 24, 10), 10, "ada@example.com")});
  EXPECT_EQ(Marks(ada_.id).activity_days, before.activity_days);
}

TEST_P(FeedDayMarksContract, OnlySmartCommitWorklogsMoveTheirStartDate) {
  const FeedDayMarks before = Marks(ada_.id);
  domain::Worklog manual = SmartCommitWorklog(ada_.id, "2026-11-23");
  manual.origin = domain::WorklogOrigin::kManual;
  ASSERT_TRUE(store().Worklogs().Create(manual));
  EXPECT_EQ(Marks(ada_.id).worklog_days, before.worklog_days);

  auto created = store().Worklogs().Create(SmartCommitWorklog(ada_.id, "2026-11-23"));
  ASSERT_TRUE(created) << created.error().message;
  const FeedDayMarks after = Marks(ada_.id);
  EXPECT_NE(WorklogDay(after, kNov24 - 1), 0);
  EXPECT_EQ(after.worklog_days.size(), 1U);
  EXPECT_TRUE(Marks(bob_.id).worklog_days.empty());

  // Moved to another day: both days change.
  domain::Worklog moved = *created;
  moved.start_date = "2026-11-20";
  moved.start_at = domain::LocalToUtc("2026-11-20", "09:30:00", "Europe/Oslo").value();
  ASSERT_TRUE(store().Worklogs().Update(moved));
  const FeedDayMarks updated = Marks(ada_.id);
  EXPECT_NE(WorklogDay(updated, kNov24 - 1), WorklogDay(after, kNov24 - 1));
  EXPECT_NE(WorklogDay(updated, kNov24 - 4), 0);

  ASSERT_TRUE(store().Worklogs().Delete(created->id));
  EXPECT_NE(WorklogDay(Marks(ada_.id), kNov24 - 4), WorklogDay(updated, kNov24 - 4));
}

TEST_P(FeedDayMarksContract, IdentitiesDeletionsAndSettingsMoveTheGlobalMarks) {
  FeedDayMarks before = Marks(ada_.id);
  const auto carl = AddUser("carl@example.com");
  LinkGitlab(carl.id, 30, {"carl@example.com"});
  EXPECT_NE(Marks(ada_.id).identities, before.identities);

  before = Marks(ada_.id);
  ASSERT_TRUE(store().Activities().DeleteAll());
  EXPECT_NE(Marks(ada_.id).all, before.all);

  before = Marks(ada_.id);
  auto settings = store().GitlabOrg().GetFeedSettings();
  ASSERT_TRUE(settings);
  settings->max_gap_minutes += 1;
  ASSERT_TRUE(store().GitlabOrg().UpdateFeedSettings(*settings));
  EXPECT_NE(Marks(ada_.id).all, before.all);
}

TEST_P(FeedDayMarksContract, AnotherWritersActivitiesMoveTheDayToo) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  const FeedDayMarks before = Marks(ada_.id);
  Insert({Commit("commit:b1", At(2026, 11, 24, 10), 10, "ada@example.com")}, other.get());
  const FeedDayMarks after = Marks(ada_.id);
  EXPECT_NE(ActivityDay(after, kNov24), ActivityDay(before, kNov24));
  auto seen = other->Activities().DayMarks(ada_.id, kNov24 - 5, kNov24 + 5);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->activity_days, after.activity_days);
}

// Differential: random activities of random users on random days. After each batch, every
// UTC day whose mark stayed put reads exactly the activities it read before.
TEST_P(FeedDayMarksContract, AnUnmovedDayReadsTheSameActivities) {
  std::mt19937 random(20261124);
  const std::vector<std::string> emails = {"ada@example.com", "ada@home.example", "bob@example.com",
                                           "nobody@example.com"};
  const auto read_day = [&](int64_t day) {
    ActivityQuery query;
    query.gitlab_user_ids = {10};
    query.emails = {"ada@example.com", "ada@home.example"};
    query.claimed_by_identities = true;
    query.from = TimePoint{} + std::chrono::days(day);
    query.to = query.from + std::chrono::days(1);
    auto activities = store().Activities().ListForUser(query);
    EXPECT_TRUE(activities) << activities.error().message;
    std::vector<std::string> keys;
    for (const auto& activity : activities.value_or(std::vector<domain::Activity>{})) {
      keys.push_back(activity.key);
    }
    return keys;
  };
  std::map<int64_t, std::vector<std::string>> seen;
  FeedDayMarks marks = Marks(ada_.id);
  for (int64_t day = kNov24 - 5; day <= kNov24 + 5; ++day) {
    seen[day] = read_day(day);
  }
  int changed_days = 0;
  for (int round = 0; round < 25; ++round) {
    std::vector<domain::Activity> batch;
    const int size = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < size; ++i) {
      const auto day = static_cast<unsigned>(19 + random() % 11);  // Nov 19..29
      const auto at =
          At(2026, 11, day, static_cast<int>(random() % 24), static_cast<int>(random() % 60));
      const std::string key = "r" + std::to_string(round) + "." + std::to_string(i);
      if (random() % 2 == 0) {
        batch.push_back(Commit("commit:" + key, at, 10 + 10 * static_cast<int64_t>(random() % 2),
                               emails[random() % emails.size()]));
      } else {
        batch.push_back(TestActivity("issue:" + key, domain::ActivityKind::kIssue, at,
                                     10 + 10 * static_cast<int64_t>(random() % 2)));
      }
    }
    Insert(batch);
    const FeedDayMarks now = Marks(ada_.id);
    for (int64_t day = kNov24 - 5; day <= kNov24 + 5; ++day) {
      const auto keys = read_day(day);
      if (ActivityDay(now, day) == ActivityDay(marks, day)) {
        EXPECT_EQ(keys, seen[day]) << "day " << day << " round " << round;
      } else {
        ++changed_days;
      }
      seen[day] = keys;
    }
    marks = now;
  }
  EXPECT_GT(changed_days, 0);
}

}  // namespace
}  // namespace worklog::store::testing
