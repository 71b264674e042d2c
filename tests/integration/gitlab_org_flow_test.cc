// Issue #4, the seed flow end to end: a `worklog gitlab-sim` process and a `worklog serve`
// process, driven over HTTP as an administrator, staff and their browsers would. On SQLite
// and on PostgreSQL. Plus every administrative endpoint walked as a non-administrator.
#include <httplib.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "deployment.h"
#include "gitlab_flow.h"
#include "support/pg_database.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {
namespace {

// A database, a `worklog serve` whose public URL is its real address (so GitLab's hooks
// reach it), and a simulator.
class GitlabFlow : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db_url = TestDatabaseUrl(GetParam(), dir_, pg_);
    if (!db_url) {
      GTEST_SKIP() << "PostgreSQL unavailable: run under scripts/with-postgres";
    }
    db_url_ = std::move(*db_url);
    ASSERT_TRUE(sim_.Start()) << sim_.Stderr();
    AddUser("boss@example.com", "admin");
    AddUser("erin@example.com", "user");
    AddUser("walter@example.com", "user");
    server_ = std::make_unique<ServerProcess>(
        ServeConfig{.db_url = db_url_,
                    .data_dir = dir_.File("data"),
                    .public_url = "",  // derived from the bound port
                    .extra_args = {"--poll-interval", "3600"},
                    .env = {}});
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
    worklog_ = server_->base_url();
    callback_prefix_ = worklog_ + "/apps/gitlab/oauth/callback";
  }

  void AddUser(const std::string& email, const std::string& role) {
    AddUserTo(db_url_, email, "Staff " + email.substr(0, email.find('@')), role);
  }

  ApiClient SignedIn(const std::string& email) {
    ApiClient client(server_->port());
    const Reply reply = client.SignIn(email, kPassword);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return client;
  }

  // The session cookie of a signed-in ApiClient, for a browser.
  static std::string SessionOf(const std::string& email, int port, std::string* csrf = nullptr) {
    httplib::Client client("127.0.0.1", port);
    auto result =
        client.Post("/api/v1/session", json{{"email", email}, {"password", kPassword}}.dump(),
                    "application/json");
    if (!result || result->status != 200) {
      ADD_FAILURE() << "sign-in failed";
      return "";
    }
    if (csrf != nullptr) {
      *csrf = json::parse(result->body).at("csrf_token").get<std::string>();
    }
    const std::string cookie = result->get_header_value("Set-Cookie");
    const std::string pair = cookie.substr(0, cookie.find(';'));
    return pair.substr(pair.find('=') + 1);
  }

  worklog::testing::TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string db_url_;
  SimProcess sim_;
  std::unique_ptr<ServerProcess> server_;
  std::string worklog_;
  std::string callback_prefix_;
};

INSTANTIATE_TEST_SUITE_P(Backends, GitlabFlow,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

const json* FindBy(const json& array, const std::string& key, const json& value) {
  for (const auto& item : array) {
    if (item.contains(key) && item[key] == value) {
      return &item;
    }
  }
  return nullptr;
}

TEST_P(GitlabFlow, OrganizationConnectsStaffActivityArrivesAndDisconnectLeavesNothing) {
  // --- GitLab: people, groups, projects, history -------------------------------------------
  const int64_t owner_id = CreateSimUser(sim_, "owner", "owner@corp.example", "");
  const int64_t ada_id = CreateSimUser(sim_, "ada", "ada@example.com", "ada@example.com");
  const int64_t carol_id = CreateSimUser(sim_, "carol", "carol@example.com", "carol@example.com");
  const int64_t dave_id = CreateSimUser(sim_, "dave", "dave@corp.example", "");
  const int64_t erin_id = CreateSimUser(sim_, "erin", "erin@example.com", "");
  ASSERT_GT(owner_id * ada_id * carol_id * dave_id * erin_id, 0);

  const Reply acme = sim_.Api("POST", "/groups", {{"name", "Acme"}, {"path", "acme"}});
  ASSERT_EQ(acme.status, 201) << acme.body;
  const Reply platform =
      sim_.Api("POST", "/groups",
               {{"name", "Platform"}, {"path", "platform"}, {"parent_id", acme.json["id"]}});
  ASSERT_EQ(platform.status, 201) << platform.body;
  const Reply other = sim_.Api("POST", "/groups", {{"name", "Other"}, {"path", "other"}});
  ASSERT_EQ(other.status, 201) << other.body;
  // Owner of acme (and so of its subgroup's projects); only Developer in other.
  ASSERT_EQ(sim_.Api("POST", "/groups/" + acme.json["id"].dump() + "/members",
                     {{"user_id", owner_id}, {"access_level", 50}})
                .status,
            201);
  ASSERT_EQ(sim_.Api("POST", "/groups/" + other.json["id"].dump() + "/members",
                     {{"user_id", owner_id}, {"access_level", 30}})
                .status,
            201);
  const auto project = [&](const std::string& name, const json& namespace_id) {
    const Reply reply = sim_.Api("POST", "/projects",
                                 {{"name", name},
                                  {"path", name},
                                  {"namespace_id", namespace_id},
                                  {"initialize_with_readme", true}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json.value("id", int64_t{0});
  };
  const int64_t api_id = project("api", platform.json["id"]);  // acme/platform/api
  const int64_t web_id = project("web", acme.json["id"]);      // acme/web
  const int64_t lib_id = project("lib", other.json["id"]);     // other/lib: not Owner
  ASSERT_GT(api_id * web_id * lib_id, 0);
  for (int64_t project_id : {api_id, web_id, lib_id}) {
    for (int64_t member : {ada_id, carol_id, dave_id, erin_id}) {
      ASSERT_EQ(sim_.Api("POST", "/projects/" + std::to_string(project_id) + "/members",
                         {{"user_id", member}, {"access_level", 40}})
                    .status,
                201);
    }
  }
  // (Maintainers: `main` is protected, as on GitLab.)
  // Older history, before worklog was connected: dave pushed a commit that carol authored.
  const auto three_days_ago = std::chrono::system_clock::now() - std::chrono::hours(72);
  const Reply old_push =
      sim_.Push(api_id, "main",
                json::array({{{"message", "PROJ-1 old work on the API"},
                              {"author_name", "Carol"},
                              {"author_email", "carol@example.com"},
                              {"created_at", Rfc3339(three_days_ago)},
                              {"actions", json::array({{{"action", "create"},
                                                        {"file_path", "old.txt"},
                                                        {"content", "old"}}})}}}),
                "dave");
  ASSERT_EQ(old_push.status, 201) << old_push.body;
  const std::string old_sha = old_push.json[0]["id"].get<std::string>();

  const Reply app = sim_.Api("POST", "/applications",
                             {{"name", "worklog"},
                              {"redirect_uri", callback_prefix_},
                              {"scopes", "api read_user"},
                              {"confidential", true}});
  ASSERT_EQ(app.status, 201) << app.body;
  const std::string client_id = app.json["application_id"];
  const std::string client_secret = app.json["secret"];

  // --- Apps: install ----------------------------------------------------------------------
  std::string csrf;
  const std::string boss_session = SessionOf("boss@example.com", server_->port(), &csrf);
  SessionClient boss(server_->port(), boss_session, csrf);
  Reply apps = boss.Get("/api/v1/apps");
  ASSERT_EQ(apps.status, 200) << apps.body;
  EXPECT_EQ(apps.json[0]["key"], "gitlab");
  EXPECT_EQ(apps.json[0]["installed"], false);
  EXPECT_EQ(apps.json[0]["early_access"], true);
  ASSERT_EQ(boss.Post("/api/v1/apps/gitlab/install", json::object()).status, 200);
  EXPECT_EQ(boss.Get("/api/v1/apps").json[0]["installed"], true);

  // --- Connect the organization: consent at GitLab as the owner ---------------------------
  Reply connect = boss.Post(
      "/api/v1/apps/gitlab/organization/connect",
      {{"base_url", sim_.url()}, {"client_id", client_id}, {"client_secret", client_secret}});
  ASSERT_EQ(connect.status, 200) << connect.body;
  const std::string authorize_url = connect.json["authorize_url"];
  EXPECT_NE(authorize_url.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(QueryParam(authorize_url, "redirect_uri"), "");
  EXPECT_EQ(QueryParam(authorize_url, "scope"), "api read_user");

  Browser owner_browser;
  owner_browser.SetCookie(worklog_, "worklog_session", boss_session);
  const std::string callback =
      owner_browser.AuthorizeAtGitlab(authorize_url, "owner", callback_prefix_);
  ASSERT_FALSE(callback.empty());
  const Browser::Page landed = owner_browser.Send("GET", callback);
  EXPECT_EQ(landed.status, 302) << landed.body;
  EXPECT_EQ(SplitUrl(landed.location).target, "/apps/gitlab/organization?connected=1");
  // The same callback again (a replay) is refused.
  EXPECT_EQ(owner_browser.Send("GET", callback).status, 400);

  Reply organization = boss.Get("/api/v1/apps/gitlab/organization");
  ASSERT_EQ(organization.status, 200) << organization.body;
  EXPECT_EQ(organization.json["status"], "connected");
  EXPECT_EQ(organization.json["base_url"], sim_.url());
  EXPECT_EQ(organization.json["gitlab_username"], "owner");
  EXPECT_EQ(organization.json["connected_by"]["email"], "boss@example.com");
  EXPECT_FALSE(organization.json["connected_at"].is_null());

  // A delivery with a wrong secret token is refused while connected.
  {
    httplib::Client hooks("127.0.0.1", server_->port());
    const auto forged =
        hooks.Post("/hooks/gitlab", {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "forged"}},
                   R"({"object_kind":"push"})", "application/json");
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
  }

  // --- Projects: every owned one (group and subgroup), monitored, with an active hook -----
  Reply projects = boss.Get("/api/v1/apps/gitlab/projects");
  ASSERT_EQ(projects.status, 200) << projects.body;
  ASSERT_NE(FindBy(projects.json, "id", api_id), nullptr) << projects.body;
  ASSERT_NE(FindBy(projects.json, "id", web_id), nullptr) << projects.body;
  EXPECT_EQ(FindBy(projects.json, "id", lib_id), nullptr) << "Developer only: " << projects.body;
  EXPECT_EQ((*FindBy(projects.json, "id", api_id))["path_with_namespace"], "acme/platform/api");
  EXPECT_EQ((*FindBy(projects.json, "id", api_id))["monitored"], true);
  EXPECT_TRUE(WaitFor([&] {
    const Reply now = boss.Get("/api/v1/apps/gitlab/projects");
    const json* api = FindBy(now.json, "id", api_id);
    const json* web = FindBy(now.json, "id", web_id);
    return api != nullptr && web != nullptr && (*api)["hook_status"] == "active" &&
           (*web)["hook_status"] == "active";
  })) << boss.Get("/api/v1/apps/gitlab/projects").body;
  const auto hooks_of = [&](int64_t project_id) {
    return sim_.Api("GET", "/projects/" + std::to_string(project_id) + "/hooks").json;
  };
  ASSERT_EQ(hooks_of(api_id).size(), 1u);
  EXPECT_EQ(hooks_of(api_id)[0]["url"], worklog_ + "/hooks/gitlab");

  // --- One project unmonitored: its hook goes --------------------------------------------
  Reply unmonitored =
      boss.Put("/api/v1/apps/gitlab/projects/" + std::to_string(web_id), {{"monitored", false}});
  ASSERT_EQ(unmonitored.status, 200) << unmonitored.body;
  EXPECT_EQ(unmonitored.json["monitored"], false);
  EXPECT_TRUE(WaitFor([&] { return hooks_of(web_id).empty(); })) << hooks_of(web_id).dump();

  // --- Backfill: the older history arrived, dated when it happened ------------------------
  StoreReader store(db_url_);
  EXPECT_TRUE(WaitFor([&] {
    for (const auto& activity : store.ActivitiesOf(dave_id, "carol@example.com")) {
      if (activity.sha == old_sha) {
        return true;
      }
    }
    return false;
  })) << "the backfill did not import the older push";
  for (const auto& activity : store.ActivitiesOf(dave_id, "carol@example.com")) {
    if (activity.sha == old_sha) {
      EXPECT_LT(activity.occurred_at, SystemClock().Now() - std::chrono::hours(48));
      EXPECT_EQ(activity.project_id, api_id);
    }
  }

  // --- Staff: added, then connected by e-mail ---------------------------------------------
  std::map<std::string, int64_t> staff_ids;
  for (const std::string name : {"ada", "carol", "zed"}) {
    Reply added = boss.Post("/api/v1/staff", {{"email", name + "@example.com"},
                                              {"name", "Staff " + name},
                                              {"role", "user"},
                                              {"timezone", "Europe/Oslo"}});
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(added.json["integrations"]["gitlab"]["connected"], false);
    staff_ids[name] = added.json["id"];
  }
  Reply matched =
      boss.Post("/api/v1/staff/actions/connect-gitlab",
                {{"user_ids", {staff_ids["ada"], staff_ids["carol"], staff_ids["zed"]}}});
  ASSERT_EQ(matched.status, 200) << matched.body;
  const json* ada_result = FindBy(matched.json, "user_id", staff_ids["ada"]);
  const json* carol_result = FindBy(matched.json, "user_id", staff_ids["carol"]);
  const json* zed_result = FindBy(matched.json, "user_id", staff_ids["zed"]);
  ASSERT_TRUE(ada_result && carol_result && zed_result) << matched.body;
  EXPECT_EQ((*ada_result)["result"], "connected") << matched.body;
  EXPECT_EQ((*ada_result)["gitlab_username"], "ada");
  EXPECT_EQ((*zed_result)["result"], "no_match") << matched.body;
  // carol@example.com is carol's public e-mail, and dave pushed commits authored with it.
  EXPECT_EQ((*carol_result)["result"], "ambiguous") << matched.body;
  std::set<int64_t> candidate_ids;
  for (const auto& candidate : (*carol_result)["candidates"]) {
    candidate_ids.insert(candidate["id"].get<int64_t>());
  }
  EXPECT_EQ(candidate_ids, (std::set<int64_t>{carol_id, dave_id}));
  Reply chosen = boss.Post("/api/v1/staff/actions/connect-gitlab",
                           {{"user_ids", {staff_ids["carol"]}},
                            {"choices", {{std::to_string(staff_ids["carol"]), carol_id}}}});
  ASSERT_EQ(chosen.status, 200) << chosen.body;
  EXPECT_EQ(chosen.json[0]["result"], "connected") << chosen.body;
  EXPECT_EQ(chosen.json[0]["gitlab_username"], "carol");

  // --- A user connects themself; a state presented by another session fails -------------
  std::string erin_csrf;
  const std::string erin_session = SessionOf("erin@example.com", server_->port(), &erin_csrf);
  SessionClient erin(server_->port(), erin_session, erin_csrf);
  Reply self = erin.Post("/api/v1/me/integrations/gitlab/connect", json::object());
  ASSERT_EQ(self.status, 200) << self.body;
  Browser erin_browser;
  erin_browser.SetCookie(worklog_, "worklog_session", erin_session);
  const std::string erin_callback =
      erin_browser.AuthorizeAtGitlab(self.json["authorize_url"], "erin", callback_prefix_);
  ASSERT_FALSE(erin_callback.empty());
  EXPECT_EQ(owner_browser.Send("GET", erin_callback).status, 403)
      << "erin's state presented with the administrator's session";
  self = erin.Post("/api/v1/me/integrations/gitlab/connect", json::object());
  ASSERT_EQ(self.status, 200) << self.body;
  const std::string erin_again =
      erin_browser.AuthorizeAtGitlab(self.json["authorize_url"], "erin", callback_prefix_);
  ASSERT_FALSE(erin_again.empty());
  const Browser::Page erin_landed = erin_browser.Send("GET", erin_again);
  EXPECT_EQ(erin_landed.status, 302);
  EXPECT_EQ(SplitUrl(erin_landed.location).target, "/my-work?connected=1");
  Reply me = erin.Get("/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json["user"]["integrations"]["gitlab"]["connected"], true) << me.body;
  EXPECT_EQ(me.json["user"]["integrations"]["gitlab"]["username"], "erin");
  EXPECT_EQ(me.json["user"]["integrations"]["gitlab"]["connected_by"], "self");

  Reply staff = boss.Get("/api/v1/staff");
  ASSERT_EQ(staff.status, 200);
  const json* ada_row = FindBy(staff.json, "id", staff_ids["ada"]);
  ASSERT_NE(ada_row, nullptr);
  EXPECT_EQ((*ada_row)["integrations"]["gitlab"]["connected"], true);
  EXPECT_EQ((*ada_row)["integrations"]["gitlab"]["username"], "ada");
  EXPECT_EQ((*ada_row)["integrations"]["gitlab"]["connected_by"]["email"], "boss@example.com");
  EXPECT_EQ((*FindBy(staff.json, "id", staff_ids["zed"]))["integrations"]["gitlab"]["connected"],
            false);

  // --- Activity in GitLab arrives by webhook; never from the unmonitored project ----------
  const Reply web_push = sim_.Push(
      web_id, "main",
      json::array(
          {{{"message", "PROJ-3 work nobody should see"},
            {"author_name", "Ada"},
            {"author_email", "ada@example.com"},
            {"actions",
             json::array({{{"action", "create"}, {"file_path", "web.txt"}, {"content", "x"}}})}}}),
      "ada");
  ASSERT_EQ(web_push.status, 201) << web_push.body;
  const Reply api_push =
      sim_.Push(api_id, "main",
                json::array({{{"message", "PROJ-2 live work on the API"},
                              {"author_name", "Ada"},
                              {"author_email", "ada@example.com"},
                              {"actions", json::array({{{"action", "create"},
                                                        {"file_path", "new.txt"},
                                                        {"content", "new"}}})}}}),
                "ada");
  ASSERT_EQ(api_push.status, 201) << api_push.body;
  const std::string live_sha = api_push.json[0]["id"].get<std::string>();
  EXPECT_TRUE(WaitFor([&] {
    for (const auto& activity : store.ActivitiesOf(ada_id, "ada@example.com")) {
      if (activity.sha == live_sha) {
        return true;
      }
    }
    return false;
  })) << "the webhook delivery did not become an activity within 10 s";
  for (const auto& activity : store.ActivitiesOf(ada_id, "ada@example.com")) {
    EXPECT_NE(activity.project_id, web_id) << activity.key;
  }

  // --- Disconnect: users, activities, hooks and tokens gone; worklogs stay ----------------
  ApiClient erin_logs = SignedIn("erin@example.com");
  ASSERT_EQ(erin_logs.Post("/api/v1/worklogs", Worklog("PROJ-2", 1800)).status, 201);
  ASSERT_EQ(boss.Delete("/api/v1/apps/gitlab/organization").status, 204);
  organization = boss.Get("/api/v1/apps/gitlab/organization");
  EXPECT_EQ(organization.json["status"], "disconnected");
  staff = boss.Get("/api/v1/staff");
  for (const auto& row : staff.json) {
    EXPECT_EQ(row["integrations"]["gitlab"]["connected"], false) << row.dump();
  }
  EXPECT_EQ(store.CountActivities(), 0);
  EXPECT_TRUE(hooks_of(api_id).empty()) << hooks_of(api_id).dump();
  EXPECT_TRUE(hooks_of(web_id).empty());
  EXPECT_EQ(boss.Get("/api/v1/apps/gitlab/projects").json.size(), 0u);
  EXPECT_EQ(erin_logs.Get("/api/v1/worklogs?from=2026-11-24&to=2026-11-24").json["worklogs"].size(),
            1u)
      << "logged worklogs stay";

  // Tokens revoked at GitLab: reconnecting asks the owner for consent again (GitLab skips
  // the consent screen while the app holds a live token of the same scopes).
  connect = boss.Post(
      "/api/v1/apps/gitlab/organization/connect",
      {{"base_url", sim_.url()}, {"client_id", client_id}, {"client_secret", client_secret}});
  ASSERT_EQ(connect.status, 200) << connect.body;
  bool consent_shown = false;
  const std::string reconnect = owner_browser.AuthorizeAtGitlab(
      connect.json["authorize_url"], "owner", callback_prefix_, &consent_shown);
  EXPECT_TRUE(consent_shown) << "the old tokens are still live at GitLab";
  // Reconnecting starts clean: projects monitored again, nobody connected.
  ASSERT_EQ(owner_browser.Send("GET", reconnect).status, 302);
  projects = boss.Get("/api/v1/apps/gitlab/projects");
  ASSERT_NE(FindBy(projects.json, "id", web_id), nullptr);
  EXPECT_EQ((*FindBy(projects.json, "id", web_id))["monitored"], true);
  EXPECT_EQ(boss.Get("/api/v1/me").json["user"]["integrations"]["gitlab"]["connected"], false);

  // --- The audit log tells who did what -----------------------------------------------------
  Reply audit = boss.Get("/api/v1/audit");
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::set<std::string> actions;
  for (const auto& entry : audit.json) {
    actions.insert(entry["action"].get<std::string>());
  }
  for (const char* expected :
       {"gitlab.install", "gitlab.organization.connect", "gitlab.project.unmonitor",
        "gitlab.user.connect", "gitlab.organization.disconnect", "gitlab.user.disconnect"}) {
    EXPECT_TRUE(actions.contains(expected)) << expected << " missing from " << audit.body;
  }
}

TEST_P(GitlabFlow, WebhookBeforeAnyOrganizationIsConnectedIsRefused) {
  ApiClient boss = SignedIn("boss@example.com");
  ASSERT_EQ(boss.Post("/api/v1/apps/gitlab/install", json::object()).status, 200);
  httplib::Client client("127.0.0.1", server_->port());
  const auto wrong =
      client.Post("/hooks/gitlab", {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "guess"}},
                  "{}", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  const auto missing =
      client.Post("/hooks/gitlab", {{"X-Gitlab-Event", "Push Hook"}}, "{}", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
}

TEST_P(GitlabFlow, IntegrationSwitchedOffByTheServerSettingCannotBeInstalled) {
  ASSERT_TRUE(server_->Stop());
  ServerProcess off(ServeConfig{.db_url = db_url_,
                                .data_dir = dir_.File("data"),
                                .public_url = "",
                                .extra_args = {},
                                .env = {{"WORKLOG_GITLAB_INTEGRATION", "off"}}});
  auto started = off.Start();
  ASSERT_TRUE(started) << started.error().message;
  ApiClient boss(off.port());
  ASSERT_EQ(boss.SignIn("boss@example.com", kPassword).status, 200);
  const Reply apps = boss.Get("/api/v1/apps");
  ASSERT_EQ(apps.status, 200);
  EXPECT_EQ(apps.json[0]["enabled"], false);
  EXPECT_EQ(apps.json[0]["installed"], false);
  EXPECT_EQ(boss.Post("/api/v1/apps/gitlab/install", json::object()).status, 404);
  EXPECT_EQ(boss.Get("/api/v1/apps/gitlab/organization").status, 404);
  httplib::Client hooks("127.0.0.1", off.port());
  const auto delivery =
      hooks.Post("/hooks/gitlab", {{"X-Gitlab-Event", "Push Hook"}}, "{}", "application/json");
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->status, 404);
}

// Every administrative endpoint, as a signed-in user who is not an administrator: 403.
TEST_P(GitlabFlow, EveryAdministrativeEndpointRefusesANonAdministrator) {
  ApiClient walter = SignedIn("walter@example.com");
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"POST", "/api/v1/apps/gitlab/install"},
      {"DELETE", "/api/v1/apps/gitlab"},
      {"GET", "/api/v1/apps/gitlab/organization"},
      {"POST", "/api/v1/apps/gitlab/organization/connect"},
      {"DELETE", "/api/v1/apps/gitlab/organization"},
      {"GET", "/api/v1/apps/gitlab/projects"},
      {"PUT", "/api/v1/apps/gitlab/projects/1"},
      {"GET", "/api/v1/staff"},
      {"POST", "/api/v1/staff"},
      {"POST", "/api/v1/staff/actions/connect-gitlab"},
      {"POST", "/api/v1/staff/actions/disconnect-gitlab"},
      {"GET", "/api/v1/audit"},
  };
  for (const auto& [method, path] : endpoints) {
    Reply reply;
    if (method == "GET") {
      reply = walter.Get(path);
    } else if (method == "POST") {
      reply = walter.Post(path, json{{"user_ids", {1}}});
    } else if (method == "PUT") {
      reply = walter.Put(path, json{{"monitored", false}});
    } else {
      reply = walter.Delete(path);
    }
    EXPECT_EQ(reply.status, 403) << method << " " << path << ": " << reply.body;
  }
  // What every user may do stays open to them.
  EXPECT_EQ(walter.Get("/api/v1/apps").status, 200);
  EXPECT_EQ(walter.Get("/api/v1/me").status, 200);
}

}  // namespace
}  // namespace worklog::testing
