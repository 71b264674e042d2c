// A worker's batch of webhook deliveries over a real (SQLite) store: its activities and
// the done marks of its deliveries are one write.
#include <date/date.h>
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "store/sqlite/sqlite_db.h"
#include "support/temp_dir.h"
#include "sync/gitlab_sync.h"

namespace worklog::sync {
namespace {

// A GitLab the batch must not need: every call fails to connect.
class DownTransport final : public gitlab::Transport {
 public:
  Result<gitlab::HttpResponse> Send(const gitlab::HttpRequest& /*request*/) override {
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, std::string(gitlab::kConnectFailed), "connection refused"});
  }
};

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

class InboxBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("worklog.db"), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto key = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, 'k'));
    ASSERT_TRUE(key);
    secrets_ = std::make_unique<SecretBox>(std::move(*key));
    org_ = std::make_unique<OrgGitlab>(*store_, clock_, transport_, *secrets_,
                                       gitlab::ClientOptions{});
    SyncOptions options;
    options.public_url = "http://127.0.0.1:8080";
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
    ASSERT_TRUE(store_->GitlabOrg().SyncProjects(
        connected->generation, {{.id = 11, .path_with_namespace = "acme/api", .web_url = "u"}}));
  }

  // Another connection to the database file (a fault the store cannot see coming).
  void Sql(const std::string& sql) {
    auto db = store::sqlite::Connection::Open(dir_.File("worklog.db"));
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->Exec(sql));
  }

  int64_t Activities() { return store_->Activities().Count().value_or(-1); }

  FakeClock clock_{date::sys_days{date::year{2026} / 11 / 24} + std::chrono::hours(9)};
  worklog::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  DownTransport transport_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<OrgGitlab> org_;
  std::unique_ptr<GitlabSync> sync_;
};

TEST_F(InboxBatchTest, AFaultMarkingTheBatchDoneLeavesNeitherItsActivitiesNorItsMarks) {
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
  clock_.Advance(sync_->options().inbox_lease + std::chrono::seconds(1));
  handled = sync_->RunInboxBatch("w");
  ASSERT_TRUE(handled) << handled.error().message;
  EXPECT_EQ(*handled, 2);
  EXPECT_EQ(store_->Inbox().CountPending().value_or(-1), 0);
  EXPECT_EQ(Activities(), 2);
}

TEST_F(InboxBatchTest, ADeliveryThatFailsAloneDoesNotHoldBackTheRestOfItsBatch) {
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
