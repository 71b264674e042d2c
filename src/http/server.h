#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/client_address.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"

namespace spdlog {
class logger;
}

namespace worklog::app {
class App;
}

namespace worklog::http {

struct ServerOptions {
  std::string web_dir;  // the built UI; empty or missing: no UI
  int threads = 32;     // connection threads (an idle keep-alive connection holds one)
  std::size_t max_body = kServerMaxBody;  // for any route; routes set lower limits
  TrustedProxies trusted_proxies{};  // whose X-Forwarded-For names the client (client_address.h)
  // Where the access log (one line per request) and the webhook route's line per delivery
  // go; null: spdlog's default logger. serve passes a buffered one (common/log_sink.h).
  std::shared_ptr<spdlog::logger> access_log{};
};

// The HTTP server: authentication (session cookie + CSRF token, or Bearer token), routing to
// the route modules, problem+json errors, security headers, access logs, metrics, the UI.
// Construct it in-process (tests, benchmarks) or through `worklog serve`.
class Server {
 public:
  Server(app::App& app, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  Server(Server&&) = delete;
  Server& operator=(Server&&) = delete;
  ~Server();

  // Binds `host`:`port` (port 0: a free port) and returns the bound port.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(). Call after Bind.
  Status Run();
  // Stops serving; Run returns. Safe from any thread, also before Run starts.
  void Stop();

  // Handles one request without sockets, exactly as over HTTP (authentication, limits,
  // headers). For benchmarks and tests.
  Response Handle(Request request);

  Metrics& metrics();
  // Every registered route (method, pattern, access): what tests enumerate to prove each is
  // covered by the authorization matrix.
  const Router& router() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace worklog::http
