// The server core in-process (no sockets), over a real SQLite store: how benchmarks and
// tests can drive it.
#include "http/server.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "support/temp_dir.h"

namespace worklog::http {
namespace {

using ::testing::HasSubstr;

class InProcessServer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("data"));
    app::AppOptions options;
    options.public_url = "https://worklog.example.com";
    options.data_dir = dir_.File("data");
    auto app = app::App::Open("sqlite:" + dir_.File("worklog.db"), clock_, options);
    ASSERT_TRUE(app) << app.error().message;
    app_ = std::move(*app);
    ASSERT_TRUE(app_->accounts()
                    .AddUser({.email = "alice@example.com",
                              .name = "Alice",
                              .role = "user",
                              .timezone = "UTC",
                              .password = "correct horse battery"})
                    .has_value());
    server_ = std::make_unique<Server>(*app_, ServerOptions{});
  }

  Response Send(std::string method, std::string path, std::string body = {},
                HeaderList headers = {}) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.remote_addr = "192.0.2.1";
    return server_->Handle(std::move(request));
  }

  worklog::testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<Server> server_;
};

TEST_F(InProcessServer, SignInSetsASecureCookieWhenThePublicUrlIsHttps) {
  const Response response =
      Send("POST", "/api/v1/session",
           R"({"email":"alice@example.com","password":"correct horse battery"})");
  ASSERT_EQ(response.status, 200) << response.body;
  std::string cookie;
  for (const auto& [name, value] : response.headers) {
    if (name == "Set-Cookie") {
      cookie = value;
    }
  }
  EXPECT_THAT(cookie, HasSubstr("; Secure"));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
}

TEST_F(InProcessServer, SessionWritesNeedTheCsrfTokenAndReadsDoNot) {
  const Response signed_in =
      Send("POST", "/api/v1/session",
           R"({"email":"alice@example.com","password":"correct horse battery"})");
  ASSERT_EQ(signed_in.status, 200);
  const std::string csrf = nlohmann::json::parse(signed_in.body)["csrf_token"];
  std::string cookie;
  for (const auto& [name, value] : signed_in.headers) {
    if (name == "Set-Cookie") {
      cookie = value.substr(0, value.find(';'));
    }
  }
  const std::string worklog =
      R"({"issue_key":"PROJ-1","start_date":"2026-11-24","start_time":"09:00","duration_seconds":60})";
  EXPECT_EQ(Send("GET", "/api/v1/me", {}, {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(Send("POST", "/api/v1/worklogs", worklog, {{"Cookie", cookie}}).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/worklogs", worklog, {{"Cookie", cookie}, {"x-csrf-token", csrf}})
                .status,
            201);
}

TEST_F(InProcessServer, EveryResponseCarriesSecurityHeadersAndARequestId) {
  const Response response = Send("GET", "/api/v1/me");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(FindHeader(response.headers, "Content-Security-Policy"),
            "default-src 'self'; frame-ancestors 'none'");
  EXPECT_EQ(FindHeader(response.headers, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(FindHeader(response.headers, "Referrer-Policy"), "same-origin");
  EXPECT_TRUE(FindHeader(response.headers, "X-Request-Id").has_value());
  EXPECT_EQ(response.content_type, "application/problem+json");
}

TEST_F(InProcessServer, UnknownMethodOnAKnownPathIs405WithAllow) {
  const Response response = Send("PATCH", "/api/v1/worklogs");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(FindHeader(response.headers, "Allow"), "GET, POST");
}

TEST_F(InProcessServer, MetricsSeeInProcessRequests) {
  (void)Send("GET", "/healthz");
  EXPECT_THAT(server_->metrics().RenderPrometheus(),
              HasSubstr("route=\"/healthz\",method=\"GET\",status=\"200\"} 1"));
}

}  // namespace
}  // namespace worklog::http
