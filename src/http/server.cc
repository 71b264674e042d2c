#include "http/server.h"

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "app/app.h"
#include "common/crypto.h"
#include "http/cookies.h"
#include "http/problem.h"
#include "http/static_files.h"

namespace worklog::http {
namespace {

using Clock = std::chrono::steady_clock;

// A request id: 12 base64url characters (72 bits), as RandomToken(9) makes them, from a
// per-thread generator seeded once from the system's randomness. An id only has to be
// unique; RandomToken asked the kernel (getrandom(2)) on every request.
std::string NewRequestId() {
  struct Generator {
    uint64_t state = 0;
    uint64_t Next() {  // splitmix64
      uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    }
  };
  thread_local Generator generator = [] {
    Generator seeded;
    const std::string seed = RandomToken(16);
    seeded.state = std::hash<std::string>{}(seed);
    return seeded;
  }();
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const uint64_t high = generator.Next();
  const uint64_t low = generator.Next();
  std::string id(12, '\0');
  for (std::size_t i = 0; i < 10; ++i) {
    id[i] = kAlphabet[(high >> (6 * i)) & 63];
  }
  id[10] = kAlphabet[low & 63];
  id[11] = kAlphabet[(low >> 6) & 63];
  return id;
}

const HeaderList& SecurityHeaders() {
  static const HeaderList headers = {
      {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
  };
  return headers;
}

bool IsStateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// Paths that are never the UI: an unknown one is a 404 problem, not index.html.
bool IsApiPath(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path.starts_with("/hooks/") ||
         path == "/healthz" || path == "/metrics";
}

// What the access log and the metrics need to know about the request on this thread. Set
// while routing, read by the logger once the response is written (same thread).
struct Trace {
  bool active = false;
  Clock::time_point start{};
  std::string route = "unmatched";
  std::string request_id;
  int64_t user_id = 0;
  std::string client;  // the client's address (client_address.h), worked out once
};
thread_local Trace trace;  // NOLINT: per-thread by design

Request FromHttplib(const httplib::Request& in, std::string client_address) {
  Request out;
  out.method = in.method;
  out.path = in.path;
  out.headers.reserve(in.headers.size());
  for (const auto& [key, value] : in.headers) {
    out.headers.emplace_back(key, value);
  }
  for (const auto& [key, value] : in.params) {
    out.query.emplace_back(key, value);
  }
  out.body = in.body;
  out.remote_addr = std::move(client_address);
  return out;
}

// The library compresses text and JSON responses itself and picks Brotli whenever the client
// lists "br", as every browser does, at Brotli's highest quality: ~15 MB of memory and tens
// of ms of CPU per response, which 32 connection threads multiply. Gzip (zlib's default
// level) costs ~256 KB and a few ms, so the library is told the client does not take "br".
// The request object is the library's own, not a const one: changing its header is sound.
void WithoutBrotli(const httplib::Request& in) {
  auto& headers = const_cast<httplib::Headers&>(in.headers);  // NOLINT: see above
  auto [first, last] = headers.equal_range("Accept-Encoding");
  for (auto it = first; it != last; ++it) {
    std::string kept;
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view coding = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      const std::size_t begin = coding.find_first_not_of(" \t");
      if (begin == std::string_view::npos) {
        continue;
      }
      coding.remove_prefix(begin);
      const std::string_view name = coding.substr(0, coding.find_first_of(" \t;"));
      if (name.size() == 2 && (name[0] == 'b' || name[0] == 'B') &&
          (name[1] == 'r' || name[1] == 'R')) {
        continue;
      }
      kept += kept.empty() ? "" : ", ";
      kept += coding;
    }
    it->second = std::move(kept);
  }
}

void ToHttplib(Response&& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [key, value] : in.headers) {
    out.set_header(key, value);
  }
  const std::string content_type =
      in.content_type.empty() ? "application/octet-stream" : in.content_type;
  if (in.shared_body && !in.shared_body->empty()) {
    // Written from the shared string as it is. The library compresses only bodies it holds
    // itself (and chunked ones), never a content of known length like this one.
    std::shared_ptr<const std::string> body = std::move(in.shared_body);
    const std::size_t size = body->size();
    out.set_content_provider(
        size, content_type,
        [body = std::move(body)](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          return sink.write(body->data() + offset, length);
        });
    return;
  }
  if (!in.body.empty() || !in.content_type.empty()) {
    out.body = std::move(in.body);  // what set_content does, without copying the body
    out.headers.erase("Content-Type");
    out.set_header("Content-Type", content_type);
  }
}

}  // namespace

struct Server::Impl {
  Impl(app::App& app_in, ServerOptions options_in)
      : app(app_in),
        options(std::move(options_in)),
        access_log(options.access_log ? options.access_log : spdlog::default_logger()),
        context{app_in, options, metrics},
        static_files(options.web_dir) {
    RegisterAllRoutes(router, context);
  }

  Result<app::Principal> Authenticate(const Request& request) {
    if (auto authorization = request.Header("Authorization")) {
      constexpr std::string_view kBearerPrefix = "bearer ";
      if (authorization->size() <= kBearerPrefix.size() ||
          !std::equal(
              kBearerPrefix.begin(), kBearerPrefix.end(), authorization->begin(),
              [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); })) {
        return Unauthenticated("the Authorization header must be \"Bearer <token>\"");
      }
      return app.accounts().AuthenticateBearer(authorization->substr(kBearerPrefix.size()));
    }
    if (auto cookies = request.Header("Cookie")) {
      if (auto session = FindCookie(*cookies, kSessionCookieName)) {
        return app.accounts().AuthenticateSession(*session);
      }
    }
    return Unauthenticated("sign in, or send a personal API token as \"Authorization: Bearer\"");
  }

  // Routes `request` and runs its handler; `route_label` names it for logs and metrics.
  Response Dispatch(Request& request, std::string& route_label, int64_t& user_id) {
    const Router::Match match = router.Find(request.method, request.path);
    if (match.route == nullptr) {
      if ((request.method == "GET" || request.method == "HEAD") && !IsApiPath(request.path) &&
          static_files.enabled()) {
        route_label = "static";
        return static_files.Serve(request.path);
      }
      if (match.path_known) {
        Response response = Problem(405, "method_not_allowed",
                                    fmt::format("{} is not allowed here", request.method));
        std::string allow;
        for (const auto& method : match.allowed_methods) {
          allow += allow.empty() ? method : ", " + method;
        }
        response.SetHeader("Allow", allow);
        return response;
      }
      return Problem(404, "not_found", "no such resource");
    }
    const Route& route = *match.route;
    route_label = route.pattern;
    if (request.body.size() > route.options.max_body) {
      return Problem(
          413, "payload_too_large",
          fmt::format("the request body must be at most {} bytes", route.options.max_body), "body");
    }
    request.path_params = match.params;

    std::optional<app::Principal> principal;
    if (route.options.access != Access::kPublic) {
      auto authenticated = Authenticate(request);
      if (!authenticated) {
        Response response = ErrorResponse(authenticated.error());
        if (response.status == 401) {
          response.SetHeader("WWW-Authenticate", "Bearer realm=\"worklog\"");
        }
        return response;
      }
      principal = std::move(*authenticated);
      user_id = principal->user.id;
      if (principal->method == app::AuthMethod::kSession && IsStateChanging(request.method)) {
        const auto sent = request.Header("X-CSRF-Token");
        if (!sent || !ConstantTimeEquals(*sent, principal->csrf_token)) {
          return Problem(403, "csrf_token_invalid",
                         sent ? "the X-CSRF-Token header does not match this session"
                              : "send the session's CSRF token in the X-CSRF-Token header");
        }
      }
      if (route.options.access == Access::kAdmin && !principal->IsAdmin()) {
        return Problem(403, "permission_denied", "only administrators may do this");
      }
      request.principal = &*principal;
    }
    Response response = route.handler(request);
    request.principal = nullptr;
    return response;
  }

  // The whole pipeline for one request, without sockets.
  Response HandleRequest(Request& request, std::string& route_label, int64_t& user_id) {
    Response response;
    try {
      response = Dispatch(request, route_label, user_id);
    } catch (const std::exception& e) {
      response =
          Problem(500, "internal", "something went wrong on our side; the log has the details");
      response.internal_error = fmt::format("exception: {}", e.what());
    }
    if (response.status >= 500 && !response.internal_error.empty()) {
      metrics.RecordDatabaseError();
      spdlog::error("request failed request_id={} route={} status={} error={}", request.request_id,
                    route_label, response.status, response.internal_error);
    }
    if (IsApiPath(request.path)) {
      response.SetHeader("Cache-Control", "no-store");
    }
    response.SetHeader("X-Request-Id", request.request_id);
    return response;
  }

  void Configure() {
    server.new_task_queue = [threads = options.threads] {
      return new httplib::ThreadPool(static_cast<std::size_t>(threads));
    };
    server.set_tcp_nodelay(true);
    // SO_REUSEADDR only: a restart binds at once past the old connections' TIME_WAIT. The
    // library's default also sets SO_REUSEPORT, with which a second serve on the same port
    // starts without a word and the kernel shares the connections between the two.
    server.set_socket_options([this](socket_t sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_socket = sock;  // only the listening socket comes here: see WidenBacklog
    });
    server.set_keep_alive_timeout(2);
    // A connection holds its thread for as long as it stays open: after 100 requests it is
    // closed, so a client waiting for a thread gets one within ~100 requests of the busiest
    // connection (cpp-httplib's default, 5, reconnected every wrk connection every 5th
    // request: 13.0k vs 16.4k /healthz req/s). Idle ones go after 2 s.
    server.set_keep_alive_max_count(100);
    server.set_read_timeout(10);
    server.set_write_timeout(10);
    server.set_payload_max_length(options.max_body);
    httplib::Headers defaults;
    for (const auto& [key, value] : SecurityHeaders()) {
      defaults.emplace(key, value);
    }
    server.set_default_headers(defaults);

    server.set_pre_routing_handler([this](const httplib::Request& in, httplib::Response&) {
      WithoutBrotli(in);
      trace = Trace{.active = true,
                    .start = Clock::now(),
                    .route = "unmatched",
                    .request_id = NewRequestId(),
                    .user_id = 0,
                    .client = ClientOf(in)};
      return httplib::Server::HandlerResponse::Unhandled;
    });
    const httplib::Server::Handler handler = [this](const httplib::Request& in,
                                                    httplib::Response& out) {
      Request request = FromHttplib(in, trace.active ? trace.client : ClientOf(in));
      request.request_id = trace.active ? trace.request_id : NewRequestId();
      Response response = HandleRequest(request, trace.route, trace.user_id);
      ToHttplib(std::move(response), out);
    };
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
      const std::string_view m = method;
      if (m == "GET") {
        server.Get(".*", handler);
      } else if (m == "POST") {
        server.Post(".*", handler);
      } else if (m == "PUT") {
        server.Put(".*", handler);
      } else if (m == "PATCH") {
        server.Patch(".*", handler);
      } else if (m == "DELETE") {
        server.Delete(".*", handler);
      } else {
        server.Options(".*", handler);
      }
    }
    // Responses the library makes itself (bad request line, body over the limit) become
    // problems too. Ours already have a body and pass through.
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& out) {
          if (!out.body.empty()) {
            return httplib::Server::HandlerResponse::Unhandled;
          }
          const Response problem = Problem(
              out.status, out.status == 413 ? "payload_too_large" : "bad_request",
              out.status == 413 ? "the request body is too large" : "the request is malformed");
          out.set_content(problem.body, problem.content_type);
          return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& out, const std::exception_ptr&) {
          const Response problem =
              Problem(500, "internal", "something went wrong on our side; the log has the details");
          out.status = 500;
          out.set_content(problem.body, problem.content_type);
        });
    server.set_logger([this](const httplib::Request& in, const httplib::Response& out) {
      const auto now = Clock::now();
      const Trace current = trace.active ? trace
                                         : Trace{.active = false,
                                                 .start = now,
                                                 .route = "unmatched",
                                                 .request_id = "-",
                                                 .user_id = 0,
                                                 .client = ClientOf(in)};
      trace = Trace{};
      const auto latency = now - current.start;
      metrics.RecordRequest(in.method, current.route, out.status, latency);
      // The path only: query strings may carry OAuth codes. Never headers or bodies.
      access_log->info(
          "http request_id={} method={} path={} route={} status={} duration_ms={:.3f} "
          "bytes_in={} bytes_out={} remote={} user_id={}",
          current.request_id, in.method, in.path, current.route, out.status,
          std::chrono::duration<double, std::milli>(latency).count(), in.body.size(),
          out.body.empty() ? out.content_length_ : out.body.size(), current.client,
          current.user_id);
    });
  }

  // cpp-httplib 0.11 listens with a backlog of 5. When its acceptor thread waits for a core
  // (2 cores, 32 busy connection threads) a burst of reconnects overflows that queue, and
  // Linux drops the handshake's last ACK: the client sends its request on a connection the
  // server has not accepted, and resends it after the 200 ms retransmission timeout (seen as
  // 200 ms requests in wrk, TcpExtListenOverflows in nstat). listen() again on the bound
  // socket only widens its queue (to net.core.somaxconn at most).
  void WidenBacklog() const {
    if (listen_socket >= 0 && ::listen(listen_socket, SOMAXCONN) != 0) {
      spdlog::warn("cannot widen the listen backlog: {}", std::generic_category().message(errno));
    }
  }

  std::string ClientOf(const httplib::Request& in) const {
    return ClientAddress(in.remote_addr, in.get_header_value("X-Forwarded-For"),
                         options.trusted_proxies);
  }

  app::App& app;
  ServerOptions options;                       // set once, at construction
  std::shared_ptr<spdlog::logger> access_log;  // set once, at construction
  Metrics metrics;
  RouteContext context;
  Router router;
  StaticFiles static_files;
  httplib::Server server;
  socket_t listen_socket = -1;  // set by Bind (through the socket options), before Run

  std::mutex run_mutex;
  std::condition_variable run_changed;
  bool running = false;         // Guarded by run_mutex.
  bool stop_requested = false;  // Guarded by run_mutex.
};

Server::Server(app::App& app, ServerOptions options)
    : impl_(std::make_unique<Impl>(app, std::move(options))) {
  impl_->Configure();
}

Server::~Server() { Stop(); }

Result<int> Server::Bind(const std::string& host, int port) {
  if (port == 0) {
    const int bound = impl_->server.bind_to_any_port(host);
    if (bound <= 0) {
      return Unavailable(fmt::format("cannot listen on {}:0", host));
    }
    impl_->WidenBacklog();
    return bound;
  }
  if (!impl_->server.bind_to_port(host, port)) {
    return Unavailable(
        fmt::format("cannot listen on {}:{} (in use, or not an address here?)", host, port));
  }
  impl_->WidenBacklog();
  return port;
}

Status Server::Run() {
  {
    std::lock_guard lock(impl_->run_mutex);
    if (impl_->stop_requested) {
      return {};
    }
    impl_->running = true;
  }
  const bool ok = impl_->server.listen_after_bind();
  {
    std::lock_guard lock(impl_->run_mutex);
    impl_->running = false;
  }
  impl_->run_changed.notify_all();
  if (!ok && !impl_->stop_requested) {
    return Unavailable("the server stopped listening");
  }
  return {};
}

void Server::Stop() {
  std::unique_lock lock(impl_->run_mutex);
  impl_->stop_requested = true;
  // Run may be between setting `running` and the library's own start: keep asking until it
  // has returned.
  while (impl_->running) {
    impl_->server.stop();
    impl_->run_changed.wait_for(lock, std::chrono::milliseconds(20));
  }
  impl_->server.stop();
}

Response Server::Handle(Request request) {
  if (request.request_id.empty()) {
    request.request_id = RandomToken(9);
  }
  std::string route = "unmatched";
  int64_t user_id = 0;
  const auto start = Clock::now();
  Response response = impl_->HandleRequest(request, route, user_id);
  for (const auto& [key, value] : SecurityHeaders()) {
    response.SetHeader(key, value);
  }
  impl_->metrics.RecordRequest(request.method, route, response.status, Clock::now() - start);
  if (response.shared_body) {
    // In-process callers (tests) read `body`.
    response.body = *response.shared_body;
    response.shared_body.reset();
  }
  return response;
}

Metrics& Server::metrics() { return impl_->metrics; }

const Router& Server::router() const { return impl_->router; }

}  // namespace worklog::http
