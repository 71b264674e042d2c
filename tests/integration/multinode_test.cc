// Issue #7.1: two `worklog serve` nodes on one PostgreSQL share all the work. GitLab's
// webhooks reach them alternately through a round-robin proxy (as behind nginx), both run
// workers, and one node is killed with SIGKILL in the middle. Every delivery becomes exactly
// one set of activities, no job or delivery is completed twice, and what people see (Activity
// Feed and worklogs) is identical to a single node's run of the same input.

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gitlab_world.h"

namespace worklog::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct RunResult {
  json ada;
  json bob;
  int pushes = 0;
  std::size_t commits = 0;
};

// The same GitLab work every run: pushes by ada and bob to two projects, dated yesterday
// (so that both runs see the same days), one of them a smart commit. `between` runs after
// each push (the multinode run kills and restarts a node there).
std::vector<std::string> DoWork(GitlabWorld& world, const std::function<void(int)>& between) {
  const auto day = std::chrono::floor<date::days>(SystemClock().Now()) - date::days(1);
  const TimePoint nine = TimePoint(day) + hours(9);
  std::vector<std::string> shas;
  constexpr int kPushes = 24;
  for (int i = 0; i < kPushes; ++i) {
    const auto& person = i % 2 == 0 ? world.ada() : world.bob();
    const int64_t project = i % 3 == 0 ? world.web_id() : world.api_id();
    const std::string key = "PROJ-" + std::to_string(1 + (i / 4));
    const TimePoint at = nine + minutes(10 * i);
    std::vector<std::pair<std::string, TimePoint>> commits = {
        {key + " step " + std::to_string(i), at}};
    if (i % 5 == 0) {
      commits.emplace_back(key + " follow-up " + std::to_string(i), at + minutes(4));
    }
    if (i == 7) {
      commits.emplace_back(key + " #time 1h 30m tuned the cache", at + minutes(6));
    }
    for (auto& sha : world.Push(project, person, "main", commits)) {
      shas.push_back(sha);
    }
    between(i);
  }
  return shas;
}

std::string Day(int days_ago) {
  const auto day = std::chrono::floor<date::days>(SystemClock().Now()) - date::days(days_ago);
  return date::format("%F", day);
}

class Multinode : public ::testing::Test {};

TEST_F(Multinode, TwoNodesShareTheWorkAndAKilledNodeLosesNothing) {
  const std::vector<std::string> args = {"--poll-interval", "3600", "--worker-lease", "3"};

  // --- The reference: one node ------------------------------------------------------------
  RunResult single;
  {
    auto world = GitlabWorld::Create(Backend::kPostgres);
    if (!world) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    world->SetUp(1, args);
    ASSERT_FALSE(HasFatalFailure());
    world->Connect();
    ASSERT_FALSE(HasFatalFailure());
    const auto shas = DoWork(*world, [](int) {});
    Db db(world->db_url());
    ASSERT_TRUE(world->WaitQuiet(db)) << world->NodeLogs();
    ASSERT_TRUE(WaitFor([&] { return world->CommitsStored(db).size() == shas.size(); }));
    single.ada = world->View(world->ada().email, Day(2), Day(0));
    single.bob = world->View(world->bob().email, Day(2), Day(0));
    single.commits = shas.size();
  }

  // --- Two nodes, alternating, one killed in the middle -------------------------------------
  auto world = GitlabWorld::Create(Backend::kPostgres);
  ASSERT_NE(world, nullptr);
  world->SetUp(2, args);
  ASSERT_FALSE(HasFatalFailure());
  world->Connect();
  ASSERT_FALSE(HasFatalFailure());
  int killed_at = -1;
  const auto shas = DoWork(*world, [&](int i) {
    if (i == 11) {
      // Mid-stream: node 1 may hold claimed deliveries and jobs.
      world->node(1).Kill();
      world->UpdateBackends();
      killed_at = i;
    }
    if (i == 17) {
      ASSERT_TRUE(world->node(1).Start().has_value());
      world->UpdateBackends();
    }
  });
  ASSERT_EQ(killed_at, 11);
  Db db(world->db_url());
  ASSERT_TRUE(world->WaitQuiet(db)) << world->NodeLogs();
  ASSERT_TRUE(WaitFor([&] { return world->CommitsStored(db).size() == shas.size(); }))
      << world->CommitsStored(db).size() << " of " << shas.size();

  // Every delivery GitLab sent was acknowledged (by one node or the other) and normalized
  // once; every commit is one activity.
  const json deliveries = world->Deliveries();
  int sent = 0;
  int delivered = 0;
  for (const auto& d : deliveries) {
    ++sent;
    delivered += d["outcome"] == "delivered" ? 1 : 0;
  }
  const RoundRobinProxy::HookCounts hooks = world->proxy().Hooks();
  const std::string logs = world->NodeLogs();
  const auto done = LogValues(logs, "webhook delivery done", "id");
  const std::set<std::string> distinct_done(done.begin(), done.end());
  EXPECT_EQ(delivered, sent) << deliveries.dump();
  EXPECT_EQ(static_cast<int>(hooks.acknowledged_uuids.size()), sent);
  // Every acknowledged delivery is normalized: the inbox ends with nothing pending (checked
  // below) and every commit is stored. The "done" log lines can miss one delivery per kill:
  // node 1 may have committed it and died before writing the line.
  EXPECT_LE(distinct_done.size(), hooks.acknowledged_uuids.size());
  EXPECT_GE(distinct_done.size() + 1, hooks.acknowledged_uuids.size())
      << "more acknowledged deliveries without a done line than nodes killed";
  EXPECT_EQ(done.size(), distinct_done.size()) << "a delivery was normalized to completion twice";
  EXPECT_GT(hooks.acknowledged_by_port.size(), 1u) << "both nodes took deliveries";
  for (const auto& [sha, count] : world->CommitsStored(db)) {
    EXPECT_EQ(count, 1) << sha;
  }
  // No job ran twice to completion.
  const auto jobs = LogValues(logs, "job done", "id");
  const std::set<std::string> distinct_jobs(jobs.begin(), jobs.end());
  EXPECT_EQ(jobs.size(), distinct_jobs.size()) << "a job ran twice to completion";
  auto pending = db->Inbox().CountPending();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, 0);

  // What people see: the same as with one node.
  EXPECT_EQ(world->View(world->ada().email, Day(2), Day(0)), single.ada);
  EXPECT_EQ(world->View(world->bob().email, Day(2), Day(0)), single.bob);
  EXPECT_EQ(shas.size(), single.commits);
  EXPECT_FALSE(single.ada["suggestions"].empty());

  std::cout << "[ multinode ] pushes=24 commits=" << shas.size() << " deliveries sent=" << sent
            << " acknowledged=" << hooks.acknowledged_uuids.size()
            << " normalized=" << distinct_done.size() << " jobs_done=" << distinct_jobs.size()
            << " by_node=";
  for (const auto& [port, count] : hooks.acknowledged_by_port) {
    std::cout << port << ":" << count << " ";
  }
  std::cout << "\n";
}

}  // namespace
}  // namespace worklog::testing
