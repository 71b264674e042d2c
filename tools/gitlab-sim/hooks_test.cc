#include <deque>
#include <mutex>
#include <thread>

#include "gitlab-sim/sim_test_util.h"

namespace worklog::gitlab_sim::testing {
namespace {

struct Received {
  httplib::Headers headers;
  json body;
  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A webhook receiver on 127.0.0.1:0 that records what it gets and answers with the queued
// statuses (200 once they run out).
class Receiver {
 public:
  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      received_.push_back(Received{req.headers, json::parse(req.body, nullptr, false)});
      int status = 200;
      if (!statuses_.empty()) {
        status = statuses_.front();
        statuses_.pop_front();
      }
      res.status = status;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  Receiver(Receiver&&) = delete;
  Receiver& operator=(Receiver&&) = delete;
  ~Receiver() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void Respond(std::initializer_list<int> statuses) {
    std::lock_guard lock(mutex_);
    statuses_.insert(statuses_.end(), statuses);
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;  // Guarded by mutex_.
  std::deque<int> statuses_;        // Guarded by mutex_.
};

class HooksTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    dev_ = MakeUser("dev", true);
    project_ = MakeProject("hooked");
    AddProjectMember(project_, dev_, 40);
    p_ = "/api/v4/projects/" + std::to_string(project_);
    const Reply hook = Post(p_ + "/hooks", {{"url", receiver_.url()},
                                            {"token", "hook-secret"},
                                            {"push_events", true},
                                            {"merge_requests_events", true},
                                            {"note_events", true},
                                            {"issues_events", true}});
    ASSERT_EQ(hook.status, 201) << hook.text;
    hook_id_ = hook.body["id"];
  }

  json Deliveries() { return Get("/-/sim/deliveries?hook_id=" + std::to_string(hook_id_)).body; }

  Receiver receiver_;
  std::int64_t dev_ = 0;
  std::int64_t project_ = 0;
  std::int64_t hook_id_ = 0;
  std::string p_;
};

TEST_F(HooksTest, CommitDeliversAPushHookWithGitLabsHeaders) {
  ASSERT_EQ(Commit(project_, "feature/ABC-7", "ABC-7 wire it up", "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
  const Received got = receiver_.received()[0];
  EXPECT_EQ(got.Header("X-Gitlab-Event"), "Push Hook");
  EXPECT_EQ(got.Header("X-Gitlab-Token"), "hook-secret");
  EXPECT_EQ(got.Header("X-Gitlab-Instance"), sim_->url());
  EXPECT_EQ(got.Header("User-Agent"), "GitLab/17.6.0");
  EXPECT_EQ(got.Header("Content-Type"), "application/json");
  EXPECT_EQ(got.Header("X-Gitlab-Event-UUID").size(), 36U);
  EXPECT_EQ(got.Header("X-Gitlab-Webhook-UUID").size(), 36U);
  EXPECT_EQ(got.Header("Idempotency-Key").size(), 36U);
  EXPECT_EQ(got.body["object_kind"], "push");
  EXPECT_EQ(got.body["ref"], "refs/heads/feature/ABC-7");
  EXPECT_EQ(got.body["before"], std::string(40, '0'));
  EXPECT_EQ(got.body["user_username"], "dev");
  EXPECT_EQ(got.body["user_email"], "dev@example.com");
  EXPECT_EQ(got.body["total_commits_count"], 1);
  EXPECT_EQ(got.body["commits"][0]["message"], "ABC-7 wire it up");
  EXPECT_EQ(got.body["commits"][0]["author"]["email"], "dev@example.com");
}

TEST_F(HooksTest, PusherWithoutPublicEmailIsRedacted) {
  MakeUser("quiet");
  AddProjectMember(project_, 3, 30);
  ASSERT_EQ(Commit(project_, "topic", "quiet work", "quiet").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
  EXPECT_EQ(receiver_.received()[0].body["user_email"], "[REDACTED]");
  EXPECT_EQ(receiver_.received()[0].body["commits"][0]["author"]["email"], "quiet@example.com");
}

TEST_F(HooksTest, PushOfMoreThanTwentyCommitsCarriesTheNewestTwenty) {
  json commits = json::array();
  for (int i = 1; i <= 25; ++i) {
    commits.push_back(
        {{"message", "c" + std::to_string(i)},
         {"actions",
          {{{"action", "create"}, {"file_path", "n" + std::to_string(i)}, {"content", "x"}}}}});
  }
  const Reply pushed =
      Post("/-/sim/projects/" + std::to_string(project_) + "/push",
           {{"branch", "bulk"}, {"start_branch", "main"}, {"commits", commits}}, "dev");
  ASSERT_EQ(pushed.status, 201) << pushed.text;
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
  const json body = receiver_.received()[0].body;
  EXPECT_EQ(body["total_commits_count"], 25);
  ASSERT_EQ(body["commits"].size(), 20U);
  EXPECT_EQ(body["commits"][0]["message"], "c6");
  EXPECT_EQ(body["commits"][19]["message"], "c25");
}

TEST_F(HooksTest, MergeRequestNoteAndIssueHooksHaveTheirShapes) {
  ASSERT_EQ(Commit(project_, "feature/MR", "work", "dev").status, 201);
  ASSERT_EQ(
      Post(p_ + "/merge_requests",
           {{"source_branch", "feature/MR"}, {"target_branch", "main"}, {"title", "T"}}, "dev")
          .status,
      201);
  ASSERT_EQ(Post(p_ + "/merge_requests/1/notes", {{"body", "looks good"}}, "dev").status, 201);
  ASSERT_EQ(Post(p_ + "/issues", {{"title", "PROJ-1 bug"}}, "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 4; }));
  const auto got = receiver_.received();
  EXPECT_EQ(got[1].Header("X-Gitlab-Event"), "Merge Request Hook");
  EXPECT_EQ(got[1].body["object_attributes"]["action"], "open");
  EXPECT_EQ(got[1].body["object_attributes"]["source_branch"], "feature/MR");
  EXPECT_EQ(got[1].body["user"]["username"], "dev");
  EXPECT_EQ(got[2].Header("X-Gitlab-Event"), "Note Hook");
  EXPECT_EQ(got[2].body["object_attributes"]["noteable_type"], "MergeRequest");
  EXPECT_EQ(got[2].body["merge_request"]["iid"], 1);
  EXPECT_EQ(got[3].Header("X-Gitlab-Event"), "Issue Hook");
  EXPECT_EQ(got[3].body["object_attributes"]["action"], "open");
  // Different events never share an event UUID.
  EXPECT_NE(got[1].Header("X-Gitlab-Event-UUID"), got[2].Header("X-Gitlab-Event-UUID"));
}

TEST_F(HooksTest, FailedDeliveryIsRetriedWithTheSameIdempotencyKey) {
  receiver_.Respond({500});
  ASSERT_EQ(Commit(project_, "retry", "retry me", "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 2; }));
  const auto got = receiver_.received();
  EXPECT_EQ(got[0].Header("Idempotency-Key"), got[1].Header("Idempotency-Key"));
  ASSERT_TRUE(sim_->WaitForDeliveries(std::chrono::seconds{10}));
  const json log = Deliveries();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0]["outcome"], "delivered");
  EXPECT_EQ(log[0]["attempts"].size(), 2U);
}

TEST_F(HooksTest, FourConsecutiveFailuresDisableTheHookTemporarily) {
  ASSERT_EQ(
      Post("/-/sim/faults", {{"kind", "hook_failure"}, {"count", 100}, {"status", 502}}).status,
      201);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(Commit(project_, "b" + std::to_string(i), "fail " + std::to_string(i), "dev").status,
              201);
    ASSERT_TRUE(sim_->WaitForDeliveries(std::chrono::seconds{10}));
  }
  const Reply hook = Get(p_ + "/hooks/" + std::to_string(hook_id_));
  EXPECT_EQ(hook.body["alert_status"], "temporarily_disabled");
  EXPECT_FALSE(hook.body["disabled_until"].is_null());
  ASSERT_EQ(Delete("/-/sim/faults").status, 204);
  ASSERT_EQ(Commit(project_, "b9", "while disabled", "dev").status, 201);
  ASSERT_TRUE(sim_->WaitForDeliveries(std::chrono::seconds{10}));
  const json log = Deliveries();
  ASSERT_EQ(log.size(), 5U);
  EXPECT_EQ(log[3]["outcome"], "failed");
  EXPECT_EQ(log[3]["attempts"].size(), 3U);  // first try + 2 retries
  EXPECT_EQ(log[4]["outcome"], "skipped");
  EXPECT_TRUE(receiver_.received().empty());
  // After the pause the hook fires again.
  clock_.Advance(std::chrono::minutes{2});
  ASSERT_EQ(Commit(project_, "b10", "after the pause", "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
}

TEST_F(HooksTest, DroppedDeliveryIsNeverSent) {
  ASSERT_EQ(Post("/-/sim/faults", {{"kind", "hook_drop"}, {"count", 1}}).status, 201);
  ASSERT_EQ(Commit(project_, "d1", "dropped", "dev").status, 201);
  ASSERT_EQ(Commit(project_, "d2", "sent", "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
  ASSERT_TRUE(sim_->WaitForDeliveries(std::chrono::seconds{10}));
  EXPECT_EQ(receiver_.received()[0].body["commits"][0]["message"], "sent");
  EXPECT_EQ(Deliveries()[0]["outcome"], "dropped");
}

TEST_F(HooksTest, BranchFilterLimitsPushHooks) {
  ASSERT_EQ(
      Put(p_ + "/hooks/" + std::to_string(hook_id_), {{"push_events_branch_filter", "release/*"}})
          .status,
      200);
  ASSERT_EQ(Commit(project_, "feature/no", "ignored", "dev").status, 201);
  ASSERT_EQ(Commit(project_, "release/1.0", "wanted", "dev").status, 201);
  ASSERT_TRUE(Eventually([&] { return receiver_.received().size() == 1; }));
  ASSERT_TRUE(sim_->WaitForDeliveries(std::chrono::seconds{10}));
  EXPECT_EQ(receiver_.received().size(), 1U);
  EXPECT_EQ(receiver_.received()[0].body["ref"], "refs/heads/release/1.0");
}

}  // namespace
}  // namespace worklog::gitlab_sim::testing
