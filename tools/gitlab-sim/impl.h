#pragma once

// Internal to the simulator: the request context, the router and GitLabSim::Impl, shared by
// the route files (api_read.cc, api_write.cc, oauth.cc, control.cc).

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitlab-sim/hooks.h"
#include "gitlab-sim/sim.h"
#include "gitlab-sim/state.h"

namespace worklog::gitlab_sim {

using nlohmann::json;

inline constexpr const char* kGitLabVersion = "17.6.0";

// What a route needs from the token (GitLab's scope rules).
enum class Need {
  kNone,       // web pages, OAuth endpoints, /-/sim/ (checks the root token itself)
  kAnonymous,  // API read that anonymous callers may make (public projects)
  kReadUser,   // read_user | read_api | api
  kReadApi,    // read_api | api
  kApi,        // api
};

struct Ctx {
  const httplib::Request& req;
  httplib::Response& res;
  std::map<std::string, std::string> path;  // ":id" captures, percent-decoded
  json body;                                // JSON request body, or null
  Actor actor;
  std::vector<std::string> token_scopes;
  std::string base_url;  // external URL as the client reached us

  // A parameter from the JSON body, the form body, or the query string (in that order).
  std::optional<std::string> Param(const std::string& name) const;
  bool Has(const std::string& name) const { return Param(name).has_value(); }
  std::string Str(const std::string& name, std::string fallback = "") const;
  std::optional<bool> Bool(const std::string& name) const;
  std::optional<std::int64_t> Int(const std::string& name) const;
  // An array: JSON array, repeated `name[]`, or comma/space separated.
  std::vector<std::string> List(const std::string& name) const;
  // `created_at`-style instants; an unparseable value is an error the caller reports.
  std::optional<TimePoint> Time(const std::string& name) const;
  Id PathId(const std::string& name) const;
};

using Handler = std::function<void(Ctx&)>;

struct Route {
  std::string method;
  std::vector<std::string> pattern;  // segments; ":name" captures
  Need need = Need::kNone;
  Handler handler;
};

// --- responses ---------------------------------------------------------------------------
void SendJson(Ctx& ctx, int status, const json& body);
void SendMessage(Ctx& ctx, int status, const std::string& message);  // {"message": ...}
void SendError(Ctx& ctx, const Error& error);  // maps State errors to GitLab's statuses
// Offset or keyset pagination over `items` (already filtered and ordered) with GitLab's
// headers. `keyset_ok`: whether pagination=keyset with order_by=id is supported here.
void SendPage(Ctx& ctx, const std::vector<json>& items, bool keyset_ok = false);
std::string UrlEncode(std::string_view s);

// --- fault injection -----------------------------------------------------------------------
struct Fault {
  std::string kind;  // status | delay | truncate
  int status = 0;
  int retry_after = 0;  // seconds, for 429
  int delay_ms = 0;
  int remaining = 1;
  std::string path_prefix = "/api/v4/";
  std::string method;  // "" any
  Id id = 0;
};

class GitLabSim::Impl {
 public:
  explicit Impl(SimOptions options);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;
  ~Impl();

  Status Start();
  void Stop();
  void Wait();
  std::string Url() const;

  void AddRoute(std::string method, const std::string& pattern, Need need, Handler handler);

  // Everything below is used by the route files.
  SimOptions options;
  SystemClock system_clock;
  const Clock& clock;
  std::mutex mutex;  // guards state, faults, demo (one lock for the whole simulated GitLab)
  State state;
  std::unique_ptr<Dispatcher> dispatcher;
  std::string root_token;
  DemoInfo demo;
  std::vector<Fault> faults;  // Guarded by mutex.
  Id next_fault_id = 1;       // Guarded by mutex.
  std::atomic<int> port{0};

  // Resolves the caller (token, Sudo) for an API route; false when a response was sent.
  bool Authenticate(Ctx& ctx, Need need);
  bool RequireAdmin(Ctx& ctx);
  // Hands webhook deliveries made by the last change to the dispatcher.
  void FlushHooks();

 private:
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  void RouteRequest(const httplib::Request& req, httplib::Response& res, const std::string& path);

  std::vector<Route> routes_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex wait_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = true;  // Guarded by wait_mutex_.
};

void RegisterApiReadRoutes(GitLabSim::Impl& sim);
void RegisterApiWriteRoutes(GitLabSim::Impl& sim);
void RegisterOAuthRoutes(GitLabSim::Impl& sim);
void RegisterControlRoutes(GitLabSim::Impl& sim);
// Seed::kDemo: fills the state through its operations; fills sim.demo.
void SeedDemo(GitLabSim::Impl& sim);

// --- JSON shapes (render.cc) -------------------------------------------------------------
json RenderUserBasic(const State& state, const User& user);
// GET /users/:id (public profile), admin view adds private fields, self adds own fields.
json RenderUser(const State& state, const User& user, const Actor& viewer);
json RenderNamespace(const State& state, const Namespace& ns);
json RenderGroup(const State& state, const Namespace& group);
json RenderProject(const State& state, const Project& project, const Actor& viewer, bool simple);
json RenderEvent(const State& state, const Event& event);
json RenderCommit(const State& state, const Project& project, const Commit& commit,
                  bool with_stats);
json RenderMergeRequest(const State& state, const Project& project, const MergeRequest& mr);
json RenderIssue(const State& state, const Project& project, const Issue& issue);
json RenderNote(const State& state, const Note& note);
json RenderHook(const State& state, const Hook& hook);
json RenderMember(const State& state, const User& user, const Member& member);
json RenderApprovals(const State& state, const Project& project, const MergeRequest& mr);

}  // namespace worklog::gitlab_sim
