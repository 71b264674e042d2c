// Issue #7.3: GitLab misbehaving, through the simulator's fault injection (/-/sim/faults):
// 429 storms with Retry-After, 500s, 30 s stalls, truncated bodies, a revoked token, a
// project deleted while it is polled, a hook that stops delivering. worklog keeps serving,
// the work arrives once the fault is over (exactly once), and the administrator sees the
// state on the Organization and Projects endpoints and in /metrics. SQLite and PostgreSQL.

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gitlab_world.h"

namespace worklog::testing {
namespace {

// The value of one Prometheus series (`name{labels}` exactly as rendered), 0 when absent.
double Metric(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (line.rfind(prefix, 0) == 0) {
      return std::stod(line.substr(prefix.size()));
    }
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return 0;
}

class GitlabFaults : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    world_ = GitlabWorld::Create(GetParam());
    if (!world_) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    world_->SetUp(1, {"--poll-interval", "5", "--gitlab-timeout", "2"});
    ASSERT_FALSE(HasFatalFailure());
    world_->Connect();
    ASSERT_FALSE(HasFatalFailure());
    db_ = std::make_unique<Db>(world_->db_url());
  }

  void Fault(const json& fault) {
    const Reply reply = world_->SimPost("/-/sim/faults", fault);
    ASSERT_EQ(reply.status, 201) << reply.body;
    ++faults_;
  }
  void ClearFaults() {
    httplib::Client client(world_->sim().url());
    client.Delete("/-/sim/faults", {{"Authorization", "Bearer " + std::string(kRootToken)}});
  }

  // Pushes whose webhooks GitLab never sends: only reconciliation from the cursor brings
  // them. Dated now: GitLab dates a push event when the push happens (the simulator dates it
  // by its newest commit, so backdated commits would make a backdated event GitLab never
  // produces).
  std::vector<std::string> PushUndelivered(int64_t project, int count, const std::string& key) {
    Fault({{"kind", "hook_drop"}, {"count", count}});
    return Push(project, count, key);
  }
  std::vector<std::string> Push(int64_t project, int count, const std::string& key) {
    std::vector<std::string> shas;
    for (int i = 0; i < count; ++i) {
      ++pushes_;
      const TimePoint at = SystemClock().Now();
      for (auto& sha : world_->Push(project, world_->ada(), "main",
                                    {{key + " work " + std::to_string(i), at}})) {
        shas.push_back(sha);
      }
    }
    return shas;
  }

  // Every one of `shas` stored, each exactly once.
  void ExpectArrivedOnce(const std::vector<std::string>& shas, seconds deadline = seconds(60)) {
    const bool arrived = WaitFor(
        [&] {
          const auto stored = world_->CommitsStored(*db_);
          for (const auto& sha : shas) {
            if (!stored.contains(sha)) {
              return false;
            }
          }
          return true;
        },
        deadline);
    EXPECT_TRUE(arrived) << "the work did not arrive after the fault\n" << world_->NodeLogs();
    for (const auto& [sha, count] : world_->CommitsStored(*db_)) {
      EXPECT_EQ(count, 1) << sha;
    }
  }

  std::string Metrics() {
    ApiClient client(world_->node(0).port());
    return client.Get("/metrics").body;
  }
  json Organization() { return Admin().Get("/api/v1/apps/gitlab/organization").json; }
  json Projects() { return Admin().Get("/api/v1/apps/gitlab/projects").json; }
  SessionClient& Admin() {
    if (!admin_) {
      admin_ = std::make_unique<SessionClient>(world_->Admin());
    }
    return *admin_;
  }
  void ExpectServing() {
    ApiClient client(world_->node(0).port());
    EXPECT_EQ(client.Get("/healthz").status, 200);
    EXPECT_TRUE(world_->node(0).running());
  }

  void TearDown() override {
    if (world_) {
      ClearFaults();
      std::cout << "[ faults ] " << ::testing::UnitTest::GetInstance()->current_test_info()->name()
                << " injected=" << faults_ << "\n";
    }
  }

  std::unique_ptr<GitlabWorld> world_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<SessionClient> admin_;
  int faults_ = 0;
  int pushes_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, GitlabFaults,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(GitlabFaults, RateLimitStormAndServerErrorsDelayTheWorkButLoseNothing) {
  // Every project read answers 429 (Retry-After: 1) until the storm ends.
  Fault({{"kind", "status"},
         {"status", 429},
         {"retry_after", 1},
         {"count", 10000},
         {"path_prefix", "/api/v4/projects/"},
         {"method", "GET"}});
  const auto shas = PushUndelivered(world_->api_id(), 3, "RATE-1");
  ASSERT_TRUE(WaitFor([&] { return !Organization()["last_error"].is_null(); }, seconds(40)))
      << Organization().dump();
  const json organization = Organization();
  EXPECT_EQ(organization["status"], "connected");
  EXPECT_NE(organization["last_error"].get<std::string>().find("GitLab answered 429"),
            std::string::npos)
      << organization.dump();
  // The poll job counts its retry once its attempt has ended (after the client's own waits
  // on Retry-After): the administrator sees it in /metrics shortly after the error.
  std::string metrics;
  EXPECT_TRUE(WaitFor(
      [&] {
        metrics = Metrics();
        return Metric(metrics, R"(worklog_gitlab_sync_errors_total{kind="gitlab.poll_project",)"
                               R"(outcome="retried"})") > 0;
      },
      seconds(30)))
      << metrics;
  EXPECT_GT(Metric(metrics, R"(worklog_gitlab_requests_total{status="429"})"), 0) << metrics;
  EXPECT_EQ(Metric(metrics, "worklog_gitlab_organization_error"), 1);
  ExpectServing();

  // The storm ends; a few 500s follow (absorbed by retries).
  ClearFaults();
  Fault({{"kind", "status"},
         {"status", 500},
         {"count", 3},
         {"path_prefix", "/api/v4/projects/"},
         {"method", "GET"}});
  ExpectArrivedOnce(shas, seconds(90));
  EXPECT_TRUE(WaitFor([&] { return Organization()["last_error"].is_null(); }, seconds(30)))
      << Organization().dump();
  metrics = Metrics();
  EXPECT_GT(Metric(metrics, R"(worklog_gitlab_requests_total{status="500"})"), 0) << metrics;
  EXPECT_EQ(Metric(metrics, "worklog_gitlab_inbox_pending"), 0);
  ExpectServing();
}

TEST_P(GitlabFaults, StalledAndTruncatedResponsesAreRetried) {
  // A 30 s stall (the server waits --gitlab-timeout 2 s, then retries) and two truncated
  // bodies, on the reads polling needs.
  Fault({{"kind", "delay"},
         {"delay_ms", 30000},
         {"count", 1},
         {"path_prefix", "/api/v4/projects/"},
         {"method", "GET"}});
  Fault({{"kind", "truncate"},
         {"count", 2},
         {"path_prefix", "/api/v4/projects/"},
         {"method", "GET"}});
  const auto shas = PushUndelivered(world_->api_id(), 2, "SLOW-1");
  ExpectArrivedOnce(shas);
  const std::string metrics = Metrics();
  EXPECT_GT(Metric(metrics, R"(worklog_gitlab_requests_total{status="timeout"})"), 0) << metrics;
  EXPECT_GT(Metric(metrics, R"(worklog_gitlab_requests_total{status="transport"})") +
                Metric(metrics, R"(worklog_gitlab_requests_total{status="200"})"),
            0)
      << metrics;
  ExpectServing();
}

TEST_P(GitlabFaults, RevokedTokenAsksForReauthorizationThenTheWorkArrives) {
  const Reply revoked = world_->SimPost("/-/sim/users/owner/revoke_tokens", json::object());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  ++faults_;
  const auto shas = PushUndelivered(world_->api_id(), 2, "AUTH-1");
  ASSERT_TRUE(
      WaitFor([&] { return Organization()["status"] == "needs_reauthorization"; }, seconds(30)))
      << Organization().dump();
  EXPECT_FALSE(Organization()["last_error"].is_null());
  std::string metrics = Metrics();
  EXPECT_EQ(
      Metric(metrics, R"(worklog_gitlab_organization_status{status="needs_reauthorization"})"), 1)
      << metrics;
  EXPECT_GT(Metric(metrics, R"(worklog_gitlab_requests_total{status="401"})"), 0) << metrics;
  ExpectServing();

  // The administrator connects the organization again: the work done meanwhile arrives.
  world_->Authorize(Admin(), world_->admin_session());
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(Organization()["status"], "connected");
  ExpectArrivedOnce(shas);
  metrics = Metrics();
  EXPECT_EQ(Metric(metrics, R"(worklog_gitlab_organization_status{status="connected"})"), 1);
}

TEST_P(GitlabFaults, ProjectDeletedWhilePolledLeavesTheOthersWorking) {
  const auto before = Push(world_->web_id(), 1, "GONE-1");
  ExpectArrivedOnce(before);
  httplib::Client client(world_->sim().url());
  const auto deleted =
      client.Delete(("/api/v4/projects/" + std::to_string(world_->web_id())).c_str(),
                    {{"Authorization", "Bearer " + std::string(kRootToken)}});
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 202) << deleted->body;
  ++faults_;
  const auto shas = PushUndelivered(world_->api_id(), 2, "KEEP-1");
  ExpectArrivedOnce(shas);
  EXPECT_TRUE(WaitFor(
      [&] {
        const json projects = Projects();
        return projects.is_array() && projects.size() == 1 && projects[0]["id"] == world_->api_id();
      },
      seconds(30)))
      << Projects().dump();
  EXPECT_EQ(Organization()["status"], "connected");
  ExpectServing();
}

TEST_P(GitlabFaults, HookThatStopsDeliveringIsReplacedAndPolledMeanwhile) {
  const auto hooks_of = [&](int64_t project) {
    return world_->sim().Api("GET", "/projects/" + std::to_string(project) + "/hooks").json;
  };
  const json before = hooks_of(world_->api_id());
  ASSERT_EQ(before.size(), 1u) << before.dump();
  const int64_t old_hook = before[0]["id"];
  // Every delivery attempt fails: after 4 failed deliveries GitLab disables the hook and
  // sends nothing more.
  Fault({{"kind", "hook_failure"}, {"count", 1000}, {"status", 500}});
  const auto shas = Push(world_->api_id(), 6, "HOOK-1");
  ExpectArrivedOnce(shas);  // by polling
  ClearFaults();
  // worklog replaced the disabled hook with a working one.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json hooks = hooks_of(world_->api_id());
        return hooks.size() == 1 && hooks[0]["id"] != old_hook &&
               hooks[0].value("alert_status", "") == "executable";
      },
      seconds(30)))
      << hooks_of(world_->api_id()).dump();
  const json projects = Projects();
  for (const auto& project : projects) {
    EXPECT_EQ(project["hook_status"], "active") << projects.dump();
  }
  // And it delivers again.
  const auto after = Push(world_->api_id(), 1, "HOOK-2");
  ExpectArrivedOnce(after);
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& d : world_->Deliveries()) {
          if (d["hook_id"] != old_hook && d["outcome"] == "delivered") {
            return true;
          }
        }
        return false;
      },
      seconds(20)));
  ExpectServing();
}

}  // namespace
}  // namespace worklog::testing
