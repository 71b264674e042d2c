#pragma once
// Helpers for integration tests that drive worklog against the GitLab simulator: the
// simulator as a child process (its admin API, Sudo, pushes), a browser that signs in and
// consents at GitLab, a signed-in session client, and a reader of worklog's own store.

#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <date/date.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "common/clock.h"
#include "deployment.h"
#include "store/store.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace worklog::testing {

using nlohmann::json;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

inline constexpr std::string_view kRootToken = "glpat-root-token-for-the-flow-test";
inline constexpr std::string_view kSimPassword = "sim-password-123";

// Waits for `condition` with a deadline (never a bare sleep); true when it held.
inline bool WaitFor(const std::function<bool()>& condition, seconds deadline = seconds(10)) {
  const auto until = SteadyClock::now() + deadline;
  while (true) {
    if (condition()) {
      return true;
    }
    if (SteadyClock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string Rfc3339(std::chrono::system_clock::time_point at) {
  return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<seconds>(at));
}

inline std::string FormEncode(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      std::array<char, 4> buffer{};
      std::snprintf(buffer.data(), buffer.size(), "%%%02X", static_cast<unsigned>(u));
      out += buffer.data();
    }
  }
  return out;
}

inline std::string HtmlUnescape(std::string text) {
  const std::array<std::pair<std::string_view, std::string_view>, 5> entities = {
      {{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}};
  for (const auto& [entity, plain] : entities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + plain.size())) {
      text.replace(at, entity.size(), plain);
    }
  }
  return text;
}

// The value of attribute `name` in one HTML tag.
inline std::string Attribute(std::string_view tag, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  const auto at = tag.find(key);
  if (at == std::string_view::npos) {
    return "";
  }
  const auto start = at + key.size();
  return HtmlUnescape(std::string(tag.substr(start, tag.find('"', start) - start)));
}

// The inputs of the <form id="form_id"> in `html`, as name -> value.
inline std::vector<std::pair<std::string, std::string>> FormFields(std::string_view html,
                                                                   std::string_view form_id) {
  std::vector<std::pair<std::string, std::string>> fields;
  const auto form = html.find("id=\"" + std::string(form_id) + "\"");
  if (form == std::string_view::npos) {
    return fields;
  }
  const auto end = html.find("</form>", form);
  std::string_view body = html.substr(form, end - form);
  for (auto at = body.find("<input"); at != std::string_view::npos;
       at = body.find("<input", at + 1)) {
    const std::string_view tag = body.substr(at, body.find('>', at) - at);
    fields.emplace_back(Attribute(tag, "name"), Attribute(tag, "value"));
  }
  return fields;
}

struct Url {
  std::string origin;  // http://127.0.0.1:1234
  std::string target;  // /path?query
};

inline Url SplitUrl(const std::string& url) {
  const auto path = url.find('/', url.find("://") + 3);
  if (path == std::string::npos) {
    return {url, "/"};
  }
  return {url.substr(0, path), url.substr(path)};
}

inline std::string QueryParam(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  if (query == std::string::npos) {
    return "";
  }
  std::stringstream parts(url.substr(query + 1));
  std::string part;
  while (std::getline(parts, part, '&')) {
    if (part.rfind(name + "=", 0) == 0) {
      return httplib::detail::decode_url(part.substr(name.size() + 1), true);
    }
  }
  return "";
}

// A browser: cookies per origin, forms, redirects followed by hand.
class Browser {
 public:
  struct Page {
    int status = 0;
    std::string url;
    std::string location;
    std::string body;
  };

  void SetCookie(const std::string& origin, const std::string& name, const std::string& value) {
    jar_[origin][name] = value;
  }

  Page Send(const std::string& method, const std::string& url, const std::string& form = "") {
    const Url parts = SplitUrl(url);
    httplib::Client client(parts.origin);
    client.set_connection_timeout(seconds(5));
    client.set_read_timeout(seconds(30));
    httplib::Headers headers;
    std::string cookie;
    for (const auto& [name, value] : jar_[parts.origin]) {
      cookie.append(cookie.empty() ? "" : "; ").append(name).append("=").append(value);
    }
    if (!cookie.empty()) {
      headers.emplace("Cookie", cookie);
    }
    httplib::Result result = method == "POST" ? client.Post(parts.target, headers, form,
                                                            "application/x-www-form-urlencoded")
                                              : client.Get(parts.target, headers);
    Page page;
    page.url = url;
    if (!result) {
      return page;
    }
    page.status = result->status;
    page.body = result->body;
    for (const auto& [name, value] : result->headers) {
      if (name == "Set-Cookie" || name == "set-cookie") {
        const std::string pair = value.substr(0, value.find(';'));
        const auto eq = pair.find('=');
        jar_[parts.origin][pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    page.location = result->get_header_value("Location");
    if (!page.location.empty() && page.location.front() == '/') {
      page.location = parts.origin + page.location;
    }
    return page;
  }

  // Follows redirects from `url` until a page that is not a redirect, or a redirect to a
  // URL starting with `stop_at` (returned in `location`, not followed).
  Page Follow(std::string url, const std::string& stop_at) {
    for (int hops = 0; hops < 10; ++hops) {
      Page page = Send("GET", url);
      if (page.status < 300 || page.status >= 400 || page.location.empty()) {
        return page;
      }
      if (page.location.rfind(stop_at, 0) == 0) {
        return page;
      }
      url = page.location;
    }
    return Page{};
  }

  // Signs in at the simulator's form if asked, consents if asked, and returns GitLab's
  // redirect back to worklog (not followed) for `callback_prefix`.
  std::string AuthorizeAtGitlab(const std::string& authorize_url, const std::string& login,
                                const std::string& callback_prefix, bool* consent_shown = nullptr) {
    Page page = Follow(authorize_url, callback_prefix);
    if (page.status == 200 && page.body.find("id=\"new_user\"") != std::string::npos) {
      const std::string sim = SplitUrl(page.url).origin;
      std::string form;
      for (const auto& [name, value] : FormFields(page.body, "new_user")) {
        if (name == "authenticity_token") {
          form += name + "=" + FormEncode(value) + "&";
        }
      }
      form += "user%5Blogin%5D=" + FormEncode(login) +
              "&user%5Bpassword%5D=" + FormEncode(std::string(kSimPassword));
      Page signed_in = Send("POST", sim + "/users/sign_in", form);
      if (signed_in.location.empty()) {
        ADD_FAILURE() << "sign-in at the simulator failed: " << signed_in.body;
        return "";
      }
      page = Follow(signed_in.location, callback_prefix);
    }
    if (consent_shown != nullptr) {
      *consent_shown = page.status == 200 && page.body.find("authorize-form") != std::string::npos;
    }
    if (page.status == 200 && page.body.find("authorize-form") != std::string::npos) {
      const std::string sim = SplitUrl(page.url).origin;
      std::string form;
      for (const auto& [name, value] : FormFields(page.body, "authorize-form")) {
        form += (form.empty() ? "" : "&") + FormEncode(name) + "=" + FormEncode(value);
      }
      page = Send("POST", sim + "/oauth/authorize", form);
    }
    if (page.location.rfind(callback_prefix, 0) != 0) {
      ADD_FAILURE() << "GitLab did not redirect back to worklog: status " << page.status << " "
                    << page.location << "\n"
                    << page.body.substr(0, 500);
      return "";
    }
    return page.location;
  }

 private:
  std::map<std::string, std::map<std::string, std::string>> jar_;
};

// `worklog gitlab-sim` as a child process on a free port.
class SimProcess {
 public:
  SimProcess() = default;
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;
  SimProcess(SimProcess&&) = delete;
  SimProcess& operator=(SimProcess&&) = delete;
  ~SimProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  bool Start() {
    const std::string out = dir_.File("sim.out");
    const std::string err = dir_.File("sim.err");
    std::vector<std::string> args = {
        WORKLOG_BINARY, "gitlab-sim", "--listen",     "127.0.0.1:0",
        "--seed",       "empty",      "--root-token", std::string(kRootToken)};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = -1;
      return false;
    }
    return WaitFor(
        [&] {
          const std::string text = ReadWhole(out);
          const auto at = text.find("url: ");
          if (at == std::string::npos || text.find("ready") == std::string::npos) {
            return false;
          }
          url_ = text.substr(at + 5, text.find('\n', at) - at - 5);
          return true;
        },
        seconds(30));
  }

  const std::string& url() const { return url_; }
  std::string Stderr() const { return ReadWhole(dir_.File("sim.err")); }

  // The GitLab API as the root administrator (optionally acting as `sudo`); a path under
  // /-/ is one of the simulator's own endpoints.
  Reply Api(const std::string& method, const std::string& path, const json& body = nullptr,
            const std::string& sudo = "") {
    httplib::Client client(url_);
    client.set_read_timeout(seconds(30));
    httplib::Headers headers{{"Authorization", "Bearer " + std::string(kRootToken)}};
    if (!sudo.empty()) {
      headers.emplace("Sudo", sudo);
    }
    // The simulator's own endpoints (/-/sim/...) as they are; the rest under /api/v4.
    const std::string target = path.starts_with("/-/") ? path : "/api/v4" + path;
    httplib::Result result =
        method == "POST"     ? client.Post(target, headers, body.dump(), "application/json")
        : method == "PUT"    ? client.Put(target, headers, body.dump(), "application/json")
        : method == "DELETE" ? client.Delete(target, headers)
                             : client.Get(target, headers);
    Reply reply;
    if (result) {
      reply.status = result->status;
      reply.body = result->body;
      reply.headers = result->headers;
      reply.json = json::parse(reply.body, nullptr, false);
    }
    return reply;
  }

  // The simulator's push: one push event and one Push Hook, as `sudo`.
  Reply Push(int64_t project_id, const std::string& branch, const json& commits,
             const std::string& sudo, const std::string& start_branch = "") {
    httplib::Client client(url_);
    client.set_read_timeout(seconds(30));
    httplib::Headers headers{{"Authorization", "Bearer " + std::string(kRootToken)},
                             {"Sudo", sudo}};
    const std::string target = "/-/sim/projects/" + std::to_string(project_id) + "/push";
    json body = {{"branch", branch}, {"commits", commits}};
    if (!start_branch.empty()) {
      body["start_branch"] = start_branch;
    }
    httplib::Result result = client.Post(target, headers, body.dump(), "application/json");
    Reply reply;
    if (result) {
      reply.status = result->status;
      reply.body = result->body;
      reply.json = json::parse(reply.body, nullptr, false);
    }
    return reply;
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::string url_;
};

inline int64_t CreateSimUser(SimProcess& sim, const std::string& username, const std::string& email,
                             const std::string& public_email) {
  json body = {{"username", username},
               {"name", username + " Example"},
               {"email", email},
               {"password", std::string(kSimPassword)},
               {"skip_confirmation", true}};
  if (!public_email.empty()) {
    body["public_email"] = public_email;
  }
  const Reply reply = sim.Api("POST", "/users", body);
  EXPECT_EQ(reply.status, 201) << reply.body;
  return reply.json.value("id", int64_t{0});
}

// A signed-in browser session's API calls (cookie + CSRF token), sharing the session with a
// Browser so that OAuth states started here are presented by the same session.
class SessionClient {
 public:
  SessionClient(int port, std::string session, std::string csrf)
      : api_(port), session_(std::move(session)), csrf_(std::move(csrf)) {}
  Reply Get(const std::string& path) { return api_.Get(path, Headers(false)); }
  Reply Post(const std::string& path, const json& body) {
    return api_.Post(path, body, Headers(true));
  }
  Reply Put(const std::string& path, const json& body) {
    return api_.Put(path, body, Headers(true));
  }
  Reply Patch(const std::string& path, const json& body) {
    return api_.Patch(path, body.dump(), Headers(true));
  }
  Reply Delete(const std::string& path) { return api_.Delete(path, Headers(true)); }
  const std::string& session() const { return session_; }
  const std::string& csrf() const { return csrf_; }

 private:
  httplib::Headers Headers(bool writes) const {
    httplib::Headers headers{{"Cookie", "worklog_session=" + session_}};
    if (writes) {
      headers.emplace("X-CSRF-Token", csrf_);
    }
    return headers;
  }
  ApiClient api_;
  std::string session_;
  std::string csrf_;
};

// worklog's own store, read directly by the test (no debug endpoint exists for this).
class StoreReader {
 public:
  explicit StoreReader(const std::string& db_url) {
    auto opened = store::OpenStore(db_url, clock_);
    EXPECT_TRUE(opened) << opened.error().message;
    if (opened) {
      store_ = std::move(*opened);
    }
  }

  std::vector<domain::Activity> ActivitiesOf(int64_t gitlab_user_id, const std::string& email) {
    store::ActivityQuery query;
    query.gitlab_user_ids = {gitlab_user_id};
    query.emails = {email};
    query.from = TimePoint{};
    query.to = clock_.Now() + std::chrono::hours(24 * 365);
    auto listed = store_->Activities().ListForUser(query);
    EXPECT_TRUE(listed) << listed.error().message;
    return listed.value_or(std::vector<domain::Activity>{});
  }

  int64_t CountActivities() {
    auto count = store_->Activities().Count();
    EXPECT_TRUE(count) << count.error().message;
    return count.value_or(-1);
  }

 private:
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

// An OAuth application at the simulator for worklog's callback, the GitLab app installed
// by `admin`, and the organization connected with `owner_login`'s consent at GitLab
// (`admin_session` is the administrator's worklog session cookie, for the browser).
// Fails the test (and returns false) when a step does.
inline bool ConnectOrganization(SimProcess& sim, SessionClient& admin,
                                const std::string& admin_session, const std::string& worklog_url,
                                const std::string& owner_login) {
  const std::string callback_prefix = worklog_url + "/apps/gitlab/oauth/callback";
  const Reply app = sim.Api("POST", "/applications",
                            {{"name", "worklog"},
                             {"redirect_uri", callback_prefix},
                             {"scopes", "api read_user"},
                             {"confidential", true}});
  EXPECT_EQ(app.status, 201) << app.body;
  if (app.status != 201) {
    return false;
  }
  const Reply installed = admin.Post("/api/v1/apps/gitlab/install", json::object());
  EXPECT_EQ(installed.status, 200) << installed.body;
  const Reply connect = admin.Post("/api/v1/apps/gitlab/organization/connect",
                                   {{"base_url", sim.url()},
                                    {"client_id", app.json["application_id"]},
                                    {"client_secret", app.json["secret"]}});
  EXPECT_EQ(connect.status, 200) << connect.body;
  if (connect.status != 200) {
    return false;
  }
  Browser browser;
  browser.SetCookie(worklog_url, "worklog_session", admin_session);
  const std::string callback =
      browser.AuthorizeAtGitlab(connect.json["authorize_url"], owner_login, callback_prefix);
  if (callback.empty()) {
    return false;
  }
  const Browser::Page landed = browser.Send("GET", callback);
  EXPECT_EQ(landed.status, 302) << landed.body;
  return landed.status == 302;
}

// Signs `email` in at worklog on `port`: the session cookie's value (and the CSRF token).
inline std::string SignInSession(int port, const std::string& email, std::string* csrf) {
  httplib::Client client("127.0.0.1", port);
  auto result =
      client.Post("/api/v1/session", json{{"email", email}, {"password", kPassword}}.dump(),
                  "application/json");
  if (!result || result->status != 200) {
    ADD_FAILURE() << "sign-in failed for " << email;
    return "";
  }
  if (csrf != nullptr) {
    *csrf = json::parse(result->body).at("csrf_token").get<std::string>();
  }
  const std::string cookie = result->get_header_value("Set-Cookie");
  const std::string pair = cookie.substr(0, cookie.find(';'));
  return pair.substr(pair.find('=') + 1);
}

}  // namespace worklog::testing
