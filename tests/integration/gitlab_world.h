#pragma once
// A GitLab organization in the simulator connected to one or more `worklog serve` nodes
// behind a round-robin proxy, for the resilience suites (multinode, crash harness, GitLab
// faults): the proxy is the public URL GitLab delivers to and browsers come back to, so a
// node may die, restart on another port, or share the work with a second node.

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "gitlab_flow.h"
#include "store/store.h"
#include "support/pg_database.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {

// 64 hex digits: every node of one deployment shares the key that seals GitLab tokens.
inline constexpr std::string_view kSharedSecretKey =
    "5f1c3a7e9b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a";

// An HTTP load balancer in front of the nodes: each request goes to the next node in turn;
// when that node does not answer (dead), to the next one (nginx's proxy_next_upstream
// error). Counts the webhook deliveries it received and acknowledged.
class RoundRobinProxy {
 public:
  RoundRobinProxy() {
    const auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      Forward(request, response);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    server_.Delete(".*", handler);
    server_.Patch(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // A stop() before the accept loop runs is lost, and the destructor would wait forever
    // (a world made and dropped at once, as when PostgreSQL is unavailable).
    while (port_ > 0 && !server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  RoundRobinProxy(const RoundRobinProxy&) = delete;
  RoundRobinProxy& operator=(const RoundRobinProxy&) = delete;
  ~RoundRobinProxy() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The nodes' current ports (a restarted node has a new one).
  void SetBackends(std::vector<int> ports) {
    std::lock_guard lock(mutex_);
    backends_ = std::move(ports);
  }

  struct HookCounts {
    int received = 0;      // POST /hooks/gitlab from GitLab
    int acknowledged = 0;  // answered 2xx
    std::map<int, int> acknowledged_by_port;
    std::set<std::string> acknowledged_uuids;  // X-Gitlab-Event-UUID
  };
  HookCounts Hooks() const {
    std::lock_guard lock(mutex_);
    return hooks_;
  }

 private:
  void Forward(const httplib::Request& request, httplib::Response& response) {
    const bool hook = request.path == "/hooks/gitlab";
    std::vector<int> order;
    {
      std::lock_guard lock(mutex_);
      if (hook) {
        ++hooks_.received;
      }
      const std::size_t n = backends_.size();
      for (std::size_t i = 0; i < n; ++i) {
        order.push_back(backends_[(next_ + i) % n]);
      }
      ++next_;
    }
    httplib::Headers headers;
    for (const auto& [name, value] : request.headers) {
      if (name == "Host" || name == "Content-Length" || name == "REMOTE_ADDR" ||
          name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") {
        continue;
      }
      headers.emplace(name, value);
    }
    std::string target = request.path;
    if (!request.params.empty()) {
      target += "?" + httplib::detail::params_to_query_str(request.params);
    }
    for (const int port : order) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::seconds(2));
      client.set_read_timeout(std::chrono::seconds(30));
      const std::string type = request.get_header_value("Content-Type");
      httplib::Result result =
          request.method == "GET"      ? client.Get(target.c_str(), headers)
          : request.method == "DELETE" ? client.Delete(target.c_str(), headers)
          : request.method == "PUT"    ? client.Put(target.c_str(), headers, request.body, type)
          : request.method == "PATCH"  ? client.Patch(target.c_str(), headers, request.body, type)
                                       : client.Post(target.c_str(), headers, request.body, type);
      if (!result) {
        continue;  // that node is down: the next one
      }
      response.status = result->status;
      for (const auto& [name, value] : result->headers) {
        if (name == "Content-Length" || name == "Transfer-Encoding" || name == "Connection" ||
            name == "Keep-Alive") {
          continue;
        }
        response.headers.emplace(name, value);
      }
      response.body = result->body;
      if (hook && result->status >= 200 && result->status < 300) {
        std::lock_guard lock(mutex_);
        ++hooks_.acknowledged;
        ++hooks_.acknowledged_by_port[port];
        hooks_.acknowledged_uuids.insert(request.get_header_value("X-Gitlab-Event-UUID"));
      }
      return;
    }
    response.status = 502;
    response.set_content("no node answered", "text/plain");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<int> backends_;  // Guarded by mutex_.
  std::size_t next_ = 0;       // Guarded by mutex_.
  HookCounts hooks_;           // Guarded by mutex_.
};

// worklog's database read directly by a test.
class Db {
 public:
  explicit Db(const std::string& url) {
    auto opened = store::OpenStore(url, clock_);
    EXPECT_TRUE(opened) << opened.error().message;
    if (opened) {
      store_ = std::move(*opened);
    }
  }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }

 private:
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

// Lines of `text` that contain `marker`, each reduced to the value of `key=` on it.
inline std::vector<std::string> LogValues(const std::string& text, std::string_view marker,
                                          std::string_view key) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = text.find(marker, at)) != std::string::npos) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    const std::size_t k = line.find(std::string(key) + "=");
    if (k != std::string::npos) {
      const std::size_t start = k + key.size() + 1;
      out.push_back(line.substr(start, line.find(' ', start) - start));
    }
    at = end == std::string::npos ? text.size() : end;
  }
  return out;
}

// A GitLab (simulator) with an owner, two developers with public e-mails, two projects the
// owner owns, and worklog nodes on one database behind a RoundRobinProxy.
class GitlabWorld {
 public:
  struct Person {
    std::string username;
    std::string email;
    int64_t gitlab_id = 0;
  };

  // Null (and the caller skips) when PostgreSQL is wanted but unavailable.
  static std::unique_ptr<GitlabWorld> Create(Backend backend) {
    auto world = std::unique_ptr<GitlabWorld>(new GitlabWorld());
    auto db_url = TestDatabaseUrl(backend, world->dir_, world->pg_);
    if (!db_url) {
      return nullptr;
    }
    world->db_url_ = std::move(*db_url);
    return world;
  }

  SimProcess& sim() { return sim_; }
  RoundRobinProxy& proxy() { return proxy_; }
  const std::string& db_url() const { return db_url_; }
  ServerProcess& node(std::size_t i) { return *nodes_.at(i); }
  std::size_t nodes() const { return nodes_.size(); }
  const Person& ada() const { return people_.at(0); }
  const Person& bob() const { return people_.at(1); }
  int64_t owner_id() const { return owner_id_; }
  int64_t api_id() const { return api_id_; }
  int64_t web_id() const { return web_id_; }

  // GitLab: people, a group, projects; worklog: users and `node_count` nodes with `args`.
  void SetUp(int node_count, const std::vector<std::string>& args) {
    ASSERT_TRUE(sim_.Start()) << sim_.Stderr();
    owner_id_ = CreateSimUser(sim_, "owner", "owner@corp.example", "");
    people_ = {{"ada", "ada@example.com", 0}, {"bob", "bob@example.com", 0}};
    for (auto& person : people_) {
      person.gitlab_id = CreateSimUser(sim_, person.username, person.email, person.email);
    }
    const Reply group = sim_.Api("POST", "/groups", {{"name", "Acme"}, {"path", "acme"}});
    ASSERT_EQ(group.status, 201) << group.body;
    ASSERT_EQ(sim_.Api("POST", "/groups/" + group.json["id"].dump() + "/members",
                       {{"user_id", owner_id_}, {"access_level", 50}})
                  .status,
              201);
    const auto project = [&](const std::string& name) {
      const Reply reply = sim_.Api("POST", "/projects",
                                   {{"name", name},
                                    {"path", name},
                                    {"namespace_id", group.json["id"]},
                                    {"initialize_with_readme", true}});
      EXPECT_EQ(reply.status, 201) << reply.body;
      const int64_t id = reply.json.value("id", int64_t{0});
      for (const auto& person : people_) {
        EXPECT_EQ(sim_.Api("POST", "/projects/" + std::to_string(id) + "/members",
                           {{"user_id", person.gitlab_id}, {"access_level", 40}})
                      .status,
                  201);
      }
      return id;
    };
    api_id_ = project("api");
    web_id_ = project("web");
    ASSERT_GT(api_id_ * web_id_, 0);

    AddUser("boss@example.com", "admin");
    for (const auto& person : people_) {
      AddUser(person.email, "user");
    }
    for (int i = 0; i < node_count; ++i) {
      nodes_.push_back(std::make_unique<ServerProcess>(
          ServeConfig{.db_url = db_url_,
                      .data_dir = dir_.File("data-" + std::to_string(i)),
                      .public_url = proxy_.url(),
                      .extra_args = args,
                      .env = {{"WORKLOG_SECRET_KEY", std::string(kSharedSecretKey)}}}));
      auto started = nodes_.back()->Start();
      ASSERT_TRUE(started) << started.error().message;
    }
    UpdateBackends();
  }

  // After a node (re)started on a new port.
  void UpdateBackends() {
    std::vector<int> ports;
    for (const auto& node : nodes_) {
      if (node->running()) {
        ports.push_back(node->port());
      }
    }
    proxy_.SetBackends(ports);
  }

  void AddUser(const std::string& email, const std::string& role) {
    AddUserTo(db_url_, email, "Staff " + email.substr(0, email.find('@')), role);
  }

  std::string Token(const std::string& email) { return CreateTokenIn(db_url_, email); }

  // An API client of the node `i` as `email` (Bearer token, made once per e-mail).
  ApiClient As(const std::string& email, std::size_t i = 0) {
    if (!tokens_.contains(email)) {
      tokens_[email] = Token(email);
    }
    ApiClient client(node(i).port());
    client.UseBearer(tokens_[email]);
    return client;
  }

  // Installs the app, connects the organization as the owner (browser through the proxy),
  // waits for both hooks, and connects ada and bob by e-mail.
  void Connect() {
    const std::string callback = proxy_.url() + "/apps/gitlab/oauth/callback";
    const Reply app = sim_.Api("POST", "/applications",
                               {{"name", "worklog"},
                                {"redirect_uri", callback},
                                {"scopes", "api read_user"},
                                {"confidential", true}});
    ASSERT_EQ(app.status, 201) << app.body;
    client_id_ = app.json["application_id"];
    client_secret_ = app.json["secret"];
    std::string csrf;
    const std::string session = SignIn("boss@example.com", &csrf);
    ASSERT_FALSE(session.empty());
    SessionClient boss(proxy_port(), session, csrf);
    ASSERT_EQ(boss.Post("/api/v1/apps/gitlab/install", json::object()).status, 200);
    Authorize(boss, session);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_TRUE(WaitFor(
        [&] {
          const Reply projects = boss.Get("/api/v1/apps/gitlab/projects");
          int active = 0;
          for (const auto& project : projects.json) {
            active += project.value("hook_status", "") == "active" ? 1 : 0;
          }
          return active == 2;
        },
        seconds(30)))
        << boss.Get("/api/v1/apps/gitlab/projects").body;
    const Reply staff = boss.Get("/api/v1/staff");
    std::vector<int64_t> ids;
    for (const auto& row : staff.json) {
      if (row["role"] == "user") {
        ids.push_back(row["id"].get<int64_t>());
      }
    }
    const Reply matched =
        boss.Post("/api/v1/staff/actions/connect-gitlab", json{{"user_ids", ids}});
    ASSERT_EQ(matched.status, 200) << matched.body;
    for (const auto& result : matched.json) {
      ASSERT_EQ(result["result"], "connected") << matched.body;
    }
  }

  // Connect organization (again), consent at GitLab as the owner, back through the proxy.
  void Authorize(SessionClient& boss, const std::string& session) {
    const std::string callback = proxy_.url() + "/apps/gitlab/oauth/callback";
    const Reply connect = boss.Post(
        "/api/v1/apps/gitlab/organization/connect",
        {{"base_url", sim_.url()}, {"client_id", client_id_}, {"client_secret", client_secret_}});
    ASSERT_EQ(connect.status, 200) << connect.body;
    Browser browser;
    browser.SetCookie(proxy_.url(), "worklog_session", session);
    const std::string back =
        browser.AuthorizeAtGitlab(connect.json["authorize_url"], "owner", callback);
    ASSERT_FALSE(back.empty());
    const Browser::Page landed = browser.Send("GET", back);
    ASSERT_EQ(landed.status, 302) << landed.body;
    ASSERT_EQ(SplitUrl(landed.location).target, "/apps/gitlab/organization?connected=1")
        << landed.location;
  }

  // The administrator's session (through the proxy).
  SessionClient Admin() {
    std::string csrf;
    const std::string session = SignIn("boss@example.com", &csrf);
    admin_session_ = session;
    return SessionClient(proxy_port(), session, csrf);
  }
  const std::string& admin_session() const { return admin_session_; }

  int proxy_port() const {
    const std::string url = proxy_.url();
    return std::stoi(url.substr(url.rfind(':') + 1));
  }

  // A push of `commits` ({message, author: person index, at}) as `person` to `project`;
  // the SHAs it made ("" when GitLab refused).
  std::vector<std::string> Push(int64_t project, const Person& person, const std::string& branch,
                                const std::vector<std::pair<std::string, TimePoint>>& commits) {
    json list = json::array();
    for (const auto& [message, at] : commits) {
      list.push_back({{"message", message},
                      {"author_name", person.username},
                      {"author_email", person.email},
                      {"created_at", Rfc3339(std::chrono::time_point_cast<seconds>(at))},
                      {"actions", json::array({{{"action", "create"},
                                                {"file_path", "f-" + RandomName() + ".txt"},
                                                {"content", message}}})}});
    }
    const Reply reply = sim_.Push(project, branch, list, person.username);
    EXPECT_EQ(reply.status, 201) << reply.body;
    std::vector<std::string> shas;
    for (const auto& commit : reply.json) {
      shas.push_back(commit.value("id", ""));
    }
    return shas;
  }

  // The simulator's webhook deliveries.
  json Deliveries() { return SimGet("/-/sim/deliveries"); }
  json SimGet(const std::string& path) {
    httplib::Client client(sim_.url());
    client.set_read_timeout(seconds(30));
    auto result =
        client.Get(path.c_str(), {{"Authorization", "Bearer " + std::string(kRootToken)}});
    return result ? json::parse(result->body, nullptr, false) : json();
  }
  Reply SimPost(const std::string& path, const json& body) {
    httplib::Client client(sim_.url());
    client.set_read_timeout(seconds(30));
    auto result =
        client.Post(path.c_str(), {{"Authorization", "Bearer " + std::string(kRootToken)}},
                    body.dump(), "application/json");
    Reply reply;
    if (result) {
      reply.status = result->status;
      reply.body = result->body;
      reply.json = json::parse(reply.body, nullptr, false);
    }
    return reply;
  }
  // True when no delivery is still pending at the simulator.
  bool DeliveriesSettled() {
    const json log = Deliveries();
    if (!log.is_array()) {
      return false;
    }
    return std::none_of(log.begin(), log.end(),
                        [](const json& d) { return d.value("outcome", "") == "pending"; });
  }

  // Every activity of the two developers, by SHA (commits) -> how many stored.
  std::map<std::string, int> CommitsStored(Db& db) {
    std::map<std::string, int> by_sha;
    for (const auto& person : people_) {
      store::ActivityQuery query;
      query.gitlab_user_ids = {person.gitlab_id};
      query.emails = {person.email};
      query.from = TimePoint{};
      query.to = SystemClock().Now() + std::chrono::hours(24 * 365);
      auto listed = db->Activities().ListForUser(query);
      EXPECT_TRUE(listed) << listed.error().message;
      for (const auto& activity : listed.value_or(std::vector<domain::Activity>{})) {
        if (activity.kind == domain::ActivityKind::kCommit) {
          ++by_sha[activity.sha];
        }
      }
    }
    return by_sha;
  }

  // Waits until the work has drained: no delivery pending at GitLab or in the inbox, no
  // job queued or running.
  bool WaitQuiet(Db& db, seconds deadline = seconds(60)) {
    return WaitFor(
        [&] {
          auto pending = db->Inbox().CountPending();
          auto active = db->Jobs().CountActive();
          return DeliveriesSettled() && pending && *pending == 0 && active && *active == 0;
        },
        deadline);
  }

  // Everything the nodes logged, over all their starts.
  std::string NodeLogs() {
    std::string all;
    for (const auto& node : nodes_) {
      all += node->Stderr();
    }
    return all;
  }

  // A user's feed and worklogs reduced to what a person sees (no ids, URLs or SHAs), for
  // comparing two runs of the same input.
  json View(const std::string& email, const std::string& from, const std::string& to) {
    ApiClient client = As(email);
    const Reply feed = client.Get("/api/v1/me/activity-feed?from=" + from + "&to=" + to);
    EXPECT_EQ(feed.status, 200) << feed.body;
    json suggestions = json::array();
    for (const auto& s : feed.json["suggestions"]) {
      json activities = json::array();
      for (const auto& a : s["activities"]) {
        activities.push_back({a["kind"], a["action"], a["occurred_at"], a["title"]});
      }
      std::sort(activities.begin(), activities.end());
      suggestions.push_back({{"date", s["date"]},
                             {"start_time", s["start_time"]},
                             {"duration_seconds", s["duration_seconds"]},
                             {"issue_key", s["issue_key"]},
                             {"description", s["description"]},
                             {"activities", activities}});
    }
    const Reply logs = client.Get("/api/v1/worklogs?from=" + from + "&to=" + to);
    EXPECT_EQ(logs.status, 200) << logs.body;
    json worklogs = json::array();
    for (const auto& w : logs.json["worklogs"]) {
      worklogs.push_back({w["issue_key"], w["start_date"], w["start_time"], w["duration_seconds"],
                          w["description"], w["origin"], w["activity_keys"].size()});
    }
    std::sort(worklogs.begin(), worklogs.end());
    return {{"suggestions", suggestions}, {"worklogs", worklogs}};
  }

 private:
  GitlabWorld() = default;

  // Signs in through the proxy: the session cookie's value and the CSRF token.
  std::string SignIn(const std::string& email, std::string* csrf) {
    httplib::Client client("127.0.0.1", proxy_port());
    auto result =
        client.Post("/api/v1/session", json{{"email", email}, {"password", kPassword}}.dump(),
                    "application/json");
    if (!result || result->status != 200) {
      ADD_FAILURE() << "sign-in failed";
      return "";
    }
    *csrf = json::parse(result->body).at("csrf_token").get<std::string>();
    const std::string cookie = result->get_header_value("Set-Cookie");
    const std::string pair = cookie.substr(0, cookie.find(';'));
    return pair.substr(pair.find('=') + 1);
  }
  std::string RandomName() { return std::to_string(++files_); }

  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string db_url_;
  SimProcess sim_;
  RoundRobinProxy proxy_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
  std::vector<Person> people_;
  int64_t owner_id_ = 0;
  int64_t api_id_ = 0;
  int64_t web_id_ = 0;
  std::map<std::string, std::string> tokens_;
  std::string client_id_;
  std::string client_secret_;
  std::string admin_session_;
  int files_ = 0;
};

}  // namespace worklog::testing
