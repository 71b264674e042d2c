// Worklogs: the same contract on every back-end.
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/worklog.h"
#include "store/store.h"
#include "store_fixture.h"

namespace worklog::store::testing {
namespace {

using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

class WorklogContract : public StoreTest {
 protected:
  domain::Worklog Draft(int64_t user_id, const std::string& date, const std::string& time,
                        const std::string& issue = "PROJ-7") {
    domain::Worklog worklog;
    worklog.user_id = user_id;
    worklog.issue_key = issue;
    worklog.start_date = date;
    worklog.start_time = time;
    worklog.start_at = domain::LocalToUtc(date, time, "Europe/Oslo").value();
    worklog.duration_seconds = 1800;
    worklog.description = "Reviewed the login change";
    return worklog;
  }

  domain::Worklog Create(const domain::Worklog& draft) {
    auto created = store().Worklogs().Create(draft);
    EXPECT_TRUE(created) << created.error().message;
    return created.value_or(domain::Worklog{});
  }

  std::vector<int64_t> ListIds(std::optional<int64_t> user_id, const std::string& from,
                               const std::string& to) {
    auto listed = store().Worklogs().List({.user_id = user_id, .from_date = from, .to_date = to});
    EXPECT_TRUE(listed) << listed.error().message;
    std::vector<int64_t> ids;
    for (const auto& worklog : listed.value_or(std::vector<domain::Worklog>{})) {
      ids.push_back(worklog.id);
    }
    return ids;
  }
};
WORKLOG_STORE_BACKENDS(WorklogContract);

TEST_P(WorklogContract, CreatedWorklogReadsBackFieldForField) {
  const auto user = AddUser("ada@example.com");
  auto draft = Draft(user.id, "2026-11-24", "09:30:00");
  draft.origin = domain::WorklogOrigin::kActivityFeed;
  draft.activity_keys = {"commit:12:abc", "mr:12:4:opened", "quote\"back\\slash\nnewline ü"};
  draft.description = "Fixed the \"login\" bug — ünïcödé\nsecond line";
  const auto created = Create(draft);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.created_at, clock_.Now());
  EXPECT_EQ(created.updated_at, clock_.Now());

  auto read = store().Worklogs().Get(created.id);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->user_id, user.id);
  EXPECT_EQ(read->issue_key, "PROJ-7");
  EXPECT_EQ(read->start_date, "2026-11-24");
  EXPECT_EQ(read->start_time, "09:30:00");
  EXPECT_EQ(read->start_at, At(2026, 11, 24, 8, 30));
  EXPECT_EQ(read->duration_seconds, 1800);
  EXPECT_EQ(read->description, draft.description);
  EXPECT_EQ(read->origin, domain::WorklogOrigin::kActivityFeed);
  EXPECT_EQ(read->activity_keys, draft.activity_keys);
  EXPECT_EQ(read->dedupe_key, std::nullopt);
}

TEST_P(WorklogContract, MissingWorklogIsNotFound) {
  EXPECT_EQ(store().Worklogs().Get(31337).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().Worklogs().Delete(31337).error().code, ErrorCode::kNotFound);
  domain::Worklog ghost = Draft(1, "2026-11-24", "09:00:00");
  ghost.id = 31337;
  EXPECT_EQ(store().Worklogs().Update(ghost).error().code, ErrorCode::kNotFound);
}

TEST_P(WorklogContract, UpdateReplacesTimeAndTextAndBumpsUpdatedAt) {
  const auto user = AddUser("ada@example.com");
  auto worklog = Create(Draft(user.id, "2026-11-24", "09:30:00"));
  clock_.Advance(minutes(5));
  worklog.issue_key = "OPS-1";
  worklog.start_date = "2026-11-25";
  worklog.start_time = "14:00:00";
  worklog.start_at = At(2026, 11, 25, 13, 0);
  worklog.duration_seconds = 3600;
  worklog.description = "Deployed";
  auto updated = store().Worklogs().Update(worklog);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->updated_at, clock_.Now());
  EXPECT_EQ(updated->created_at, clock_.Now() - minutes(5));

  auto read = store().Worklogs().Get(worklog.id).value();
  EXPECT_EQ(read.issue_key, "OPS-1");
  EXPECT_EQ(read.start_date, "2026-11-25");
  EXPECT_EQ(read.start_time, "14:00:00");
  EXPECT_EQ(read.start_at, At(2026, 11, 25, 13, 0));
  EXPECT_EQ(read.duration_seconds, 3600);
  EXPECT_EQ(read.description, "Deployed");
}

TEST_P(WorklogContract, DeletedWorklogIsGone) {
  const auto user = AddUser("ada@example.com");
  const auto worklog = Create(Draft(user.id, "2026-11-24", "09:30:00"));
  ASSERT_TRUE(store().Worklogs().Delete(worklog.id));
  EXPECT_EQ(store().Worklogs().Get(worklog.id).error().code, ErrorCode::kNotFound);
  EXPECT_THAT(ListIds(user.id, "2026-11-01", "2026-11-30"), IsEmpty());
}

TEST_P(WorklogContract, ListIncludesBothEndDatesAndOrdersByStart) {
  const auto user = AddUser("ada@example.com");
  const auto before = Create(Draft(user.id, "2026-11-22", "23:59:59"));
  const auto first_day_late = Create(Draft(user.id, "2026-11-23", "17:00:00"));
  const auto first_day_early = Create(Draft(user.id, "2026-11-23", "00:00:00"));
  const auto last_day = Create(Draft(user.id, "2026-11-29", "23:59:59"));
  const auto after = Create(Draft(user.id, "2026-11-30", "00:00:00"));

  EXPECT_THAT(ListIds(user.id, "2026-11-23", "2026-11-29"),
              ElementsAre(first_day_early.id, first_day_late.id, last_day.id));
  EXPECT_THAT(ListIds(user.id, "2026-11-22", "2026-11-22"), ElementsAre(before.id));
  EXPECT_THAT(ListIds(user.id, "2026-11-30", "2026-12-31"), ElementsAre(after.id));
  EXPECT_THAT(ListIds(user.id, "2026-12-01", "2026-12-31"), IsEmpty());
}

TEST_P(WorklogContract, ListByUserShowsOnlyThatUsersWorklogs) {
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  const auto ada_log = Create(Draft(ada.id, "2026-11-24", "09:00:00"));
  const auto bob_log = Create(Draft(bob.id, "2026-11-24", "10:00:00"));

  EXPECT_THAT(ListIds(ada.id, "2026-11-24", "2026-11-24"), ElementsAre(ada_log.id));
  EXPECT_THAT(ListIds(bob.id, "2026-11-24", "2026-11-24"), ElementsAre(bob_log.id));
  EXPECT_THAT(ListIds(std::nullopt, "2026-11-24", "2026-11-24"),
              ElementsAre(ada_log.id, bob_log.id));
}

TEST_P(WorklogContract, SameDedupeKeyReturnsTheFirstWorklogUnchanged) {
  const auto user = AddUser("ada@example.com");
  auto draft = Draft(user.id, "2026-11-24", "09:30:00");
  draft.dedupe_key = "suggestion:2026-11-24:PROJ-7";
  const auto first = Create(draft);

  draft.duration_seconds = 7200;
  draft.description = "a second attempt";
  const auto second = Create(draft);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.duration_seconds, 1800);
  EXPECT_EQ(second.dedupe_key, "suggestion:2026-11-24:PROJ-7");
  EXPECT_THAT(ListIds(user.id, "2026-11-24", "2026-11-24"), ElementsAre(first.id));
}

TEST_P(WorklogContract, DedupeKeyIsPerUser) {
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  auto ada_draft = Draft(ada.id, "2026-11-24", "09:30:00");
  ada_draft.dedupe_key = "commit:abc";
  auto bob_draft = Draft(bob.id, "2026-11-24", "09:30:00");
  bob_draft.dedupe_key = "commit:abc";
  EXPECT_NE(Create(ada_draft).id, Create(bob_draft).id);
}

TEST_P(WorklogContract, WorklogsWithoutDedupeKeyAreNeverMerged) {
  const auto user = AddUser("ada@example.com");
  const auto draft = Draft(user.id, "2026-11-24", "09:30:00");
  EXPECT_NE(Create(draft).id, Create(draft).id);
  EXPECT_EQ(ListIds(user.id, "2026-11-24", "2026-11-24").size(), 2U);
}

TEST_P(WorklogContract, ConcurrentCreatesWithOneDedupeKeyCreateExactlyOne) {
  const auto user = AddUser("ada@example.com");
  auto draft = Draft(user.id, "2026-11-24", "09:30:00");
  draft.dedupe_key = "smart-commit:deadbeef";
  constexpr int kThreads = 8;
  std::vector<int64_t> ids(kThreads, 0);
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto created = store().Worklogs().Create(draft);
        if (created) {
          ids[static_cast<std::size_t>(i)] = created->id;
        } else {
          ++failures;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 1U);
  EXPECT_THAT(ListIds(user.id, "2026-11-24", "2026-11-24"), ElementsAre(ids[0]));
}

TEST_P(WorklogContract, AnActivityIsBehindOneWorklogOfTheDay) {
  const auto ada = AddUser("ada@example.com");
  const auto bob = AddUser("bob@example.com");
  auto from_feed = Draft(ada.id, "2026-11-24", "09:00:00");
  from_feed.origin = domain::WorklogOrigin::kActivityFeed;
  from_feed.activity_keys = {"commit:1:aaa", "commit:1:bbb"};
  from_feed.dedupe_key = "suggestion:sg_1";
  const auto logged = Create(from_feed);

  // The smart commit's own worklog for commit bbb would count its time twice.
  auto smart = Draft(ada.id, "2026-11-24", "09:15:00");
  smart.origin = domain::WorklogOrigin::kSmartCommit;
  smart.activity_keys = {"commit:1:bbb"};
  smart.dedupe_key = "smart-commit:bbb";
  auto refused = store().Worklogs().Create(smart);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(refused.error().field, "activity_keys");
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("commit:1:bbb"));
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr(std::to_string(logged.id)));
  EXPECT_THAT(ListIds(ada.id, "2026-11-24", "2026-11-24"), ElementsAre(logged.id));

  // A retry of the first is still that worklog, not a conflict with itself.
  EXPECT_EQ(Create(from_feed).id, logged.id);
  // Other keys, another user, a worklog without activities: created.
  smart.activity_keys = {"commit:1:ccc"};
  EXPECT_NE(Create(smart).id, 0);
  auto bobs = Draft(bob.id, "2026-11-24", "09:00:00");
  bobs.activity_keys = {"commit:1:bbb"};
  EXPECT_NE(Create(bobs).id, 0);
  EXPECT_NE(Create(Draft(ada.id, "2026-11-24", "10:00:00")).id, 0);
  EXPECT_EQ(ListIds(ada.id, "2026-11-24", "2026-11-24").size(), 3U);
  // A commit naming two issues ("PROJ-7 OPS-2 ...") gives a share of its time to each
  // issue's suggestion: the other issue's worklog may be made from it too, once.
  auto other_issue = Draft(ada.id, "2026-11-24", "11:00:00", "OPS-2");
  other_issue.origin = domain::WorklogOrigin::kActivityFeed;
  other_issue.activity_keys = {"commit:1:bbb"};
  other_issue.dedupe_key = "suggestion:sg_2";
  EXPECT_NE(Create(other_issue).id, 0);
  other_issue.dedupe_key = "suggestion:sg_3";
  auto again = store().Worklogs().Create(other_issue);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().field, "activity_keys");
  EXPECT_EQ(ListIds(ada.id, "2026-11-24", "2026-11-24").size(), 4U);
}

TEST_P(WorklogContract, ConcurrentCreatesClaimingOneActivityCreateExactlyOne) {
  // The Activity Feed and the smart-commit rule logging one commit at the same moment,
  // perhaps on two nodes: one wins, the others are told it is logged.
  const auto user = AddUser("ada@example.com");
  constexpr int kThreads = 8;
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::atomic<int> other_errors{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto draft = Draft(user.id, "2026-11-24", "09:30:00");
        draft.origin =
            i % 2 == 0 ? domain::WorklogOrigin::kActivityFeed : domain::WorklogOrigin::kSmartCommit;
        draft.activity_keys = {"commit:9:k" + std::to_string(i), "commit:9:shared"};
        draft.dedupe_key = "attempt:" + std::to_string(i);
        auto made = store().Worklogs().Create(draft);
        if (made) {
          ++created;
        } else if (made.error().code == ErrorCode::kConflict) {
          ++conflicts;
        } else {
          ++other_errors;
        }
      });
    }
  }
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(ListIds(user.id, "2026-11-24", "2026-11-24").size(), 1U);
}

TEST_P(WorklogContract, WorklogForAMissingUserIsRejected) {
  auto created = store().Worklogs().Create(Draft(4040, "2026-11-24", "09:30:00"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace worklog::store::testing
