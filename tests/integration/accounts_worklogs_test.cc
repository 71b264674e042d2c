// The real `worklog` binary, on SQLite and on PostgreSQL, driven over HTTP: accounts,
// sessions, CSRF, API tokens, rate limits, worklogs, CSV, errors and headers.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "integration/deployment.h"

namespace worklog::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccountsAndWorklogs : public ::testing::TestWithParam<Backend> {};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_P(AccountsAndWorklogs, FirstStartCreatesTheAdministratorWithAPrivatePasswordFile) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  const std::string password_file = deployment->data_dir() + "/initial-admin-password";
  EXPECT_THAT(deployment->server().Stdout(), HasSubstr("admin@localhost"));
  EXPECT_THAT(deployment->server().Stdout(), HasSubstr(password_file));
  struct stat info {};
  ASSERT_EQ(::stat(password_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  std::string password = ReadAll(password_file);
  ASSERT_FALSE(password.empty());
  password.pop_back();  // the newline
  ApiClient admin = deployment->Client();
  const Reply signed_in = admin.SignIn("admin@localhost", password);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(signed_in.json["user"]["role"], "admin");

  // A second start keeps that administrator and creates no other.
  ASSERT_TRUE(deployment->server().Restart().has_value());
  EXPECT_EQ(deployment->server().Stdout().find("created the administrator"),
            deployment->server().Stdout().rfind("created the administrator"));
  EXPECT_EQ(deployment->Client().SignIn("admin@localhost", password).status, 200);
}

TEST_P(AccountsAndWorklogs, SignedInUserCreatesListsUpdatesAndDeletesOwnWorklogs) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com", "user", "Europe/Oslo");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);

  const Reply created =
      alice.Post("/api/v1/worklogs", Worklog("PROJ-7", 5400, "login page", "2026-11-24", "09:30"));
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = created.json["id"].get<int64_t>();
  EXPECT_EQ(created.json["issue_key"], "PROJ-7");
  EXPECT_EQ(created.json["start_date"], "2026-11-24");
  EXPECT_EQ(created.json["start_time"], "09:30:00");
  EXPECT_EQ(created.json["duration_seconds"], 5400);
  EXPECT_EQ(created.json["origin"], "manual");

  const Reply listed = alice.Get("/api/v1/worklogs?from=2026-11-23&to=2026-11-30");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["worklogs"].size(), 1u);
  EXPECT_EQ(listed.json["worklogs"][0]["id"], id);

  const Reply updated = alice.Put("/api/v1/worklogs/" + std::to_string(id),
                                  {{"duration_seconds", 3600}, {"description", "login form"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json["duration_seconds"], 3600);
  EXPECT_EQ(updated.json["description"], "login form");
  EXPECT_EQ(updated.json["issue_key"], "PROJ-7");
  EXPECT_EQ(alice.Get("/api/v1/worklogs/" + std::to_string(id)).json["duration_seconds"], 3600);

  EXPECT_EQ(alice.Delete("/api/v1/worklogs/" + std::to_string(id)).status, 204);
  EXPECT_EQ(alice.Get("/api/v1/worklogs/" + std::to_string(id)).status, 404);
  EXPECT_TRUE(alice.Get("/api/v1/worklogs?from=2026-11-23&to=2026-11-30").json["worklogs"].empty());
}

TEST_P(AccountsAndWorklogs, AnotherUsersWorklogAnswers404) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  deployment->AddUser("bob@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  const Reply created = alice.Post("/api/v1/worklogs", Worklog("PROJ-1", 600));
  ASSERT_EQ(created.status, 201);
  const std::string path = "/api/v1/worklogs/" + std::to_string(created.json["id"].get<int64_t>());

  ApiClient bob = deployment->Client();
  ASSERT_EQ(bob.SignIn("bob@example.com", kPassword).status, 200);
  EXPECT_EQ(bob.Get(path).status, 404);
  EXPECT_EQ(bob.Put(path, {{"duration_seconds", 60}}).status, 404);
  EXPECT_EQ(bob.Delete(path).status, 404);
  EXPECT_TRUE(bob.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24").json["worklogs"].empty());
  // Still Alice's, unchanged.
  EXPECT_EQ(alice.Get(path).json["duration_seconds"], 600);
}

TEST_P(AccountsAndWorklogs, WriteWithASessionButWithoutTheCsrfTokenIsForbidden) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  alice.SendCsrfToken(false);

  const Reply missing = alice.Post("/api/v1/worklogs", Worklog("PROJ-1", 600));
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
  const Reply wrong =
      alice.Post("/api/v1/worklogs", Worklog("PROJ-1", 600), {{"X-CSRF-Token", "not-the-token"}});
  EXPECT_EQ(wrong.status, 403);
  alice.SendCsrfToken(true);
  EXPECT_TRUE(alice.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24").json["worklogs"].empty());
}

TEST_P(AccountsAndWorklogs, InvalidDurationIsRejectedNamingDurationSeconds) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);

  for (const nlohmann::json& duration :
       {nlohmann::json(0), nlohmann::json(86401), nlohmann::json(-5), nlohmann::json("an hour")}) {
    nlohmann::json body = Worklog("PROJ-1", 1);
    body["duration_seconds"] = duration;
    const Reply reply = alice.Post("/api/v1/worklogs", body);
    EXPECT_EQ(reply.status, 422) << duration;
    EXPECT_EQ(reply.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(reply.json["field"], "duration_seconds") << reply.body;
    EXPECT_EQ(reply.json["status"], 422);
    EXPECT_FALSE(reply.json["detail"].get<std::string>().empty());
  }
  EXPECT_EQ(alice.Post("/api/v1/worklogs", Worklog("PROJ-1", 86400)).status, 201);
}

TEST_P(AccountsAndWorklogs, EveryBadInputNamesItsField) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);

  const auto field_of = [&](const nlohmann::json& change) {
    nlohmann::json body = Worklog("PROJ-1", 600);
    body.update(change);
    return alice.Post("/api/v1/worklogs", body).json.value("field", "");
  };
  EXPECT_EQ(field_of({{"issue_key", "proj-1"}}), "issue_key");
  EXPECT_EQ(field_of({{"start_date", "2026-02-30"}}), "start_date");
  EXPECT_EQ(field_of({{"start_time", "25:00"}}), "start_time");
  EXPECT_EQ(field_of({{"origin", "magic"}}), "origin");
  EXPECT_EQ(field_of({{"duraton_seconds", 5}}), "duraton_seconds");

  const Reply bad_json = alice.Post("/api/v1/worklogs", std::string(R"({"issue_key": )"));
  EXPECT_EQ(bad_json.status, 422);
  EXPECT_EQ(bad_json.json["field"], "body");
  EXPECT_THAT(bad_json.json["detail"].get<std::string>(), HasSubstr("byte"));

  EXPECT_EQ(alice.Get("/api/v1/worklogs?from=2026-11-24").json["field"], "to");
  EXPECT_EQ(alice.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-01").json["field"], "to");
  EXPECT_EQ(alice.Get("/api/v1/worklogs/abc").json["field"], "id");
}

TEST_P(AccountsAndWorklogs, FiveWrongPasswordsAnswer429WithRetryAfter) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient client = deployment->Client();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.SignIn("alice@example.com", "wrong password").status, 401);
  }
  // Locked now, even with the right password.
  const Reply locked = client.SignIn("alice@example.com", kPassword);
  EXPECT_EQ(locked.status, 429);
  EXPECT_GT(std::stoi(locked.Header("Retry-After")), 0);
  EXPECT_EQ(locked.Header("Content-Type"), "application/problem+json");
}

// Two nodes on one database (behind a load balancer): wrong passwords sent to either count
// together, so N nodes give an attacker no more tries than one.
TEST_P(AccountsAndWorklogs, WrongPasswordsThroughTwoNodesShareOneLimit) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ServerProcess second(ServeConfig{.db_url = deployment->db_url(),
                                   .data_dir = deployment->dir().File("data-2"),
                                   .public_url = "http://127.0.0.1",
                                   .extra_args = {},
                                   .env = {}});
  ASSERT_TRUE(second.Start().has_value());
  ApiClient first_node = deployment->Client();
  ApiClient second_node(second.port());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((i % 2 == 0 ? first_node : second_node)
                  .SignIn("alice@example.com", "wrong password")
                  .status,
              401);
  }
  EXPECT_EQ(first_node.SignIn("alice@example.com", kPassword).status, 429);
  EXPECT_EQ(second_node.SignIn("alice@example.com", kPassword).status, 429);
}

// Behind the README's nginx every request comes from the proxy's address: without
// --trusted-proxy, five wrong passwords from anyone would lock everyone out of signing in.
TEST_P(AccountsAndWorklogs, BehindATrustedProxyEachClientHasItsOwnSignInLimit) {
  auto deployment = Deployment::Create(GetParam(), {"--trusted-proxy", "127.0.0.1"});
  if (!deployment) {
    GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
  }
  ASSERT_TRUE(deployment->server().Start().has_value());
  deployment->AddUser("alice@example.com");
  const httplib::Headers attacker{{"X-Forwarded-For", "203.0.113.7"}};
  const httplib::Headers alice{{"X-Forwarded-For", "198.51.100.20"}};
  ApiClient client = deployment->Client();
  for (int i = 0; i < 5; ++i) {  // five accounts: only the address limit can trip
    const nlohmann::json wrong{{"email", "guess" + std::to_string(i) + "@example.com"},
                               {"password", "wrong password"}};
    EXPECT_EQ(client.Post("/api/v1/session", wrong, attacker).status, 401);
  }
  const nlohmann::json right{{"email", "alice@example.com"}, {"password", kPassword}};
  EXPECT_EQ(client.Post("/api/v1/session", right, attacker).status, 429);
  EXPECT_EQ(client.Post("/api/v1/session", right, alice).status, 200);
}

// Without a trusted proxy the header is the client's own word: it changes nothing.
TEST_P(AccountsAndWorklogs, AnUntrustedXForwardedForDoesNotEscapeTheSignInLimit) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient client = deployment->Client();
  for (int i = 0; i < 5; ++i) {
    const nlohmann::json wrong{{"email", "guess" + std::to_string(i) + "@example.com"},
                               {"password", "wrong password"}};
    const httplib::Headers spoofed{{"X-Forwarded-For", "203.0.113." + std::to_string(i)}};
    EXPECT_EQ(client.Post("/api/v1/session", wrong, spoofed).status, 401);
  }
  const nlohmann::json right{{"email", "alice@example.com"}, {"password", kPassword}};
  EXPECT_EQ(client.Post("/api/v1/session", right, {{"X-Forwarded-For", "198.51.100.20"}}).status,
            429);
}

TEST_P(AccountsAndWorklogs, BearerTokenWritesWithoutCsrfToken) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  const std::string token = deployment->CreateToken("alice@example.com");
  ASSERT_FALSE(token.empty());

  ApiClient script = deployment->Client();
  script.UseBearer(token);
  const Reply created = script.Post("/api/v1/worklogs", Worklog("PROJ-2", 900));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(script.Get("/api/v1/me").json["user"]["email"], "alice@example.com");

  ApiClient stranger = deployment->Client();
  stranger.UseBearer(token + "x");
  EXPECT_EQ(stranger.Get("/api/v1/me").status, 401);
  EXPECT_EQ(deployment->Client().Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24").status, 401);
}

TEST_P(AccountsAndWorklogs, CsvExportHasOneRowPerWorklogWithEmailAndDateFirst) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  ASSERT_EQ(alice
                .Post("/api/v1/worklogs",
                      Worklog("PROJ-1", 600, "fixed \"login\", again", "2026-11-24", "09:00"))
                .status,
            201);
  ASSERT_EQ(alice.Post("/api/v1/worklogs", Worklog("PROJ-2", 1200, "review", "2026-11-25", "14:15"))
                .status,
            201);

  const Reply csv =
      alice.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-25", {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(csv.Header("Content-Type"), HasSubstr("text/csv"));
  const std::string expected_header =
      "user_email,start_date,start_time,issue_key,duration_seconds,description,origin,id\r\n";
  ASSERT_TRUE(csv.body.starts_with(expected_header)) << csv.body;
  EXPECT_THAT(csv.body, HasSubstr("alice@example.com,2026-11-24,09:00:00,PROJ-1,600,"
                                  "\"fixed \"\"login\"\", again\",manual,"));
  EXPECT_THAT(csv.body, HasSubstr("alice@example.com,2026-11-25,14:15:00,PROJ-2,1200,review,"));
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 3);
}

TEST_P(AccountsAndWorklogs, AdministratorListsAnotherUsersWorklogsAndAUserCannot) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("boss@example.com", "admin");
  deployment->AddUser("alice@example.com");
  deployment->AddUser("bob@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  const Reply created = alice.Post("/api/v1/worklogs", Worklog("PROJ-3", 1800));
  ASSERT_EQ(created.status, 201);
  const int64_t alice_id = created.json["user_id"].get<int64_t>();
  const std::string query =
      "/api/v1/worklogs?from=2026-11-24&to=2026-11-24&user_id=" + std::to_string(alice_id);

  ApiClient boss = deployment->Client();
  ASSERT_EQ(boss.SignIn("boss@example.com", kPassword).status, 200);
  const Reply listed = boss.Get(query);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["worklogs"].size(), 1u);
  EXPECT_EQ(listed.json["worklogs"][0]["issue_key"], "PROJ-3");
  const Reply csv = boss.Get(query, {{"Accept", "text/csv"}});
  EXPECT_THAT(csv.body, HasSubstr("alice@example.com,2026-11-24,"));
  // Listing is all an administrator may do with someone else's worklog.
  const std::string path = "/api/v1/worklogs/" + std::to_string(created.json["id"].get<int64_t>());
  EXPECT_EQ(boss.Delete(path).status, 404);

  ApiClient bob = deployment->Client();
  ASSERT_EQ(bob.SignIn("bob@example.com", kPassword).status, 200);
  EXPECT_EQ(bob.Get(query).status, 403);
}

TEST_P(AccountsAndWorklogs, SignOutEndsTheSession) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  const Reply signed_out = alice.Delete("/api/v1/session");
  EXPECT_EQ(signed_out.status, 204);
  EXPECT_THAT(signed_out.Header("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(alice.Get("/api/v1/me").status, 401);
}

TEST_P(AccountsAndWorklogs, SessionCookieIsHttpOnlyAndSameSiteLax) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  const Reply signed_in = deployment->Client().SignIn("alice@example.com", kPassword);
  const std::string cookie = signed_in.Header("Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("worklog_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Lax"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // the public URL is http
}

TEST_P(AccountsAndWorklogs, ErrorsAreProblemsAndEveryResponseHasSecurityHeaders) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  ApiClient anonymous = deployment->Client();
  for (const Reply& reply :
       {anonymous.Get("/healthz"), anonymous.Get("/api/v1/nothing"), anonymous.Get("/api/v1/me"),
        anonymous.Post("/api/v1/session", std::string("{}")), anonymous.Get("/metrics")}) {
    EXPECT_EQ(reply.Header("Content-Security-Policy"),
              "default-src 'self'; frame-ancestors 'none'");
    EXPECT_EQ(reply.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(reply.Header("Referrer-Policy"), "same-origin");
    if (reply.status >= 400) {
      EXPECT_EQ(reply.Header("Content-Type"), "application/problem+json");
      EXPECT_EQ(reply.json["status"], reply.status);
      EXPECT_TRUE(reply.json.contains("type") && reply.json.contains("title") &&
                  reply.json.contains("detail"))
          << reply.body;
    }
  }
  EXPECT_EQ(anonymous.Get("/api/v1/me").status, 401);
  EXPECT_EQ(anonymous.Get("/api/v1/nothing").status, 404);
}

TEST_P(AccountsAndWorklogs, ApiBodiesOverOneMebibyteAre413) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  nlohmann::json body = Worklog("PROJ-1", 60, std::string(1024 * 1024, 'x'));
  const Reply reply = alice.Post("/api/v1/worklogs", body);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.Header("Content-Type"), "application/problem+json");
  // The server keeps serving.
  EXPECT_EQ(deployment->Client().Get("/healthz").status, 200);
}

TEST_P(AccountsAndWorklogs, MetricsCountRequestsByRoute) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  ASSERT_EQ(alice.SignIn("alice@example.com", kPassword).status, 200);
  ASSERT_EQ(alice.Get("/api/v1/worklogs/12345").status, 404);
  // A request is counted once its response is written, which can be just after the client
  // has read it (each request on its own connection and thread): ask again for a few
  // seconds before concluding one was not counted.
  const std::string counted =
      "worklog_http_requests_total{route=\"/api/v1/worklogs/{id}\",method=\"GET\",status=\"404\"} "
      "1";
  const std::string session_timed =
      "worklog_http_request_duration_seconds_bucket{route=\"/api/v1/session\"";
  Reply metrics;
  for (int attempt = 0; attempt < 50; ++attempt) {
    metrics = deployment->Client().Get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    if (metrics.body.find(counted) != std::string::npos &&
        metrics.body.find(session_timed) != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(metrics.body, HasSubstr(counted));
  EXPECT_THAT(metrics.body, HasSubstr(session_timed));
  EXPECT_THAT(metrics.body, HasSubstr("worklog_db_errors_total 0"));
}

TEST_P(AccountsAndWorklogs, AccessLogNamesRequestsButNeverSecrets) {
  WORKLOG_START_DEPLOYMENT(deployment, GetParam());
  deployment->AddUser("alice@example.com");
  ApiClient alice = deployment->Client();
  const Reply signed_in = alice.SignIn("alice@example.com", kPassword);
  ASSERT_EQ(signed_in.status, 200);
  ASSERT_EQ(alice.Post("/api/v1/worklogs", Worklog("PROJ-1", 60)).status, 201);
  ASSERT_TRUE(deployment->server().Stop().has_value());
  const std::string log = deployment->server().Stderr();
  EXPECT_THAT(log, HasSubstr("route=/api/v1/worklogs status=201"));
  EXPECT_THAT(log, Not(HasSubstr(std::string(kPassword))));
  EXPECT_THAT(log, Not(HasSubstr(alice.csrf_token())));
  const std::string cookie = signed_in.Header("Set-Cookie");
  const std::string session_id =
      cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  EXPECT_THAT(log, Not(HasSubstr(session_id)));
}

TEST(StaticUi, ServesFilesAndIndexHtmlForClientRoutes) {
  TempDir web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.File("index.html")) << "<!doctype html><title>worklog</title>";
  std::ofstream(web.File("assets/app-1234.js")) << "console.log('hi')";
  auto deployment = Deployment::Create(Backend::kSqlite, {"--web-dir", web.path().string()});
  ASSERT_TRUE(deployment->server().Start().has_value());
  ApiClient browser = deployment->Client();

  const Reply index = browser.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("<title>worklog</title>"));
  EXPECT_THAT(index.Header("Content-Type"), HasSubstr("text/html"));
  const Reply script = browser.Get("/assets/app-1234.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_THAT(script.Header("Content-Type"), HasSubstr("javascript"));
  EXPECT_EQ(script.Header("Content-Security-Policy"), "default-src 'self'; frame-ancestors 'none'");
  // A client-side route loads the UI; a missing file and an unknown API path do not.
  EXPECT_THAT(browser.Get("/my-work/2026-11-24").body, HasSubstr("<title>worklog</title>"));
  EXPECT_EQ(browser.Get("/assets/missing.js").status, 404);
  EXPECT_EQ(browser.Get("/api/v1/unknown").status, 404);
  EXPECT_EQ(browser.Get("/../../etc/passwd").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsAndWorklogs,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace worklog::testing
