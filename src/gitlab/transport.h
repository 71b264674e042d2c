#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace worklog::gitlab {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE
  std::string url;             // absolute; never carries a token (tokens go in headers)
  HttpHeaders headers;         // e.g. {"Authorization", "Bearer ..."}; never logged
  std::string body;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};  // connect + send + receive
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lowercased, in arrival order
  std::string body;

  // The first header called `name` (any case), or empty.
  std::string_view Header(std::string_view name) const;
};

// Where a transport failure happened. Errors from Send() are ErrorCode::kUnavailable and
// carry one of these in Error::field, so a caller can tell whether the server may have
// seen the request (only kConnectFailed guarantees it did not).
inline constexpr std::string_view kConnectFailed = "connect";      // nothing was sent
inline constexpr std::string_view kTimedOut = "timeout";           // connect or total timeout
inline constexpr std::string_view kTransportFailed = "transport";  // reset, truncated, TLS...

// Sends one HTTP request and returns whatever status came back. Only failures to get a
// complete response (DNS, connect, TLS, timeout, truncated body) are errors. Thread-safe.
// Error messages never contain request headers or bodies.
class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  Transport(Transport&&) = delete;
  Transport& operator=(Transport&&) = delete;
  virtual ~Transport() = default;

  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace worklog::gitlab
