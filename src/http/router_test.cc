#include "http/router.h"

#include <gtest/gtest.h>

namespace worklog::http {
namespace {

Handler Named(const std::string& name) {
  return [name](const Request&) {
    Response response;
    response.body = name;
    return response;
  };
}

std::string Called(const Router::Match& match) {
  return match.route == nullptr ? "none" : match.route->handler(Request{}).body;
}

TEST(Router, MatchesLiteralPathsAndCapturesParameters) {
  Router router;
  router.Get("/api/v1/worklogs", {}, Named("list"));
  router.Get("/api/v1/worklogs/{id}", {}, Named("get"));
  const auto match = router.Find("GET", "/api/v1/worklogs/42");
  EXPECT_EQ(Called(match), "get");
  EXPECT_EQ(match.params.at("id"), "42");
  EXPECT_EQ(Called(router.Find("GET", "/api/v1/worklogs")), "list");
  EXPECT_EQ(Called(router.Find("GET", "/api/v1/worklogs/42/extra")), "none");
  EXPECT_EQ(Called(router.Find("GET", "/api/v1/worklogs/")), "none");
}

TEST(Router, LiteralSegmentBeatsAParameter) {
  Router router;
  router.Post("/api/v1/staff/{id}", {}, Named("param"));
  router.Post("/api/v1/staff/actions", {}, Named("literal"));
  EXPECT_EQ(Called(router.Find("POST", "/api/v1/staff/actions")), "literal");
  EXPECT_EQ(Called(router.Find("POST", "/api/v1/staff/7")), "param");
}

TEST(Router, OtherMethodOnAKnownPathListsTheAllowedOnes) {
  Router router;
  router.Get("/api/v1/worklogs", {}, Named("list"));
  router.Post("/api/v1/worklogs", {}, Named("create"));
  const auto match = router.Find("PATCH", "/api/v1/worklogs");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.path_known);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "POST"}));
}

TEST(Router, HeadUsesTheGetRoute) {
  Router router;
  router.Get("/healthz", {.access = Access::kPublic}, Named("health"));
  EXPECT_EQ(Called(router.Find("HEAD", "/healthz")), "health");
}

TEST(Router, UnknownPathIsNotKnown) {
  Router router;
  router.Get("/healthz", {.access = Access::kPublic}, Named("health"));
  const auto match = router.Find("GET", "/nothing");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_FALSE(match.path_known);
}

}  // namespace
}  // namespace worklog::http
