// The scheduler and job loop of the GitLab workers, driven step by step with a FakeClock
// over a real (SQLite) store and a GitLab that must not be called.
#include "sync/gitlab_sync.h"

#include <atomic>

#include <date/date.h>
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "store/sqlite/sqlite_db.h"
#include "support/temp_dir.h"

namespace worklog::sync {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(int y, unsigned m, unsigned d, int hh) {
  return date::sys_days{date::year_month_day{date::year{y}, date::month{m}, date::day{d}}} +
         std::chrono::hours{hh};
}

// A GitLab that is down: every call fails to connect, and is counted. Unless
// `commits_body` is set: then commit listings answer it.
class DownTransport final : public gitlab::Transport {
 public:
  Result<gitlab::HttpResponse> Send(const gitlab::HttpRequest& request) override {
    if (!commits_body.empty() && request.url.find("/repository/commits") != std::string::npos) {
      gitlab::HttpResponse response;
      response.status = 200;
      response.headers = {{"content-type", "application/json"}};
      response.body = commits_body;
      return response;
    }
    ++calls;
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, std::string(gitlab::kConnectFailed), "connection refused"});
  }
  std::atomic<int> calls{0};
  std::string commits_body;  // set before the workers call
};

class GitlabSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto key = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, 'k'));
    ASSERT_TRUE(key);
    secrets_ = std::make_unique<SecretBox>(*key);
    gitlab::ClientOptions client_options;
    client_options.retry.max_attempts = 1;
    org_ = std::make_unique<OrgGitlab>(*store_, clock_, transport_, *secrets_, client_options);
    SyncOptions options;
    options.public_url = "http://127.0.0.1:8080";
    options.poll_interval = seconds(300);
    options.refresh_margin = seconds(600);
    options.node_id = "test";
    sync_ = std::make_unique<GitlabSync>(*store_, clock_, *org_, options);

    auto admin = store_->Users().Create({.email = "admin@example.com",
                                         .name = "Admin",
                                         .role = domain::Role::kAdmin,
                                         .timezone = "UTC",
                                         .password_hash = ""});
    ASSERT_TRUE(admin);
    ASSERT_TRUE(store_->GitlabOrg().SetInstalled(true, admin->id));
    auto connected = store_->GitlabOrg().Connect(
        {.base_url = "http://127.0.0.1:8929",
         .client_id = "app",
         .client_secret_sealed = secrets_->Seal("secret"),
         .redirect_uri = "http://127.0.0.1:8080/apps/gitlab/oauth/callback",
         .access_token_sealed = secrets_->Seal("access"),
         .refresh_token_sealed = secrets_->Seal("refresh"),
         .token_expires_at = clock_.Now() + std::chrono::hours(2),
         .gitlab_user_id = 1,
         .gitlab_username = "owner",
         .gitlab_is_admin = false,
         .connected_by = admin->id,
         .hook_secret_sealed = secrets_->Seal("hook-secret")});
    ASSERT_TRUE(connected);
    generation_ = connected->generation;
    ASSERT_TRUE(store_->GitlabOrg().SyncProjects(
        generation_, {{.id = 11, .path_with_namespace = "acme/api", .web_url = "u"}}));
  }

  // Claims and completes every due job without running it; returns their kinds.
  std::vector<std::string> DrainKinds() {
    std::vector<std::string> kinds;
    while (true) {
      auto job = store_->Jobs().Claim("drain", clock_.Now(), seconds(60));
      EXPECT_TRUE(job);
      if (!job || !*job) {
        return kinds;
      }
      kinds.push_back((*job)->kind);
      EXPECT_TRUE(store_->Jobs().Complete((*job)->id));
    }
  }

  // Another connection to the database file (a fault the store cannot see coming).
  void Sql(const std::string& sql) {
    auto db = store::sqlite::Connection::Open(dir_.File("worklog.db"));
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->Exec(sql));
  }

  int64_t Activities() { return store_->Activities().Count().value_or(-1); }

  FakeClock clock_{At(2026, 11, 24, 9)};
  worklog::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  DownTransport transport_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<OrgGitlab> org_;
  std::unique_ptr<GitlabSync> sync_;
  int64_t generation_ = 0;
};

TEST_F(GitlabSyncTest, PollsAreScheduledOncePerPollInterval) {
  ASSERT_TRUE(sync_->Tick());
  auto first = DrainKinds();
  EXPECT_NE(std::find(first.begin(), first.end(), jobs::kPoll), first.end());
  EXPECT_NE(std::find(first.begin(), first.end(), jobs::kDiscover), first.end());
  EXPECT_NE(std::find(first.begin(), first.end(), jobs::kHook), first.end()) << "hook pending";

  clock_.Advance(seconds(299));
  ASSERT_TRUE(sync_->Tick());
  EXPECT_TRUE(DrainKinds().empty());

  clock_.Advance(seconds(1));
  ASSERT_TRUE(sync_->Tick());
  auto again = DrainKinds();
  EXPECT_NE(std::find(again.begin(), again.end(), jobs::kPoll), again.end());
}

TEST_F(GitlabSyncTest, TokensAreRefreshedBeforeTheyExpire) {
  ASSERT_TRUE(sync_->Tick());
  auto kinds = DrainKinds();
  EXPECT_EQ(std::find(kinds.begin(), kinds.end(), jobs::kRefresh), kinds.end());

  clock_.Advance(minutes(111));  // 9 minutes left, inside the 10-minute margin
  ASSERT_TRUE(sync_->Tick());
  kinds = DrainKinds();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), jobs::kRefresh), kinds.end());
}

TEST_F(GitlabSyncTest, UnmonitoredProjectIsNeverPolled) {
  ASSERT_TRUE(store_->GitlabOrg().SetMonitored(11, false));
  ASSERT_TRUE(sync_->EnqueuePoll(generation_, 11));
  auto ran = sync_->RunOneJob("worker");
  ASSERT_TRUE(ran);
  EXPECT_TRUE(*ran);
  EXPECT_EQ(transport_.calls.load(), 0);
  EXPECT_EQ(store_->Jobs().CountActive().value(), 0);
}

TEST_F(GitlabSyncTest, JobsOfAnOldConnectionAreDroppedAfterDisconnect) {
  ASSERT_TRUE(sync_->EnqueuePoll(generation_, 11));
  ASSERT_TRUE(store_->GitlabOrg().Disconnect());
  auto ran = sync_->RunOneJob("worker");
  ASSERT_TRUE(ran);
  EXPECT_TRUE(*ran);
  EXPECT_EQ(transport_.calls.load(), 0);
  EXPECT_EQ(store_->Jobs().CountActive().value(), 0);
}

TEST_F(GitlabSyncTest, GitlabDownRetriesThePollLaterWithBackoff) {
  ASSERT_TRUE(sync_->EnqueuePoll(generation_, 11));
  auto ran = sync_->RunOneJob("worker");
  ASSERT_TRUE(ran);
  EXPECT_GT(transport_.calls.load(), 0);
  EXPECT_EQ(store_->Jobs().CountActive().value(), 1) << "kept for a retry";
  // Not due again at once: the backoff runs on the clock.
  auto early = sync_->RunOneJob("worker");
  ASSERT_TRUE(early);
  EXPECT_FALSE(*early);
  clock_.Advance(minutes(1));
  auto later = sync_->RunOneJob("worker");
  ASSERT_TRUE(later);
  EXPECT_TRUE(*later);
}

// Stores a delivery now and, unless `pending`, marks it done; returns its inbox id.
int64_t Received(store::Store& store, const Clock& clock, const std::string& id,
                 bool pending = false) {
  EXPECT_EQ(store.Inbox().Insert(id, "Push Hook", "{}", clock.Now()).value(),
            store::InboxInsertResult::kStored);
  auto claimed = store.Inbox().ClaimPending(1, "w", clock.Now() + minutes(1)).value();
  EXPECT_EQ(claimed.size(), 1U);
  if (!pending) {
    EXPECT_TRUE(store.Inbox().MarkDone(claimed.at(0).id));
  }
  return claimed.at(0).id;
}

TEST_F(GitlabSyncTest, DoneDeliveriesLeaveTheInboxAWeekAfterTheyArrivedCheckedEveryTenMinutes) {
  const int64_t first = Received(*store_, clock_, "first");
  clock_.Advance(minutes(6));
  const int64_t second = Received(*store_, clock_, "second");
  const int64_t waiting = Received(*store_, clock_, "waiting", /*pending=*/true);
  clock_.Advance(std::chrono::hours(24 * 7) - minutes(3));  // first: 7 d 3 min old

  ASSERT_TRUE(sync_->Tick());
  EXPECT_EQ(store_->Inbox().GetStatus(first).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Inbox().GetStatus(second).value(), store::InboxStatus::kDone);
  // A resend of the removed one is a new delivery; of the kept one, a duplicate.
  EXPECT_EQ(store_->Inbox().Insert("second", "Push Hook", "{}", clock_.Now()).value(),
            store::InboxInsertResult::kDuplicate);

  clock_.Advance(minutes(5));  // second is old now, but the last look was 5 minutes ago
  ASSERT_TRUE(sync_->Tick());
  EXPECT_EQ(store_->Inbox().GetStatus(second).value(), store::InboxStatus::kDone);
  clock_.Advance(minutes(5));
  ASSERT_TRUE(sync_->Tick());
  EXPECT_EQ(store_->Inbox().GetStatus(second).error().code, ErrorCode::kNotFound);
  // Never a delivery that is not done, however old.
  EXPECT_EQ(store_->Inbox().GetStatus(waiting).value(), store::InboxStatus::kPending);
}

TEST_F(GitlabSyncTest, AFirstRetentionRunOverAManyDeliveryBacklogRemovesThemAll) {
  for (int i = 0; i < 2500; ++i) {
    ASSERT_EQ(
        store_->Inbox().Insert("d" + std::to_string(i), "Push Hook", "{}", clock_.Now()).value(),
        store::InboxInsertResult::kStored);
  }
  auto claimed = store_->Inbox().ClaimPending(2500, "w", clock_.Now() + minutes(1)).value();
  std::vector<int64_t> ids;
  ids.reserve(claimed.size());
  for (const auto& delivery : claimed) {
    ids.push_back(delivery.id);
  }
  ASSERT_TRUE(store_->Inbox().MarkAllDone(ids));
  clock_.Advance(std::chrono::hours(24 * 8));
  EXPECT_EQ(sync_->PruneInbox().value(), 2500);  // three writes of at most 1,000
  EXPECT_EQ(sync_->PruneInbox(/*force=*/true).value(), 0);
}

TEST_F(GitlabSyncTest, ARetentionOfZeroKeepsEveryDelivery) {
  SyncOptions options = sync_->options();
  options.inbox_retention = std::chrono::hours(0);
  GitlabSync keeping(*store_, clock_, *org_, options);
  const int64_t old = Received(*store_, clock_, "old");
  clock_.Advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(keeping.PruneInbox(/*force=*/true).value(), 0);
  EXPECT_EQ(store_->Inbox().GetStatus(old).value(), store::InboxStatus::kDone);
}

}  // namespace
}  // namespace worklog::sync

namespace worklog::sync {
namespace {

constexpr std::string_view kSmartPush = R"json({
  "object_kind": "push", "event_name": "push",
  "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
  "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
  "ref": "refs/heads/feature/PROJ-7-login", "user_id": 4, "user_name": "Dev",
  "project_id": 11,
  "project": {"id": 11, "path_with_namespace": "acme/api", "web_url": "u"},
  "commits": [
    {"id": "aaaa560886d4f094c3e6c9ef40349f7d38b5d27d", "message": "PROJ-7 Tune #time 1h",
     "timestamp": "2026-11-24T08:00:00Z", "url": "u",
     "author": {"name": "Dev", "email": "dev@example.com"}},
    {"id": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "message": "PROJ-7 plain",
     "timestamp": "2026-11-24T08:30:00Z", "url": "u",
     "author": {"name": "Dev", "email": "dev@example.com"}}
  ],
  "total_commits_count": 2
})json";

TEST_F(GitlabSyncTest, WebhookSmartCommitsReachTheHandlerWithTheirAuthoredTime) {
  std::vector<std::string> seen;
  std::vector<TimePoint> times;
  int failures = 1;
  sync_->SetSmartCommitHandler([&](const std::vector<domain::Activity>& commits) -> Status {
    for (const auto& commit : commits) {
      seen.push_back(commit.key);
      times.push_back(commit.occurred_at);
      EXPECT_EQ(commit.time_spent_seconds, 3600);
    }
    if (failures-- > 0) {
      return tl::unexpected(Error{ErrorCode::kUnavailable, "", "database is busy"});
    }
    return {};
  });
  auto stored = store_->Inbox().Insert("delivery-1", "Push Hook", kSmartPush, clock_.Now());
  ASSERT_TRUE(stored) << stored.error().message;
  // GitLab is down (the authored time is unknown): the delivery stays pending (its
  // activities are stored already) and the handler is not called.
  auto handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 0);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 1);
  EXPECT_TRUE(seen.empty());
  // GitLab is back: the commit was authored at 07:00 and committed (rebased) at 08:00.
  transport_.commits_body = R"json([{"id": "aaaa560886d4f094c3e6c9ef40349f7d38b5d27d",
      "title": "PROJ-7 Tune #time 1h", "message": "PROJ-7 Tune #time 1h",
      "author_name": "Dev", "author_email": "dev@example.com",
      "authored_date": "2026-11-24T07:00:00Z", "committed_date": "2026-11-24T08:00:00Z",
      "parent_ids": []}])json";
  // The handler fails once: retried after the lease, the same commit handed over again.
  clock_.Advance(sync_->options().inbox_lease + seconds(1));
  handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 0);
  clock_.Advance(sync_->options().inbox_lease + seconds(1));
  handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 1);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 0);
  const std::string key = "commit:11:aaaa560886d4f094c3e6c9ef40349f7d38b5d27d";
  EXPECT_EQ(seen, (std::vector<std::string>{key, key}));
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[1], At(2026, 11, 24, 7));
}

// A worker's batch of webhook deliveries: its activities and the done marks of its
// deliveries are one write.

// A push of one plain commit (no smart-commit time) to the monitored project 11.
std::string Push(char sha) {
  const std::string id(40, sha);
  return R"json({"object_kind": "push", "event_name": "push",
    "before": "95790bf891e76fee5e1747ab589903a6a1f80f22", "after": ")json" +
         id + R"json(", "ref": "refs/heads/main", "user_id": 4, "user_name": "Dev",
    "project_id": 11, "project": {"id": 11, "path_with_namespace": "acme/api", "web_url": "u"},
    "commits": [{"id": ")json" +
         id + R"json(", "message": "PROJ-7 plain", "timestamp": "2026-11-24T08:00:00Z",
      "url": "u", "author": {"name": "Dev", "email": "dev@example.com"}}],
    "total_commits_count": 1})json";
}

TEST_F(GitlabSyncTest, AFaultMarkingTheBatchDoneLeavesNeitherItsActivitiesNorItsMarks) {
  for (const char sha : {'a', 'b'}) {
    ASSERT_EQ(store_->Inbox().Insert(std::string(1, sha), "Push Hook", Push(sha), clock_.Now()),
              store::InboxInsertResult::kStored);
  }
  // The done marks fail after the activities were written: the batch, then each delivery
  // alone.
  Sql(R"sql(CREATE TRIGGER done_fault BEFORE UPDATE OF status ON webhook_inbox
            WHEN NEW.status = 'done' BEGIN SELECT RAISE(ABORT, 'disk fault'); END)sql");
  auto handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(*handled, 0);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 2);
  EXPECT_EQ(Activities(), 0);

  // Once the fault is gone, the deliveries are claimed again after their lease: both
  // commits stored and both deliveries done.
  Sql("DROP TRIGGER done_fault");
  clock_.Advance(sync_->options().inbox_lease + seconds(1));
  handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(*handled, 2);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 0);
  EXPECT_EQ(Activities(), 2);
}

TEST_F(GitlabSyncTest, ADeliveryThatFailsAloneDoesNotHoldBackTheRestOfItsBatch) {
  for (const char sha : {'a', 'b', 'c'}) {
    ASSERT_EQ(store_->Inbox().Insert(std::string(1, sha), "Push Hook", Push(sha), clock_.Now()),
              store::InboxInsertResult::kStored);
  }
  // The commit of the second push cannot be stored (the batch's write fails with it).
  Sql(R"sql(CREATE TRIGGER commit_fault BEFORE INSERT ON activities
            WHEN hex(NEW.sha) LIKE 'BBBB%' OR NEW.sha LIKE 'bbbb%'
            BEGIN SELECT RAISE(ABORT, 'disk fault'); END)sql");
  auto handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(*handled, 2);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 1);
  EXPECT_EQ(Activities(), 2);
}

}  // namespace
}  // namespace worklog::sync
