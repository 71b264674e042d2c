// Issue #7 item 4, against the real binary and the GitLab simulator (SQLite):
// - Secrets never in logs or responses: a full flow (sign-in, API tokens, organization
//   connect with a client secret, OAuth tokens, the webhook secret, passwords, a GitLab push
//   delivered to worklog) and then every secret searched for in the server's captured logs
//   and in every worklog response body and header.
// - Secrets not readable in the database file without the key.
// - Webhook deliveries without the right token (or hostile bodies with it) are stored nowhere.
// - OAuth: a code presented with another flow's state (PKCE verifier mismatch) fails.
// - Security headers over real HTTP on UI pages, assets, API answers, errors and the callback.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <postgresql/libpq-fe.h>

#include "common/crypto.h"
#include "deployment.h"
#include "gitlab_flow.h"
#include "store/gitlab_org.h"
#include "store/store.h"
#include "support/pg_database.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

using ::testing::HasSubstr;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Rows of webhook_inbox in the SQLite file (every delivery ever stored, done or not).
int64_t InboxRows(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  int64_t count = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM webhook_inbox", -1, &statement, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    count = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return count;
}

// Rows of any table of the PostgreSQL database at `url` whose text contains `needle`; -1
// when the database cannot be read.
int64_t PgRowsContaining(const std::string& url, const std::string& needle) {
  PGconn* connection = PQconnectdb(url.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    PQfinish(connection);
    return -1;
  }
  std::vector<std::string> tables;
  PGresult* listed = PQexec(connection,
                            "SELECT table_name FROM information_schema.tables WHERE "
                            "table_schema = 'public' AND table_type = 'BASE TABLE'");
  for (int row = 0; PQresultStatus(listed) == PGRES_TUPLES_OK && row < PQntuples(listed); ++row) {
    tables.emplace_back(PQgetvalue(listed, row, 0));
  }
  PQclear(listed);
  int64_t total = tables.empty() ? -1 : 0;
  for (const auto& table : tables) {
    const std::string sql =
        "SELECT count(*) FROM \"" + table + "\" t WHERE strpos(t::text, $1) > 0";
    const char* values[] = {needle.c_str()};
    PGresult* result =
        PQexecParams(connection, sql.c_str(), 1, nullptr, values, nullptr, nullptr, 0);
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
      total += std::stoll(PQgetvalue(result, 0, 0));
    } else {
      total = -1;
    }
    PQclear(result);
    if (total < 0) {
      break;
    }
  }
  PQfinish(connection);
  return total;
}

// What worklog answered, kept for the secret search: bodies and headers (Set-Cookie aside:
// it carries the session id by design).
class Answers {
 public:
  Reply Keep(Reply reply) {
    text_ += reply.body + "\n";
    for (const auto& [name, value] : reply.headers) {
      if (name != "Set-Cookie" && name != "set-cookie") {
        text_ += name + ": " + value + "\n";
      }
    }
    ++count_;
    return reply;
  }
  Browser::Page Keep(Browser::Page page) {
    text_ += page.body + "\n" + page.location + "\n";
    ++count_;
    return page;
  }
  const std::string& text() const { return text_; }
  int count() const { return count_; }

 private:
  std::string text_;
  int count_ = 0;
};

// The plaintext secrets of the organization connection, read with the key like the server.
struct OrgSecrets {
  std::string access_token;
  std::string refresh_token;
  std::string client_secret;
  std::string hook_secret;
};

class SecurityFlow : public ::testing::Test {
 protected:
  virtual Backend backend() const { return Backend::kSqlite; }

  void SetUp() override {
    auto db_url = TestDatabaseUrl(backend(), dir_, pg_);
    if (!db_url) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    db_url_ = std::move(*db_url);
    if (backend() == Backend::kSqlite) {
      db_path_ = dir_.File("worklog.db");
    }
    ASSERT_TRUE(sim_.Start()) << sim_.Stderr();
    for (const auto& [email, role] :
         {std::pair{"boss@example.com", "admin"}, std::pair{"erin@example.com", "user"}}) {
      AddUserTo(db_url_, email, "Staff", role);
    }
    ASSERT_FALSE(HasFatalFailure());
    std::filesystem::create_directories(dir_.File("web/assets"));
    std::ofstream(dir_.File("web/index.html")) << "<!doctype html><title>worklog</title>";
    std::ofstream(dir_.File("web/assets/app.js")) << "console.log('worklog');";
    server_ = std::make_unique<ServerProcess>(
        ServeConfig{.db_url = db_url_,
                    .data_dir = dir_.File("data"),
                    .public_url = "",
                    .extra_args = {"--poll-interval", "3600", "--web-dir", dir_.File("web")},
                    .env = {}});
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
    worklog_ = server_->base_url();
    callback_prefix_ = worklog_ + "/apps/gitlab/oauth/callback";

    owner_id_ = CreateSimUser(sim_, "owner", "owner@corp.example", "");
    erin_gitlab_id_ = CreateSimUser(sim_, "erin", "erin@example.com", "erin@example.com");
    const Reply group = sim_.Api("POST", "/groups", {{"name", "Acme"}, {"path", "acme"}});
    ASSERT_EQ(group.status, 201) << group.body;
    ASSERT_EQ(sim_.Api("POST", "/groups/" + group.json["id"].dump() + "/members",
                       {{"user_id", owner_id_}, {"access_level", 50}})
                  .status,
              201);
    const Reply project = sim_.Api("POST", "/projects",
                                   {{"name", "api"},
                                    {"path", "api"},
                                    {"namespace_id", group.json["id"]},
                                    {"initialize_with_readme", true}});
    ASSERT_EQ(project.status, 201) << project.body;
    project_id_ = project.json["id"].get<int64_t>();
    ASSERT_EQ(sim_.Api("POST", "/projects/" + std::to_string(project_id_) + "/members",
                       {{"user_id", erin_gitlab_id_}, {"access_level", 40}})
                  .status,
              201);
    const Reply app = sim_.Api("POST", "/applications",
                               {{"name", "worklog"},
                                {"redirect_uri", callback_prefix_},
                                {"scopes", "api read_user"},
                                {"confidential", true}});
    ASSERT_EQ(app.status, 201) << app.body;
    client_id_ = app.json["application_id"];
    client_secret_ = app.json["secret"];
    boss_session_ = SignInSession(server_->port(), "boss@example.com", &boss_csrf_);
    boss_ = std::make_unique<SessionClient>(server_->port(), boss_session_, boss_csrf_);
  }

  // Starts an organization connection; GitLab's redirect back (code and state), not followed.
  std::string AuthorizeOrganization(Browser& browser) {
    const Reply connect = answers_.Keep(boss_->Post(
        "/api/v1/apps/gitlab/organization/connect",
        {{"base_url", sim_.url()}, {"client_id", client_id_}, {"client_secret", client_secret_}}));
    EXPECT_EQ(connect.status, 200) << connect.body;
    if (connect.status != 200) {
      return "";
    }
    return browser.AuthorizeAtGitlab(connect.json["authorize_url"], "owner", callback_prefix_);
  }

  // Installs the app and connects the organization; hooks become active.
  void Connect() {
    ASSERT_EQ(answers_.Keep(boss_->Post("/api/v1/apps/gitlab/install", json::object())).status,
              200);
    Browser browser;
    browser.SetCookie(worklog_, "worklog_session", boss_session_);
    const std::string callback = AuthorizeOrganization(browser);
    ASSERT_FALSE(callback.empty());
    codes_.push_back(QueryParam(callback, "code"));
    const Browser::Page landed = answers_.Keep(browser.Send("GET", callback));
    ASSERT_EQ(landed.status, 302) << landed.body;
    EXPECT_THAT(landed.location, HasSubstr("connected=1"));
    ASSERT_TRUE(WaitFor([&] {
      const Reply projects = boss_->Get("/api/v1/apps/gitlab/projects");
      return projects.status == 200 && projects.json.size() == 1 &&
             projects.json[0]["hook_status"] == "active";
    })) << boss_->Get("/api/v1/apps/gitlab/projects").body;
  }

  OrgSecrets ReadOrgSecrets() {
    OrgSecrets secrets;
    SystemClock clock;
    auto store = store::OpenStore(db_url_, clock);
    EXPECT_TRUE(store) << store.error().message;
    auto box = SecretBox::FromEnvironmentOrFile(dir_.File("data"));
    EXPECT_TRUE(box) << box.error().message;
    if (!store || !box) {
      return secrets;
    }
    auto integration = (*store)->GitlabOrg().Get();
    EXPECT_TRUE(integration) << integration.error().message;
    if (!integration) {
      return secrets;
    }
    const auto open = [&](const std::string& sealed) {
      auto opened = box->Open(sealed);
      EXPECT_TRUE(opened) << opened.error().message;
      return opened.value_or("");
    };
    secrets.access_token = open(integration->access_token_sealed);
    secrets.refresh_token = open(integration->refresh_token_sealed);
    secrets.client_secret = open(integration->client_secret_sealed);
    secrets.hook_secret = open(integration->hook_secret_sealed);
    return secrets;
  }

  httplib::Result Deliver(const std::string& token, const std::string& body,
                          bool with_token = true) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(std::chrono::seconds(30));
    httplib::Headers headers{{"X-Gitlab-Event", "Push Hook"}};
    if (with_token) {
      headers.emplace("X-Gitlab-Token", token);
    }
    return client.Post("/hooks/gitlab", headers, body, "application/json");
  }

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string db_path_;  // SQLite only
  std::string db_url_;
  SimProcess sim_;
  std::unique_ptr<ServerProcess> server_;
  std::string worklog_;
  std::string callback_prefix_;
  int64_t owner_id_ = 0;
  int64_t erin_gitlab_id_ = 0;
  int64_t project_id_ = 0;
  std::string client_id_;
  std::string client_secret_;
  std::string boss_session_;
  std::string boss_csrf_;
  std::unique_ptr<SessionClient> boss_;
  std::vector<std::string> codes_;
  Answers answers_;
};

// The full flow on both back-ends (the database check differs: file bytes or table rows).
class SecurityFlowBackends : public SecurityFlow, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Backends, SecurityFlowBackends,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST_P(SecurityFlowBackends, NoSecretInLogsOrResponsesAndNoneInClearInTheDatabase) {
  ASSERT_NO_FATAL_FAILURE(Connect());
  const OrgSecrets org = ReadOrgSecrets();
  ASSERT_FALSE(org.access_token.empty());
  ASSERT_FALSE(org.refresh_token.empty());
  ASSERT_FALSE(org.hook_secret.empty());
  EXPECT_EQ(org.client_secret, client_secret_);

  // Staff: erin connected by e-mail, signs in, uses an API token and a session.
  const Reply added = answers_.Keep(boss_->Get("/api/v1/staff"));
  ASSERT_EQ(added.status, 200);
  int64_t erin_id = 0;
  for (const auto& member : added.json) {
    if (member["email"] == "erin@example.com") {
      erin_id = member["id"];
    }
  }
  ASSERT_GT(erin_id, 0);
  const Reply connected =
      answers_.Keep(boss_->Post("/api/v1/staff/actions/connect-gitlab", {{"user_ids", {erin_id}}}));
  ASSERT_EQ(connected.status, 200) << connected.body;
  const CommandResult token_out =
      RunWorklog({"token", "create", "--db", db_url_, "--email", "erin@example.com"});
  ASSERT_EQ(token_out.exit_code, 0) << token_out.err;
  const std::string erin_token = token_out.out.substr(0, token_out.out.find('\n'));
  ApiClient erin(server_->port());
  erin.UseBearer(erin_token);
  ASSERT_EQ(answers_.Keep(erin.Post("/api/v1/worklogs", Worklog("PROJ-1", 900))).status, 201);
  // A push by erin: GitLab delivers it with the hook's secret token.
  ASSERT_EQ(sim_.Push(project_id_, "main",
                      json::array({{{"message", "PROJ-2 secret-free work"},
                                    {"author_name", "Erin"},
                                    {"author_email", "erin@example.com"},
                                    {"actions", json::array({{{"action", "create"},
                                                              {"file_path", "a.txt"},
                                                              {"content", "a"}}})}}}),
                      "erin")
                .status,
            201);
  StoreReader store(db_url_);
  ASSERT_TRUE(WaitFor([&] { return store.CountActivities() > 0; })) << "the push did not arrive";
  const std::string today = Rfc3339(std::chrono::system_clock::now()).substr(0, 10);
  EXPECT_EQ(
      answers_.Keep(erin.Get("/api/v1/me/activity-feed?from=" + today + "&to=" + today)).status,
      200);
  std::string erin_csrf;
  const std::string erin_session = SignInSession(server_->port(), "erin@example.com", &erin_csrf);
  SessionClient erin_browser(server_->port(), erin_session, erin_csrf);
  EXPECT_EQ(answers_.Keep(erin_browser.Get("/api/v1/me")).status, 200);
  EXPECT_EQ(answers_.Keep(boss_->Get("/api/v1/apps/gitlab/organization")).status, 200);
  EXPECT_EQ(answers_.Keep(boss_->Get("/api/v1/audit")).status, 200);
  EXPECT_EQ(answers_.Keep(boss_->Get("/api/v1/apps/gitlab/projects")).status, 200);
  // Wrong passwords, a wrong token, and a connect with a bad client secret: errors that
  // must not echo what was sent.
  const std::string wrong_password = "wrong-password-" + RandomToken(8);
  ApiClient stranger(server_->port());
  EXPECT_EQ(answers_.Keep(stranger.SignIn("erin@example.com", wrong_password)).status, 401);
  const std::string wrong_token = "wlt_" + RandomToken(24);
  ApiClient forger(server_->port());
  forger.UseBearer(wrong_token);
  EXPECT_EQ(answers_.Keep(forger.Get("/api/v1/me")).status, 401);
  const auto forged = Deliver("forged-" + RandomToken(8), R"({"object_kind":"push"})");
  ASSERT_TRUE(forged);
  answers_.Keep(Reply{forged->status, forged->body, forged->headers, json()});
  const std::string short_secret = "refused-" + RandomToken(8);
  const Reply bad_connect = answers_.Keep(boss_->Post(
      "/api/v1/apps/gitlab/organization/connect",
      {{"base_url", sim_.url()}, {"client_id", "\x01"}, {"client_secret", short_secret}}));
  EXPECT_GE(bad_connect.status, 400);

  const std::string secret_key = ReadBytes(dir_.File("data/secret.key"));
  ASSERT_FALSE(secret_key.empty());
  std::string key_text = secret_key;
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) {
    key_text.pop_back();
  }
  std::string key_hex;
  for (const char byte : key_text) {
    key_hex += fmt::format("{:02x}", static_cast<unsigned char>(byte));
  }
  if (key_text.size() == 64) {
    key_hex = key_text;  // the file holds hex already
  }
  // Secrets that must appear in neither the logs nor any response.
  const std::map<std::string, std::string> secrets = {
      {"user password", std::string(kPassword)},
      {"wrong password", wrong_password},
      {"API token", erin_token},
      {"forged API token", wrong_token},
      {"OAuth client secret", client_secret_},
      {"client secret of a refused connect", short_secret},
      {"OAuth access token", org.access_token},
      {"OAuth refresh token", org.refresh_token},
      {"OAuth authorization code", codes_.at(0)},
      {"webhook secret token", org.hook_secret},
      {"secret key (file bytes)", key_text},
      {"secret key (hex)", key_hex},
  };
  // Secrets that worklog hands out by design in one place (Set-Cookie, the sign-in body),
  // and so are searched for in the logs only.
  const std::map<std::string, std::string> log_only = {
      {"administrator session id", boss_session_},
      {"user session id", erin_session},
      {"administrator CSRF token", boss_csrf_},
      {"user CSRF token", erin_csrf},
  };
  // Stopped first, so that every log line is written out.
  ASSERT_TRUE(server_->Stop());
  const std::string logs = server_->Stdout() + server_->Stderr();
  ASSERT_THAT(logs, HasSubstr("path=/hooks/gitlab")) << "the server's logs were not captured";
  ASSERT_THAT(logs, HasSubstr("gitlab token obtained"));
  int searched = 0;
  int found = 0;
  for (const auto& [what, secret] : secrets) {
    ASSERT_GE(secret.size(), 8u) << what;
    ++searched;
    if (logs.find(secret) != std::string::npos) {
      ++found;
      ADD_FAILURE() << what << " is in the server's logs";
    }
    if (answers_.text().find(secret) != std::string::npos) {
      ++found;
      ADD_FAILURE() << what << " is in a response";
    }
  }
  for (const auto& [what, secret] : log_only) {
    ASSERT_GE(secret.size(), 8u) << what;
    ++searched;
    if (logs.find(secret) != std::string::npos) {
      ++found;
      ADD_FAILURE() << what << " is in the server's logs";
    }
  }
  // Controls: the search sees what is not secret (the client id is in the authorize URL).
  EXPECT_THAT(answers_.text(), HasSubstr(client_id_));
  EXPECT_THAT(logs, HasSubstr("gitlab_user=owner"));
  EXPECT_EQ(found, 0);
  std::cout << "[ secrets ] searched " << searched << " secrets in " << logs.size()
            << " bytes of logs and " << answers_.count() << " responses (" << answers_.text().size()
            << " bytes): found " << found << "\n";

  // The database holds none of them in clear: the SQLite file and its WAL, byte for byte,
  // or every row of every PostgreSQL table as text.
  const std::map<std::string, std::string> at_rest = {{"OAuth access token", org.access_token},
                                                      {"OAuth refresh token", org.refresh_token},
                                                      {"OAuth client secret", client_secret_},
                                                      {"webhook secret token", org.hook_secret},
                                                      {"user password", std::string(kPassword)},
                                                      {"API token", erin_token},
                                                      {"session id", boss_session_},
                                                      {"secret key (hex)", key_hex}};
  int stored_clear = 0;
  std::size_t scanned = 0;
  if (backend() == Backend::kSqlite) {
    const std::string database = ReadBytes(db_path_) + ReadBytes(db_path_ + "-wal");
    ASSERT_GT(database.size(), 10000u);
    scanned = database.size();
    // Control: what is stored in clear by design is found.
    EXPECT_NE(database.find("erin@example.com"), std::string::npos);
    if (database.find(key_text) != std::string::npos) {
      ++stored_clear;
      ADD_FAILURE() << "the secret key's bytes are in the SQLite file";
    }
    for (const auto& [what, secret] : at_rest) {
      if (database.find(secret) != std::string::npos) {
        ++stored_clear;
        ADD_FAILURE() << what << " is stored in clear in the SQLite file";
      }
    }
  } else {
    EXPECT_GT(PgRowsContaining(db_url_, "erin@example.com"), 0) << "control";
    for (const auto& [what, secret] : at_rest) {
      const int64_t rows = PgRowsContaining(db_url_, secret);
      ASSERT_GE(rows, 0) << "cannot read the PostgreSQL tables";
      if (rows > 0) {
        ++stored_clear;
        ADD_FAILURE() << what << " is stored in clear in " << rows << " PostgreSQL rows";
      }
    }
  }
  EXPECT_EQ(stored_clear, 0);
  std::cout << "[ at rest ] " << at_rest.size() << " secrets searched in the "
            << BackendName({GetParam(), 0}) << " database"
            << (scanned > 0 ? " (" + std::to_string(scanned) + " bytes of file + WAL)" : "")
            << ": found " << stored_clear << "\n";
}

TEST_F(SecurityFlow, WebhookWithoutTheRightTokenOrWithAHostileBodyIsStoredNowhere) {
  ASSERT_NO_FATAL_FAILURE(Connect());
  const OrgSecrets org = ReadOrgSecrets();
  ASSERT_FALSE(org.hook_secret.empty());
  const int64_t before = InboxRows(db_path_);
  ASSERT_GE(before, 0);
  const std::string push = R"({"object_kind":"push","project":{"id":1}})";
  std::string near_miss = org.hook_secret;
  near_miss.back() = near_miss.back() == 'a' ? 'b' : 'a';

  const auto status_of = [](const httplib::Result& result) { return result ? result->status : 0; };
  EXPECT_EQ(status_of(Deliver("", push, /*with_token=*/false)), 401);
  EXPECT_EQ(status_of(Deliver("", push)), 401);
  EXPECT_EQ(status_of(Deliver(near_miss, push)), 401);
  EXPECT_EQ(status_of(Deliver(org.hook_secret.substr(0, org.hook_secret.size() - 1), push)), 401);
  EXPECT_EQ(status_of(Deliver(org.hook_secret + "x", push)), 401);
  // Without the token a hostile body is not even read: 401 like any other.
  EXPECT_EQ(status_of(Deliver(near_miss, std::string(100000, '['))), 401);
  EXPECT_EQ(status_of(Deliver("", "\xFF\xFE", /*with_token=*/false)), 401);
  // Hostile bodies with the right token: refused, naming the problem.
  const auto deep = Deliver(org.hook_secret, R"({"object_kind":)" + std::string(100000, '[') +
                                                 std::string(100000, ']') + "}");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  EXPECT_THAT(deep->body, HasSubstr("deeper"));
  const auto bad_text = Deliver(org.hook_secret, "{\"object_kind\":\"push\xC3\x28\xFF\"}");
  ASSERT_TRUE(bad_text);
  EXPECT_EQ(bad_text->status, 400);
  EXPECT_THAT(bad_text->body, HasSubstr("UTF-8"));
  const auto huge =
      Deliver(org.hook_secret, R"({"object_kind":"push","x":")" +
                                   std::string(std::size_t{25} * 1024 * 1024, 'a') + "\"}");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  const auto beyond_server_limit =
      Deliver(org.hook_secret, std::string(std::size_t{27} * 1024 * 1024, ' '));
  EXPECT_TRUE(!beyond_server_limit || beyond_server_limit->status == 413);
  EXPECT_EQ(InboxRows(db_path_), before) << "a refused delivery was stored";

  // Still serving, and the right token with a real delivery is stored.
  httplib::Client client("127.0.0.1", server_->port());
  ASSERT_EQ(client.Get("/healthz")->status, 200);
  const auto good = Deliver(org.hook_secret, push);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 202) << good->body;
  EXPECT_EQ(InboxRows(db_path_), before + 1);
}

TEST_F(SecurityFlow, ACodePresentedWithAnotherFlowsStateFailsAndConnectsNothing) {
  ASSERT_EQ(boss_->Post("/api/v1/apps/gitlab/install", json::object()).status, 200);
  Browser browser;
  browser.SetCookie(worklog_, "worklog_session", boss_session_);
  // Two connections started by the same administrator in the same session.
  const std::string first = AuthorizeOrganization(browser);
  const std::string second = AuthorizeOrganization(browser);
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  ASSERT_NE(QueryParam(first, "state"), QueryParam(second, "state"));
  // The first flow's code with the second flow's state: the PKCE verifier does not match
  // the code's challenge, so GitLab refuses the exchange.
  const std::string swapped = callback_prefix_ + "?code=" + QueryParam(first, "code") +
                              "&state=" + QueryParam(second, "state");
  const Browser::Page landed = browser.Send("GET", swapped);
  EXPECT_TRUE(landed.status == 302 || (landed.status >= 400 && landed.status < 500))
      << landed.status << " " << landed.body;
  EXPECT_THAT(landed.location, ::testing::Not(HasSubstr("connected=1")));
  if (landed.status == 302) {
    // Back to the Organization tab, with the OAuth error and its reason (the test client
    // decodes the Location header).
    EXPECT_THAT(landed.location, HasSubstr("/apps/gitlab/organization?error=token_exchange_failed"
                                           "&error_description=GitLab re-authorization needed"));
  }
  EXPECT_EQ(boss_->Get("/api/v1/apps/gitlab/organization").json["status"], "disconnected");
  // The second state is spent, even though its exchange failed.
  EXPECT_EQ(browser.Send("GET", second).status, 400);
  // A state that never existed, and a callback without a state.
  EXPECT_EQ(browser.Send("GET", callback_prefix_ + "?code=x&state=" + RandomToken(16)).status, 400);
  EXPECT_EQ(browser.Send("GET", callback_prefix_ + "?code=x").status, 400);
  EXPECT_EQ(boss_->Get("/api/v1/apps/gitlab/organization").json["status"], "disconnected");
}

TEST_F(SecurityFlow, AStateIsBoundToTheSessionThatStartedIt) {
  ASSERT_NO_FATAL_FAILURE(Connect());
  // erin, signed in twice (two browsers): the flow started in one cannot finish in the other.
  std::string csrf_one;
  std::string csrf_two;
  const std::string one = SignInSession(server_->port(), "erin@example.com", &csrf_one);
  const std::string two = SignInSession(server_->port(), "erin@example.com", &csrf_two);
  SessionClient erin_one(server_->port(), one, csrf_one);
  const Reply started = erin_one.Post("/api/v1/me/integrations/gitlab/connect", json::object());
  ASSERT_EQ(started.status, 200) << started.body;
  Browser browser_one;
  browser_one.SetCookie(worklog_, "worklog_session", one);
  const std::string callback =
      browser_one.AuthorizeAtGitlab(started.json["authorize_url"], "erin", callback_prefix_);
  ASSERT_FALSE(callback.empty());
  Browser browser_two;
  browser_two.SetCookie(worklog_, "worklog_session", two);
  EXPECT_EQ(browser_two.Send("GET", callback).status, 403);
  // Without any session: sign in first.
  Browser anonymous;
  EXPECT_EQ(anonymous.Send("GET", callback).status, 401);
  // The state was spent by the refused attempt: the first browser must start again.
  EXPECT_EQ(browser_one.Send("GET", callback).status, 400);
  EXPECT_EQ(erin_one.Get("/api/v1/me").json["user"]["integrations"]["gitlab"]["connected"], false);
}

TEST_F(SecurityFlow, SecurityHeadersOverHttpOnEveryKindOfAnswer) {
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(std::chrono::seconds(30));
  const httplib::Headers session{{"Cookie", "worklog_session=" + boss_session_}};
  const httplib::Headers writes{{"Cookie", "worklog_session=" + boss_session_},
                                {"X-CSRF-Token", boss_csrf_}};
  std::vector<std::pair<std::string, httplib::Result>> answers;
  answers.emplace_back("UI page", client.Get("/"));
  answers.emplace_back("UI deep link", client.Get("/my-work"));
  answers.emplace_back("static asset", client.Get("/assets/app.js"));
  answers.emplace_back("API", client.Get("/api/v1/me", session));
  answers.emplace_back("401", client.Get("/api/v1/me"));
  answers.emplace_back("404", client.Get("/api/v1/no-such-thing", session));
  answers.emplace_back("405", client.Patch("/api/v1/worklogs", writes, "{}", "application/json"));
  answers.emplace_back("413 (route limit)",
                       client.Post("/api/v1/worklogs", writes, std::string(2 * 1024 * 1024, ' '),
                                   "application/json"));
  answers.emplace_back("413 (server limit)",
                       client.Post("/hooks/gitlab", std::string(std::size_t{27} * 1024 * 1024, ' '),
                                   "application/json"));
  answers.emplace_back("OAuth callback",
                       client.Get("/apps/gitlab/oauth/callback?code=a&state=b", session));
  answers.emplace_back("webhook", client.Post("/hooks/gitlab", "{}", "application/json"));
  const std::map<std::string, int> statuses = {
      {"UI page", 200}, {"static asset", 200},     {"API", 200}, {"401", 401}, {"404", 404},
      {"405", 405},     {"413 (route limit)", 413}};
  for (const auto& [what, result] : answers) {
    if (!result) {
      ADD_FAILURE() << what << ": no answer (" << httplib::to_string(result.error()) << ")";
      continue;
    }
    if (statuses.contains(what)) {
      EXPECT_EQ(result->status, statuses.at(what)) << what << ": " << result->body;
    }
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"),
                HasSubstr("frame-ancestors 'none'"))
        << what;
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"), HasSubstr("default-src"))
        << what;
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(result->get_header_value("Referrer-Policy"), "same-origin") << what;
  }
}

}  // namespace
}  // namespace worklog::testing
