#include <set>

#include "gitlab-sim/sim_test_util.h"

namespace worklog::gitlab_sim::testing {
namespace {

class DemoSeedTest : public SimTest {
 protected:
  void SetUp() override { StartSim(Seed::kDemo); }
};

TEST_F(DemoSeedTest, HasThreeGroupsEightProjectsAndTwelveUsersBesidesRoot) {
  EXPECT_EQ(Get("/api/v4/groups").body.size(), 3U);
  EXPECT_EQ(Get("/api/v4/projects").Header("X-Total"), "8");
  EXPECT_EQ(Get("/api/v4/users?per_page=100").body.size(), 13U);
  EXPECT_EQ(sim_->demo().accounts.size(), 12U);
  EXPECT_FALSE(sim_->demo().oauth_application_id.empty());
}

TEST_F(DemoSeedTest, AliceOwnsSixProjectsThroughGroupsSubgroupAndHerNamespace) {
  const Reply owned = Get("/api/v4/projects?min_access_level=50&per_page=100", "alice");
  std::set<std::string> paths;
  for (const json& p : owned.body) {
    paths.insert(p["path_with_namespace"]);
  }
  EXPECT_EQ(paths, (std::set<std::string>{"acme/website", "acme/docs", "acme/mobile-app",
                                          "acme/platform/api", "acme/platform/billing",
                                          "alice/dotfiles"}));
}

TEST_F(DemoSeedTest, ThirtyDaysOfActivityWithJiraKeys) {
  const Reply events = Get("/api/v4/projects/acme%2Fplatform%2Fapi/events?per_page=100&sort=asc");
  ASSERT_EQ(events.status, 200);
  std::set<std::string> actions;
  for (const json& e : events.body) {
    actions.insert(e["action_name"]);
  }
  EXPECT_TRUE(actions.count("pushed new"));
  EXPECT_TRUE(actions.count("pushed to"));
  EXPECT_TRUE(actions.count("opened"));
  EXPECT_TRUE(actions.count("accepted"));
  EXPECT_TRUE(actions.count("approved"));
  EXPECT_TRUE(actions.count("commented on"));
  const Reply commits =
      Get("/api/v4/projects/acme%2Fplatform%2Fapi/repository/commits?all=true&per_page=100");
  ASSERT_FALSE(commits.body.empty());
  int keyed = 0;
  for (const json& c : commits.body) {
    keyed += c["message"].get<std::string>().rfind("API-", 0) == 0 ? 1 : 0;
  }
  EXPECT_GT(keyed, 10);
  // Nothing happens in the future.
  EXPECT_TRUE(Get("/api/v4/projects/acme%2Fwebsite/events?after=2024-06-03").body.empty());
}

TEST_F(DemoSeedTest, SameSeedMakesTheSameHistory) {
  const std::string path =
      "/api/v4/projects/acme%2Fwebsite/repository/commits?all=true&per_page=100";
  auto history = [&] {
    std::vector<std::string> out;
    for (const json& c : Get(path).body) {
      out.push_back(c["id"].get<std::string>() + " " + c["created_at"].get<std::string>() + " " +
                    c["message"].get<std::string>());
    }
    return out;
  };
  const auto first = history();
  StartSim(Seed::kDemo);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, history());
}

TEST_F(DemoSeedTest, DemoUsersSignInWithTheirPassword) {
  auto r = client_->Post("/users/sign_in",
                         "user%5Blogin%5D=alice%40acme.example&user%5Bpassword%5D=worklog-demo",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
}

}  // namespace
}  // namespace worklog::gitlab_sim::testing
