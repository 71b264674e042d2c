#include "gitlab-sim/sim.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "gitlab-sim/impl.h"

namespace worklog::gitlab_sim {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!out.empty() && out.back().empty()) {
    out.pop_back();  // trailing slash
  }
  return out;
}

bool HasScope(const std::vector<std::string>& scopes, std::initializer_list<const char*> any) {
  for (const char* s : any) {
    if (std::find(scopes.begin(), scopes.end(), s) != scopes.end()) {
      return true;
    }
  }
  return false;
}

void InvalidToken(Ctx& ctx, const std::string& description) {
  ctx.res.set_header("WWW-Authenticate",
                     "Bearer realm=\"Protected by OAuth 2.0\", error=\"invalid_token\", "
                     "error_description=\"" +
                         description + "\"");
  SendJson(ctx, 401, json{{"error", "invalid_token"}, {"error_description", description}});
}

const char* StatusText(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

const char* const kExpired =
    "Token is expired. You can either do re-authorization or token refresh.";
const char* const kRevoked = "Token was revoked. You have to re-authorize from the user.";

}  // namespace

GitLabSim::Impl::Impl(SimOptions opts)
    : options(std::move(opts)),
      clock(options.clock != nullptr ? *options.clock : system_clock),
      state(clock, "") {
  DispatcherOptions dispatch;
  dispatch.version = kGitLabVersion;
  dispatch.timeout = options.hook_timeout;
  dispatch.retry_delays = options.hook_retry_delays;
  dispatcher = std::make_unique<Dispatcher>(
      clock, dispatch,
      [this](Id hook_id) {
        std::lock_guard lock(mutex);
        return state.HookExecutable(hook_id);
      },
      [this](Id hook_id, bool ok) {
        std::lock_guard lock(mutex);
        state.RecordHookOutcome(hook_id, ok);
      });
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    const std::string m = method;
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Dispatch(req, res);
    };
    if (m == "GET") {
      server_.Get(".*", handler);
    } else if (m == "POST") {
      server_.Post(".*", handler);
    } else if (m == "PUT") {
      server_.Put(".*", handler);
    } else if (m == "DELETE") {
      server_.Delete(".*", handler);
    } else {
      server_.Patch(".*", handler);
    }
  }
  server_.new_task_queue = [threads = options.threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(std::max(2, threads)));
  };
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_timeout(2);
  server_.set_payload_max_length(std::size_t{26} * 1024 * 1024);
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("gitlab-sim: {} {} failed: {}", req.method, req.path, what);
        res.status = 500;
        res.set_content(R"({"message":"500 Internal Server Error"})", "application/json");
      });
  RegisterApiReadRoutes(*this);
  RegisterApiWriteRoutes(*this);
  RegisterOAuthRoutes(*this);
  RegisterControlRoutes(*this);
}

GitLabSim::Impl::~Impl() { Stop(); }

std::string GitLabSim::Impl::Url() const {
  if (!options.external_url.empty()) {
    return options.external_url;
  }
  return fmt::format("http://{}:{}", options.host, port.load());
}

void GitLabSim::Impl::AddRoute(std::string method, const std::string& pattern, Need need,
                               Handler handler) {
  routes_.push_back(Route{std::move(method), Split(pattern), need, std::move(handler)});
}

Status GitLabSim::Impl::Start() {
  const int bound = options.port == 0
                        ? server_.bind_to_any_port(options.host)
                        : (server_.bind_to_port(options.host, options.port) ? options.port : -1);
  if (bound <= 0) {
    return Unavailable(fmt::format("cannot listen on {}:{}", options.host, options.port));
  }
  port = bound;
  {
    std::lock_guard lock(mutex);
    state.set_external_url(Url());
    dispatcher->set_instance_url(Url());
    if (state.users().empty()) {
      State::NewUser root;
      root.username = "root";
      root.name = "Administrator";
      root.email = "admin@example.com";
      root.password = "root-password";
      root.admin = true;
      auto created = state.CreateUser(root);
      if (!created) {
        return tl::unexpected(created.error());
      }
      root_token = options.root_token.empty() ? "glpat-" + RandomToken(15) : options.root_token;
      auto pat = state.CreatePersonalAccessToken(
          (*created)->id, "root", {"api", "read_api", "read_user", "sudo", "admin_mode"},
          std::nullopt, root_token);
      if (!pat) {
        return tl::unexpected(pat.error());
      }
      if (options.seed == Seed::kDemo) {
        SeedDemo(*this);
        state.TakeOutbox();  // nobody has hooks yet
      }
    }
  }
  dispatcher->Start();
  {
    std::lock_guard lock(wait_mutex_);
    stopped_ = false;
  }
  // The socket already listens (bind), so clients may connect before the loop starts.
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return {};
}

void GitLabSim::Impl::Stop() {
  server_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  dispatcher->Stop();
  {
    std::lock_guard lock(wait_mutex_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

void GitLabSim::Impl::Wait() {
  std::unique_lock lock(wait_mutex_);
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

void GitLabSim::Impl::FlushHooks() {
  for (OutgoingHook& hook : state.TakeOutbox()) {
    dispatcher->Enqueue(std::move(hook));
  }
}

bool GitLabSim::Impl::RequireAdmin(Ctx& ctx) {
  if (!ctx.actor.admin) {
    SendMessage(ctx, 403, "403 Forbidden");
    return false;
  }
  return true;
}

bool GitLabSim::Impl::Authenticate(Ctx& ctx, Need need) {
  if (need == Need::kNone) {
    return true;
  }
  std::string token = ctx.req.get_header_value("PRIVATE-TOKEN");
  if (token.empty() && ctx.req.has_param("private_token")) {
    token = ctx.req.get_param_value("private_token");
  }
  const std::string authorization = ctx.req.get_header_value("Authorization");
  if (token.empty() && authorization.size() > 7 &&
      (authorization.rfind("Bearer ", 0) == 0 || authorization.rfind("bearer ", 0) == 0)) {
    token = authorization.substr(7);
  }
  if (token.empty() && ctx.req.has_param("access_token")) {
    token = ctx.req.get_param_value("access_token");
  }
  if (token.empty()) {
    if (need == Need::kAnonymous) {
      return true;
    }
    SendMessage(ctx, 401, "401 Unauthorized");
    return false;
  }
  Id user_id = 0;
  if (const PersonalAccessToken* pat = state.FindPersonalAccessToken(token)) {
    if (pat->revoked) {
      InvalidToken(ctx, kRevoked);
      return false;
    }
    if (pat->expires_at && *pat->expires_at <= state.Now()) {
      InvalidToken(ctx, kExpired);
      return false;
    }
    state.TouchPersonalAccessToken(pat->id);
    user_id = pat->user_id;
    ctx.token_scopes = pat->scopes;
  } else if (const OAuthToken* oauth = state.FindOAuthToken(token)) {
    if (oauth->revoked) {
      InvalidToken(ctx, kRevoked);
      return false;
    }
    if (state.OAuthTokenExpired(*oauth)) {
      InvalidToken(ctx, kExpired);
      return false;
    }
    user_id = oauth->user_id;
    ctx.token_scopes = oauth->scopes;
  } else {
    SendMessage(ctx, 401, "401 Unauthorized");
    return false;
  }
  const User* user = state.FindUser(user_id);
  if (user == nullptr || user->state != "active") {
    SendMessage(ctx, 401, "401 Unauthorized");
    return false;
  }
  bool scoped = true;
  std::string wanted = "api";
  switch (need) {
    case Need::kReadUser:
      scoped = HasScope(ctx.token_scopes, {"read_user", "read_api", "api"});
      wanted = "api read_user read_api";
      break;
    case Need::kReadApi:
    case Need::kAnonymous:
      scoped = HasScope(ctx.token_scopes, {"read_api", "api"});
      wanted = "api read_api";
      break;
    case Need::kApi:
      scoped = HasScope(ctx.token_scopes, {"api"});
      break;
    case Need::kNone:
      break;
  }
  if (!scoped) {
    SendJson(ctx, 403,
             json{{"error", "insufficient_scope"},
                  {"error_description",
                   "The request requires higher privileges than provided by the access token."},
                  {"scope", wanted}});
    return false;
  }
  ctx.actor = Actor{user->id, user->admin};
  std::string sudo = ctx.req.get_header_value("Sudo");
  if (sudo.empty() && ctx.req.has_param("sudo")) {
    sudo = ctx.req.get_param_value("sudo");
  }
  if (!sudo.empty()) {
    if (!user->admin) {
      SendMessage(ctx, 403, "403 Forbidden - Must be admin to use sudo");
      return false;
    }
    if (!HasScope(ctx.token_scopes, {"sudo"})) {
      SendJson(ctx, 403,
               json{{"error", "insufficient_scope"},
                    {"error_description",
                     "The request requires higher privileges than provided by the access token."},
                    {"scope", "sudo"}});
      return false;
    }
    const bool numeric =
        std::all_of(sudo.begin(), sudo.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    const User* target = numeric && sudo.size() < 18 ? state.FindUser(std::stoll(sudo))
                                                     : state.FindUserByUsername(sudo);
    if (target == nullptr) {
      SendMessage(ctx, 404, "404 User with ID or username '" + sudo + "' Not Found");
      return false;
    }
    ctx.actor = Actor{target->id, target->admin};
  }
  return true;
}

void GitLabSim::Impl::Dispatch(const httplib::Request& req, httplib::Response& res) {
  const auto q = req.target.find('?');
  const std::string path = q == std::string::npos ? req.target : req.target.substr(0, q);
  // Faults apply outside /-/sim/ only, in the order they were added.
  std::optional<Fault> fault;
  if (path.rfind("/-/sim/", 0) != 0) {
    std::lock_guard lock(mutex);
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (path.rfind(it->path_prefix, 0) == 0 && (it->method.empty() || it->method == req.method)) {
        fault = *it;
        if (--it->remaining <= 0) {
          faults.erase(it);
        }
        break;
      }
    }
  }
  if (fault && fault->kind == "delay") {
    std::this_thread::sleep_for(std::chrono::milliseconds{fault->delay_ms});
  } else if (fault && fault->kind == "status") {
    res.status = fault->status;
    if (fault->status == 429) {
      res.set_header("Retry-After", std::to_string(fault->retry_after));
      res.set_header("RateLimit-Name", "throttle_authenticated_api");
      res.set_header("RateLimit-Limit", "2000");
      res.set_header("RateLimit-Observed", "2001");
      res.set_header("RateLimit-Remaining", "0");
      res.set_content("Retry later\n", "text/plain");
    } else {
      res.set_content(
          fmt::format(R"({{"message":"{} {}"}})", fault->status, StatusText(fault->status)),
          "application/json");
    }
    return;
  }
  RouteRequest(req, res, path);
  if (fault && fault->kind == "truncate" && !res.body.empty()) {
    auto full = std::make_shared<std::string>(std::move(res.body));
    const std::string type = res.get_header_value("Content-Type");
    res.body.clear();
    res.set_content_provider(full->size(), type,
                             [full](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset == 0) {
                                 sink.write(full->data(), full->size() / 2);
                               }
                               return false;  // closes the connection mid-body
                             });
  }
}

void GitLabSim::Impl::RouteRequest(const httplib::Request& req, httplib::Response& res,
                                   const std::string& path) {
  const std::vector<std::string> segments = Split(path);
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.pattern.size() != segments.size()) {
      continue;
    }
    std::map<std::string, std::string> captures;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (!route.pattern[i].empty() && route.pattern[i][0] == ':') {
        captures[route.pattern[i].substr(1)] = httplib::detail::decode_url(segments[i], false);
      } else {
        match = route.pattern[i] == segments[i];
      }
    }
    if (!match) {
      continue;
    }
    path_matched = true;
    if (route.method != method) {
      continue;
    }
    Ctx ctx{req, res, std::move(captures), nullptr, Actor{}, {}, ""};
    const std::string host = req.get_header_value("Host");
    ctx.base_url = !options.external_url.empty() ? options.external_url
                   : host.empty()                ? Url()
                                                 : "http://" + host;
    if (req.get_header_value("Content-Type").find("application/json") != std::string::npos &&
        !req.body.empty()) {
      ctx.body = json::parse(req.body, nullptr, false);
      if (ctx.body.is_discarded()) {
        SendMessage(ctx, 400, "400 Bad request - JSON body is malformed");
        return;
      }
    }
    std::lock_guard lock(mutex);
    if (!Authenticate(ctx, route.need)) {
      return;
    }
    route.handler(ctx);
    FlushHooks();
    return;
  }
  res.status = path_matched ? 405 : 404;
  if (path.rfind("/api/", 0) == 0) {
    res.set_content(
        path_matched ? R"({"message":"405 Method Not Allowed"})" : R"({"error":"404 Not Found"})",
        "application/json");
  } else {
    res.set_content(path_matched ? "Method Not Allowed" : "Not Found", "text/plain");
  }
}

// --- public face ---------------------------------------------------------------------------

GitLabSim::GitLabSim(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
GitLabSim::~GitLabSim() { impl_->Stop(); }
Status GitLabSim::Start() { return impl_->Start(); }
void GitLabSim::Stop() { impl_->Stop(); }
void GitLabSim::Wait() { impl_->Wait(); }
int GitLabSim::port() const { return impl_->port.load(); }
std::string GitLabSim::url() const { return impl_->Url(); }
const std::string& GitLabSim::root_token() const { return impl_->root_token; }
const DemoInfo& GitLabSim::demo() const { return impl_->demo; }
bool GitLabSim::WaitForDeliveries(std::chrono::milliseconds timeout) {
  return impl_->dispatcher->WaitIdle(timeout);
}

}  // namespace worklog::gitlab_sim
