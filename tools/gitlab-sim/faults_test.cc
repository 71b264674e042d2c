#include "gitlab-sim/sim_test_util.h"

namespace worklog::gitlab_sim::testing {
namespace {

using FaultsTest = SimTest;

TEST_F(FaultsTest, RateLimitAnswers429WithRetryAfterForTheNextRequestsOnly) {
  const Reply fault = Post("/-/sim/faults",
                           {{"kind", "status"}, {"status", 429}, {"retry_after", 7}, {"count", 2}});
  ASSERT_EQ(fault.status, 201) << fault.text;
  const Reply first = Get("/api/v4/projects");
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.Header("Retry-After"), "7");
  EXPECT_EQ(Get("/api/v4/user").status, 429);
  EXPECT_EQ(Get("/api/v4/user").status, 200);
}

TEST_F(FaultsTest, ServerErrorCanTargetOnePathPrefix) {
  ASSERT_EQ(Post("/-/sim/faults",
                 {{"kind", "status"}, {"status", 500}, {"path_prefix", "/api/v4/projects"}})
                .status,
            201);
  EXPECT_EQ(Get("/api/v4/user").status, 200);
  const Reply broken = Get("/api/v4/projects");
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(broken.body["message"], "500 Internal Server Error");
  EXPECT_EQ(Get("/api/v4/projects").status, 200);
}

TEST_F(FaultsTest, TruncatedBodyNeverArrivesWhole) {
  for (int i = 0; i < 5; ++i) {
    MakeProject("t" + std::to_string(i));
  }
  const Reply whole = Get("/api/v4/projects");
  ASSERT_EQ(whole.status, 200);
  ASSERT_EQ(Post("/-/sim/faults", {{"kind", "truncate"}}).status, 201);
  const Reply cut = Get("/api/v4/projects");
  // Either the client notices the short body, or what it got is not the whole document.
  EXPECT_TRUE(cut.status == 0 || cut.text.size() < whole.text.size());
  EXPECT_EQ(Get("/api/v4/projects").text, whole.text);
}

TEST_F(FaultsTest, DelayedResponseStillAnswers) {
  ASSERT_EQ(Post("/-/sim/faults", {{"kind", "delay"}, {"delay_ms", 50}}).status, 201);
  EXPECT_EQ(Get("/api/v4/user").status, 200);
  EXPECT_TRUE(Get("/-/sim/faults").body.empty());
}

TEST_F(FaultsTest, RevokedUserTokensAnswerInvalidToken) {
  MakeUser("alice");
  const Reply pat =
      Post("/api/v4/users/2/personal_access_tokens", {{"name", "t"}, {"scopes", {"api"}}});
  const std::string token = pat.body["token"];
  ASSERT_EQ(Get("/api/v4/user", "", token).status, 200);
  const Reply revoked = Post("/-/sim/users/alice/revoke_tokens", json::object());
  EXPECT_EQ(revoked.body["revoked"], 1);
  const Reply after = Get("/api/v4/user", "", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.body["error"], "invalid_token");
}

TEST_F(FaultsTest, OnlyTheAdministratorMayInjectFaults) {
  MakeUser("alice");
  const Reply pat =
      Post("/api/v4/users/2/personal_access_tokens", {{"name", "t"}, {"scopes", {"api"}}});
  EXPECT_EQ(
      Post("/-/sim/faults", {{"kind", "status"}, {"status", 500}}, "", pat.body["token"]).status,
      403);
  EXPECT_EQ(Post("/-/sim/faults", {{"kind", "status"}, {"status", 500}}, "", "").status, 401);
  EXPECT_EQ(Post("/-/sim/faults", {{"kind", "explode"}}).status, 400);
}

TEST_F(FaultsTest, ClearingFaultsRestoresNormalAnswers) {
  ASSERT_EQ(Post("/-/sim/faults", {{"kind", "status"}, {"status", 503}, {"count", 50}}).status,
            201);
  EXPECT_EQ(Get("/api/v4/user").status, 503);
  EXPECT_EQ(Delete("/-/sim/faults").status, 204);
  EXPECT_EQ(Get("/api/v4/user").status, 200);
}

}  // namespace
}  // namespace worklog::gitlab_sim::testing
