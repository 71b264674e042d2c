#pragma once
// Helpers for integration tests: a database (SQLite file or a fresh PostgreSQL database), a
// data directory, the `worklog serve` process on it, and a small JSON client.

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "support/pg_database.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

inline constexpr std::string_view kPassword = "correct horse battery";

// An answer from the server, its body parsed when it is JSON. (Moving httplib::Headers may
// throw, so may Reply's implicit move: fine in a test.)
struct Reply {     // NOLINT(bugprone-exception-escape)
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  httplib::Headers headers;
  nlohmann::json json;

  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A client of one server: anonymous, signed in (cookie + CSRF token), or with a Bearer token.
class ApiClient {
 public:
  explicit ApiClient(int port) : client_("127.0.0.1", port) {
    client_.set_connection_timeout(std::chrono::seconds(5));
    client_.set_read_timeout(std::chrono::seconds(30));
  }

  Reply Get(const std::string& path, httplib::Headers extra = {}) {
    return Wrap(client_.Get(path, With(std::move(extra), false)));
  }
  Reply Post(const std::string& path, const std::string& body, httplib::Headers extra = {}) {
    return Wrap(client_.Post(path, With(std::move(extra), true), body, "application/json"));
  }
  Reply Post(const std::string& path, const nlohmann::json& body, httplib::Headers extra = {}) {
    return Post(path, body.dump(), std::move(extra));
  }
  Reply Put(const std::string& path, const nlohmann::json& body, httplib::Headers extra = {}) {
    return Wrap(client_.Put(path, With(std::move(extra), true), body.dump(), "application/json"));
  }
  Reply Patch(const std::string& path, const std::string& body, httplib::Headers extra = {}) {
    return Wrap(client_.Patch(path, With(std::move(extra), true), body, "application/json"));
  }
  Reply Delete(const std::string& path, httplib::Headers extra = {}) {
    return Wrap(client_.Delete(path, With(std::move(extra), true)));
  }

  // Signs in; on success later requests carry the session cookie and the CSRF token.
  Reply SignIn(const std::string& email, std::string_view password) {
    Reply reply = Post("/api/v1/session", nlohmann::json{{"email", email}, {"password", password}});
    if (reply.status == 200) {
      const std::string set_cookie = reply.Header("Set-Cookie");
      cookie_ = set_cookie.substr(0, set_cookie.find(';'));
      csrf_token_ = reply.json.at("csrf_token").get<std::string>();
    }
    return reply;
  }
  void UseBearer(std::string token) { bearer_ = std::move(token); }
  void SendCsrfToken(bool send) { send_csrf_ = send; }
  const std::string& csrf_token() const { return csrf_token_; }

 private:
  httplib::Headers With(httplib::Headers extra, bool writes) const {
    if (!cookie_.empty()) {
      extra.emplace("Cookie", cookie_);
      if (writes && send_csrf_) {
        extra.emplace("X-CSRF-Token", csrf_token_);
      }
    }
    if (!bearer_.empty()) {
      extra.emplace("Authorization", "Bearer " + bearer_);
    }
    return extra;
  }

  static Reply Wrap(const httplib::Result& result) {
    Reply reply;
    if (!result) {
      return reply;
    }
    reply.status = result->status;
    reply.body = result->body;
    reply.headers = result->headers;
    reply.json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  httplib::Client client_;
  std::string cookie_;
  std::string csrf_token_;
  std::string bearer_;
  bool send_csrf_ = true;
};

// The database a test of `backend` runs on: a fresh PostgreSQL database (owned by `pg`) or
// a SQLite file in `dir`. Empty when PostgreSQL is wanted but unavailable (the test skips).
inline std::optional<std::string> TestDatabaseUrl(Backend backend, const TempDir& dir,
                                                  std::unique_ptr<PgTestDatabase>& pg) {
  if (backend == Backend::kSqlite) {
    return "sqlite:" + dir.File("worklog.db");
  }
  auto database = PgTestDatabase::Create();
  if (!database) {
    return std::nullopt;
  }
  pg = std::move(*database);
  return pg->url();
}

// `worklog user add` on `db_url` with the password kPassword; fails the test when the
// command does.
inline void AddUserTo(const std::string& db_url, const std::string& email, const std::string& name,
                      const std::string& role = "user", const std::string& timezone = "UTC") {
  const CommandResult result =
      RunWorklog({"user", "add", "--db", db_url, "--email", email, "--name", name, "--role", role,
                  "--timezone", timezone, "--password-stdin"},
                 std::string(kPassword) + "\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

// `worklog token create` on `db_url`; the token it prints.
inline std::string CreateTokenIn(const std::string& db_url, const std::string& email) {
  const CommandResult result = RunWorklog({"token", "create", "--db", db_url, "--email", email});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::string token = result.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  return token;
}

// A database, a data directory and a `worklog serve` on them.
class Deployment {
 public:
  // Null (and the test skipped) when PostgreSQL is wanted but not available.
  static std::unique_ptr<Deployment> Create(Backend backend,
                                            std::vector<std::string> extra_args = {}) {
    auto deployment = std::unique_ptr<Deployment>(new Deployment());
    auto db_url = TestDatabaseUrl(backend, deployment->dir_, deployment->pg_);
    if (!db_url) {
      return nullptr;
    }
    deployment->db_url_ = std::move(*db_url);
    deployment->server_ =
        std::make_unique<ServerProcess>(ServeConfig{.db_url = deployment->db_url_,
                                                    .data_dir = deployment->dir_.File("data"),
                                                    .public_url = "http://127.0.0.1",
                                                    .extra_args = std::move(extra_args),
                                                    .env = {}});
    return deployment;
  }

  ServerProcess& server() { return *server_; }
  const std::string& db_url() const { return db_url_; }
  std::string data_dir() const { return dir_.File("data"); }
  const TempDir& dir() const { return dir_; }
  ApiClient Client() const { return ApiClient(server_->port()); }

  // `worklog user add` with a password; fails the test when the command does.
  void AddUser(const std::string& email, const std::string& role = "user",
               const std::string& timezone = "UTC") {
    AddUserTo(db_url_, email, "Test " + email, role, timezone);
  }

  // `worklog token create`; the token it prints.
  std::string CreateToken(const std::string& email) { return CreateTokenIn(db_url_, email); }

 private:
  Deployment() = default;

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string db_url_;
  std::unique_ptr<ServerProcess> server_;
};

// Starts a deployment for `backend` in a TEST_P, skipping when PostgreSQL is unavailable.
// `var` names the variable it declares: it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WORKLOG_START_DEPLOYMENT(var, backend)                                 \
  auto var = ::worklog::testing::Deployment::Create(backend);                  \
  if (!(var)) {                                                                \
    GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres"; \
  }                                                                            \
  {                                                                            \
    auto started = (var)->server().Start();                                    \
    ASSERT_TRUE(started.has_value()) << started.error().message;               \
  }
// NOLINTEND(bugprone-macro-parentheses)

inline nlohmann::json Worklog(const std::string& issue_key, int64_t duration_seconds,
                              const std::string& description = "work",
                              const std::string& date = "2026-11-24",
                              const std::string& time = "09:30") {
  return {{"issue_key", issue_key},
          {"start_date", date},
          {"start_time", time},
          {"duration_seconds", duration_seconds},
          {"description", description}};
}

}  // namespace worklog::testing
