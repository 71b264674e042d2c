// Issue #7: the HTTP surface's security contract, in-process over a real SQLite store.
// - The authorization matrix: every registered route called as anonymous, a user, another
//   user and an administrator (DESIGN §5: 401 without credentials, 403 for a role that may
//   not act, 404 for another's resource, 2xx otherwise). A route the matrix does not list
//   fails the test, so new routes must be added here.
// - CSRF: every state-changing route with a session cookie and no (or a wrong) token is 403.
// - Limits: bodies over the limit, deep nesting and invalid UTF-8 on every JSON route and
//   the webhook receiver get a 4xx naming the problem; the server keeps serving.
// - Security headers on every answer: API, errors (404/405/413), the OAuth callback, UI.
#include <array>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/server.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace worklog::http {
namespace {

using ::testing::HasSubstr;

enum class Role { kAnonymous, kUser, kOther, kAdmin };
constexpr std::array<Role, 4> kRoles = {Role::kAnonymous, Role::kUser, Role::kOther, Role::kAdmin};

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAnonymous:
      return "anonymous";
    case Role::kUser:
      return "user";
    case Role::kOther:
      return "other user";
    case Role::kAdmin:
      return "administrator";
  }
  return "?";
}

// One call of a route: its concrete path (with query) and body.
struct Call {
  std::string target;
  std::string body;
};

// One route of the matrix: how to call it (fresh resources owned by the user for each
// call), and the status each role must get.
struct Row {
  std::string method;
  std::string pattern;
  std::function<Call()> make;
  int anonymous;
  int user;
  int other;
  int admin;
  bool json_body = false;  // takes a JSON body: checked for limits, nesting, UTF-8
};

constexpr const char* kPassword = "correct horse battery";

class SecurityMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.File("data"));
    std::filesystem::create_directories(dir_.File("web"));
    std::ofstream(dir_.File("web/index.html")) << "<!doctype html><title>worklog</title>";
    std::ofstream(dir_.File("web/app.js")) << "console.log('worklog');";
    app::AppOptions options;
    options.public_url = "https://worklog.example.com";
    options.data_dir = dir_.File("data");
    auto app = app::App::Open("sqlite:" + dir_.File("worklog.db"), clock_, options);
    ASSERT_TRUE(app) << app.error().message;
    app_ = std::move(*app);
    user_id_ = AddUser("alice@example.com", "user");
    other_id_ = AddUser("bob@example.com", "user");
    admin_id_ = AddUser("root@example.com", "admin");
    for (const char* email : {"alice@example.com", "bob@example.com", "root@example.com"}) {
      auto token = app_->accounts().CreateApiToken(email, "matrix");
      ASSERT_TRUE(token) << token.error().message;
      tokens_.push_back(*token);
    }
    server_ = std::make_unique<Server>(*app_, ServerOptions{.web_dir = dir_.File("web")});
  }

  int64_t AddUser(const std::string& email, const std::string& role) {
    auto user = app_->accounts().AddUser(
        {.email = email, .name = email, .role = role, .timezone = "UTC", .password = kPassword});
    EXPECT_TRUE(user) << user.error().message;
    return user ? user->id : 0;
  }

  HeaderList AuthOf(Role role) const {
    switch (role) {
      case Role::kAnonymous:
        return {};
      case Role::kUser:
        return {{"Authorization", "Bearer " + tokens_[0]}};
      case Role::kOther:
        return {{"Authorization", "Bearer " + tokens_[1]}};
      case Role::kAdmin:
        return {{"Authorization", "Bearer " + tokens_[2]}};
    }
    return {};
  }

  Response Send(const std::string& method, const std::string& target, std::string body = {},
                HeaderList headers = {}) {
    Request request;
    request.method = method;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      std::string rest = target.substr(question + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        request.query.emplace_back(pair.substr(0, eq),
                                   eq == std::string::npos ? "" : pair.substr(eq + 1));
        rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
      }
    }
    request.body = std::move(body);
    request.headers = std::move(headers);
    if (!request.body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
    request.remote_addr = "192.0.2.1";
    return server_->Handle(std::move(request));
  }

  // A fresh worklog of the user (alice); its id.
  std::string NewWorklog() {
    const Response created = Send("POST", "/api/v1/worklogs", kWorklogBody, AuthOf(Role::kUser));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::to_string(nlohmann::json::parse(created.body).value("id", int64_t{0}));
  }

  // Links alice to a GitLab identity and stores one activity per day for the last `days`
  // days, so her feed has that many suggestions; returns their ids.
  std::deque<std::string> SeedSuggestions(int days) {
    store::GitlabIdentity identity;
    identity.user_id = user_id_;
    identity.gitlab_user_id = 4242;
    identity.username = "alice";
    identity.emails = {"alice@example.com"};
    identity.connected_by = user_id_;
    identity.connected_at = clock_.Now();
    EXPECT_TRUE(app_->store().GitlabOrg().LinkIdentity(identity));
    const auto today = date::floor<date::days>(clock_.Now());
    std::vector<domain::Activity> activities;
    for (int day = 1; day <= days; ++day) {
      domain::Activity activity;
      activity.key = fmt::format("matrix-commit-{}", day);
      activity.kind = domain::ActivityKind::kCommit;
      activity.action = "pushed";
      activity.occurred_at = today - date::days(day) + std::chrono::hours(10);
      activity.project_id = 9;
      activity.project_path = "acme/api";
      activity.gitlab_user_id = 4242;
      activity.author_email = "alice@example.com";
      activity.author_name = "Alice";
      activity.title = fmt::format("PROJ-{} work", day);
      activity.body = activity.title;
      activity.url = "https://gitlab.example.com/acme/api/-/commit/" + activity.key;
      activity.ref = "main";
      activity.sha = activity.key;
      activity.issue_keys = {fmt::format("PROJ-{}", day)};
      activities.push_back(activity);
    }
    EXPECT_TRUE(app_->store().Activities().InsertBatch(activities));
    const std::string from = date::format("%F", today - date::days(days));
    const std::string to = date::format("%F", today);
    const Response feed =
        Send("GET", "/api/v1/me/activity-feed?from=" + from + "&to=" + to, {}, AuthOf(Role::kUser));
    EXPECT_EQ(feed.status, 200) << feed.body;
    std::deque<std::string> ids;
    const nlohmann::json page = nlohmann::json::parse(feed.body);
    for (const auto& suggestion : page["suggestions"]) {
      ids.push_back(suggestion["id"].get<std::string>());
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(days)) << feed.body.substr(0, 300);
    return ids;
  }

  // The matrix. Routes that need GitLab itself for a 2xx (the OAuth callback, project
  // monitoring, staff matching, self-connect) answer the administrator or user with the
  // documented non-authorization status for a server without a connected organization.
  std::vector<Row> Matrix() {
    const auto fixed = [](std::string target, std::string body = {}) {
      return [target = std::move(target), body = std::move(body)] { return Call{target, body}; };
    };
    const auto worklog = [this](const std::string& suffix, std::string body) {
      return [this, suffix, body = std::move(body)] {
        return Call{"/api/v1/worklogs/" + NewWorklog() + suffix, body};
      };
    };
    const auto suggestion = [this](const std::string& action) {
      return [this, action] {
        // Seeded on first use: the uninstall row before removes every trace of GitLab.
        if (!seeded_) {
          seeded_ = true;
          suggestions_ = SeedSuggestions(16);
        }
        std::string id = "none-left";
        if (!suggestions_.empty()) {
          id = suggestions_.front();
          suggestions_.pop_front();
        }
        return Call{"/api/v1/me/activity-feed/" + id + "/" + action, ""};
      };
    };
    const auto new_staff = [this] {
      return Call{"/api/v1/staff",
                  nlohmann::json{{"email", fmt::format("staff{}@example.com", ++staff_counter_)},
                                 {"name", "Staff"},
                                 {"role", "user"},
                                 {"timezone", "UTC"}}
                      .dump()};
    };
    const auto installed = [this](const Call& call) {
      return [this, call] {
        (void)Send("POST", "/api/v1/apps/gitlab/install", {}, AuthOf(Role::kAdmin));
        return call;
      };
    };
    const std::string today = date::format("%F", date::floor<date::days>(clock_.Now()));
    const std::string user_ids = nlohmann::json{{"user_ids", {user_id_}}}.dump();
    const std::string connect = nlohmann::json{
        {"base_url", "https://gitlab.example.com"},
        {"client_id", "matrix-client-id"},
        {"client_secret",
         "matrix-client-secret"}}.dump();
    // clang-format off
    std::vector<Row> rows = {
      // method, pattern, call, anonymous, user, other, administrator
      {"GET", "/healthz", fixed("/healthz"), 200, 200, 200, 200},
      {"GET", "/metrics", fixed("/metrics"), 200, 200, 200, 200},
      {"POST", "/api/v1/session",
       fixed("/api/v1/session", R"({"email":"alice@example.com","password":"correct horse battery"})"),
       200, 200, 200, 200, true},
      {"DELETE", "/api/v1/session", fixed("/api/v1/session"), 401, 204, 204, 204},
      {"GET", "/api/v1/me", fixed("/api/v1/me"), 401, 200, 200, 200},
      {"PATCH", "/api/v1/me", fixed("/api/v1/me", R"({"timezone":"UTC"})"), 401, 200, 200, 200,
       true},
      {"GET", "/api/v1/apps", fixed("/api/v1/apps"), 401, 200, 200, 200},
      {"POST", "/api/v1/apps/gitlab/install", fixed("/api/v1/apps/gitlab/install"),
       401, 403, 403, 200},
      {"DELETE", "/api/v1/apps/gitlab", installed({"/api/v1/apps/gitlab", ""}), 401, 403, 403, 204},
      {"GET", "/api/v1/apps/gitlab/organization",
       installed({"/api/v1/apps/gitlab/organization", ""}), 401, 403, 403, 200},
      {"POST", "/api/v1/apps/gitlab/organization/connect",
       installed({"/api/v1/apps/gitlab/organization/connect", connect}), 401, 403, 403, 200, true},
      // No organization connected: nothing to disconnect (the flow test disconnects one).
      {"DELETE", "/api/v1/apps/gitlab/organization",
       installed({"/api/v1/apps/gitlab/organization", ""}), 401, 403, 403, 404},
      // An unknown state: 400 for everyone signed in (a real one is covered end to end).
      {"GET", "/apps/gitlab/oauth/callback",
       fixed("/apps/gitlab/oauth/callback?code=abc&state=unknown"), 401, 400, 400, 400},
      {"GET", "/api/v1/apps/gitlab/projects", installed({"/api/v1/apps/gitlab/projects", ""}),
       401, 403, 403, 200},
      // No such project (monitoring needs a connected organization).
      {"PUT", "/api/v1/apps/gitlab/projects/{id}",
       installed({"/api/v1/apps/gitlab/projects/77", R"({"monitored":true})"}),
       401, 403, 403, 404, true},
      {"GET", "/api/v1/apps/gitlab/settings", fixed("/api/v1/apps/gitlab/settings"),
       401, 403, 403, 200},
      {"PUT", "/api/v1/apps/gitlab/settings",
       fixed("/api/v1/apps/gitlab/settings", R"({"max_gap_minutes":90})"), 401, 403, 403, 200,
       true},
      // Needs a connected organization: 409 until one is.
      {"POST", "/api/v1/me/integrations/gitlab/connect",
       installed({"/api/v1/me/integrations/gitlab/connect", ""}), 401, 409, 409, 409},
      // Nobody connected themself here: 404 for each (the flow test disconnects for real).
      {"DELETE", "/api/v1/me/integrations/gitlab",
       installed({"/api/v1/me/integrations/gitlab", ""}), 401, 404, 404, 404},
      {"GET", "/api/v1/me/integrations", installed({"/api/v1/me/integrations", ""}),
       401, 200, 200, 200},
      {"GET", "/api/v1/staff", fixed("/api/v1/staff"), 401, 403, 403, 200},
      {"POST", "/api/v1/staff", new_staff, 401, 403, 403, 201, true},
      {"POST", "/api/v1/staff/actions/connect-gitlab",
       installed({"/api/v1/staff/actions/connect-gitlab", user_ids}), 401, 403, 403, 409, true},
      {"POST", "/api/v1/staff/actions/disconnect-gitlab",
       installed({"/api/v1/staff/actions/disconnect-gitlab", user_ids}), 401, 403, 403, 200, true},
      {"GET", "/api/v1/audit", fixed("/api/v1/audit"), 401, 403, 403, 200},
      {"GET", "/api/v1/me/activity-feed",
       fixed("/api/v1/me/activity-feed?from=" + today + "&to=" + today), 401, 200, 200, 200},
      // Alice's suggestions: nobody else reads or acts on them, administrators included.
      {"POST", "/api/v1/me/activity-feed/{suggestion_id}/log", suggestion("log"),
       401, 201, 404, 404, true},
      {"POST", "/api/v1/me/activity-feed/{suggestion_id}/dismiss", suggestion("dismiss"),
       401, 204, 404, 404},
      {"GET", "/api/v1/worklogs", fixed("/api/v1/worklogs?from=" + today + "&to=" + today),
       401, 200, 200, 200},
      {"POST", "/api/v1/worklogs", fixed("/api/v1/worklogs", kWorklogBody), 401, 201, 201, 201,
       true},
      // Alice's worklog: administrators may read another's worklogs, not change them.
      {"GET", "/api/v1/worklogs/{id}", worklog("", ""), 401, 200, 404, 200},
      {"PUT", "/api/v1/worklogs/{id}", worklog("", kWorklogBody), 401, 200, 404, 404, true},
      {"DELETE", "/api/v1/worklogs/{id}", worklog("", ""), 401, 204, 404, 404},
      // Deliveries authenticate with GitLab's secret token, never with a user's credentials.
      {"POST", "/hooks/gitlab", fixed("/hooks/gitlab", R"({"object_kind":"push"})"),
       401, 401, 401, 401, true},
    };
    // clang-format on
    // A row whose route is not (or not yet) registered is left out; a registered route
    // without a row fails EveryRouteIsInTheMatrix....
    std::erase_if(rows, [this](const Row& row) {
      for (const auto& route : server_->router().routes()) {
        if (route->method == row.method && route->pattern == row.pattern) {
          return false;
        }
      }
      std::cout << "[ matrix ] no route " << row.method << " " << row.pattern << ": row skipped\n";
      return true;
    });
    return rows;
  }

  static constexpr const char* kWorklogBody =
      R"({"issue_key":"PROJ-1","start_date":"2026-11-24","start_time":"09:00","duration_seconds":60})";

  worklog::testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<Server> server_;
  std::vector<std::string> tokens_;
  int64_t user_id_ = 0;
  int64_t other_id_ = 0;
  int64_t admin_id_ = 0;
  int staff_counter_ = 0;
  std::deque<std::string> suggestions_;
  bool seeded_ = false;
};

TEST_F(SecurityMatrix, EveryRouteIsInTheMatrixAndEveryRoleGetsWhatDesignSays) {
  const std::vector<Row> rows = Matrix();
  std::set<std::pair<std::string, std::string>> listed;
  for (const auto& row : rows) {
    listed.emplace(row.method, row.pattern);
  }
  std::size_t routes = 0;
  for (const auto& route : server_->router().routes()) {
    ++routes;
    EXPECT_TRUE(listed.contains({route->method, route->pattern}))
        << route->method << " " << route->pattern
        << " is a route the authorization matrix does not list: add its row";
  }

  int checked = 0;
  for (const auto& row : rows) {
    const std::array<int, 4> expected = {row.anonymous, row.user, row.other, row.admin};
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      const Call call = row.make();
      const Response response = Send(row.method, call.target, call.body, AuthOf(kRoles[i]));
      EXPECT_EQ(response.status, expected[i]) << row.method << " " << call.target << " as "
                                              << RoleName(kRoles[i]) << ": " << response.body;
      if (response.status == 401) {
        EXPECT_THAT(response.content_type, HasSubstr("problem+json"));
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(routes) * 4);
  std::cout << "[ matrix ] " << routes << " routes x 4 roles = " << checked << " calls\n";
}

// The session's cookie and CSRF token of a fresh sign-in as `email`.
struct Session {
  std::string cookie;
  std::string csrf;
};

TEST_F(SecurityMatrix, EveryStateChangingRouteRefusesASessionWithoutItsCsrfToken) {
  const std::vector<Row> rows = Matrix();
  const auto sign_in = [this](const std::string& email) {
    const Response response =
        Send("POST", "/api/v1/session",
             nlohmann::json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    Session session;
    session.csrf = nlohmann::json::parse(response.body).value("csrf_token", "");
    const std::string cookie = std::string(FindHeader(response.headers, "Set-Cookie").value_or(""));
    session.cookie = cookie.substr(0, cookie.find(';'));
    return session;
  };
  const Session admin = sign_in("root@example.com");
  const Session other = sign_in("bob@example.com");
  int checked = 0;
  for (const auto& row : rows) {
    if (row.method == "GET" || (row.pattern == "/api/v1/session" && row.method == "POST") ||
        row.pattern == "/hooks/gitlab") {
      continue;  // reads; signing in (no session yet); GitLab's deliveries (no cookie)
    }
    const Call call = row.make();
    const Response missing = Send(row.method, call.target, call.body, {{"Cookie", admin.cookie}});
    EXPECT_EQ(missing.status, 403) << row.method << " " << call.target << ": " << missing.body;
    EXPECT_THAT(missing.body, HasSubstr("csrf_token_invalid"));
    const Response wrong = Send(row.method, call.target, call.body,
                                {{"Cookie", admin.cookie}, {"X-CSRF-Token", other.csrf}});
    EXPECT_EQ(wrong.status, 403) << row.method << " " << call.target << ": " << wrong.body;
    ++checked;
  }
  EXPECT_GE(checked, 15);
  // The token of the session itself is accepted, and a Bearer token needs none.
  EXPECT_EQ(Send("POST", "/api/v1/worklogs", kWorklogBody,
                 {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}})
                .status,
            201);
  EXPECT_EQ(Send("POST", "/api/v1/worklogs", kWorklogBody, AuthOf(Role::kAdmin)).status, 201);
  std::cout << "[ csrf ] " << checked << " state-changing routes refuse a missing or wrong token\n";
}

std::string Nested(int depth) {
  std::string text = R"({"description":)";
  text += std::string(static_cast<std::size_t>(depth), '[');
  text += std::string(static_cast<std::size_t>(depth), ']');
  text += "}";
  return text;
}

TEST_F(SecurityMatrix, OversizedDeepAndInvalidUtf8BodiesAre4xxNamingTheProblem) {
  const std::vector<Row> rows = Matrix();
  const std::string invalid_utf8 = "{\"description\":\"caf\xC3\x28 \xFF\"}";
  int checked = 0;
  for (const auto& row : rows) {
    if (!row.json_body) {
      continue;
    }
    // As a role that may use the route (a 2xx in the matrix): anonymous, the user, the admin.
    const Role actor = row.anonymous / 100 == 2         ? Role::kAnonymous
                       : row.user / 100 == 2            ? Role::kUser
                       : row.pattern == "/hooks/gitlab" ? Role::kAnonymous
                                                        : Role::kAdmin;
    const std::string what = row.method + " " + row.pattern;
    const std::size_t limit =
        row.pattern == "/hooks/gitlab" ? std::size_t{25} * 1024 * 1024 : kApiMaxBody;
    HeaderList headers = AuthOf(actor);
    if (row.pattern == "/hooks/gitlab") {
      headers.emplace_back("X-Gitlab-Event", "Push Hook");
      headers.emplace_back("X-Gitlab-Token", "whatever");
    }
    Call call = row.make();
    const Response big = Send(row.method, call.target, std::string(limit + 1, ' '), headers);
    EXPECT_EQ(big.status, 413) << what << ": " << big.body;
    EXPECT_THAT(big.body, HasSubstr("at most")) << what;

    call = row.make();
    const Response deep = Send(row.method, call.target, Nested(100000), headers);
    EXPECT_GE(deep.status, 400) << what << ": " << deep.body;
    EXPECT_LT(deep.status, 500) << what << ": " << deep.body;
    if (row.pattern != "/hooks/gitlab") {  // an unauthenticated delivery learns nothing more
      EXPECT_THAT(deep.body, HasSubstr("nest")) << what;
    }

    call = row.make();
    const Response bad_text = Send(row.method, call.target, invalid_utf8, headers);
    EXPECT_GE(bad_text.status, 400) << what << ": " << bad_text.body;
    EXPECT_LT(bad_text.status, 500) << what << ": " << bad_text.body;
    if (row.pattern != "/hooks/gitlab") {
      EXPECT_THAT(bad_text.body, HasSubstr("UTF-8")) << what;
    }
    ++checked;
  }
  EXPECT_GE(checked, 10);
  // Still serving.
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_EQ(Send("POST", "/api/v1/worklogs", kWorklogBody, AuthOf(Role::kUser)).status, 201);
  std::cout << "[ limits ] " << checked << " JSON routes x 3 hostile bodies\n";
}

TEST_F(SecurityMatrix, SecurityHeadersOnEveryKindOfAnswer) {
  const std::vector<std::pair<std::string, Response>> answers = {
      {"UI page", Send("GET", "/")},
      {"UI deep link", Send("GET", "/my-work")},
      {"static asset", Send("GET", "/app.js")},
      {"API", Send("GET", "/api/v1/me", {}, AuthOf(Role::kUser))},
      {"401", Send("GET", "/api/v1/me")},
      {"404", Send("GET", "/api/v1/nothing-here")},
      {"405", Send("PATCH", "/api/v1/worklogs", "{}", AuthOf(Role::kUser))},
      {"413",
       Send("POST", "/api/v1/worklogs", std::string(kApiMaxBody + 1, ' '), AuthOf(Role::kUser))},
      {"OAuth callback",
       Send("GET", "/apps/gitlab/oauth/callback?code=a&state=b", {}, AuthOf(Role::kUser))},
      {"health", Send("GET", "/healthz")},
      {"metrics", Send("GET", "/metrics")},
  };
  for (const auto& [what, response] : answers) {
    const auto csp = FindHeader(response.headers, "Content-Security-Policy");
    ASSERT_TRUE(csp.has_value()) << what;
    EXPECT_THAT(std::string(*csp), HasSubstr("frame-ancestors 'none'")) << what;
    EXPECT_THAT(std::string(*csp), HasSubstr("default-src 'self'")) << what;
    EXPECT_EQ(FindHeader(response.headers, "X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(FindHeader(response.headers, "Referrer-Policy"), "same-origin") << what;
  }
  EXPECT_EQ(answers[0].second.status, 200);
  EXPECT_EQ(answers[2].second.status, 200);
  EXPECT_EQ(answers[5].second.status, 404);
  EXPECT_EQ(answers[6].second.status, 405);
  EXPECT_EQ(answers[7].second.status, 413);
}

}  // namespace
}  // namespace worklog::http
