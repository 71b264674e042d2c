#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitlab/transport.h"

namespace worklog::gitlab {

struct CurlTransportOptions {
  std::size_t max_response_bytes = 64u << 20;  // a larger body fails as kTransportFailed
  std::size_t max_idle_handles = 8;            // kept for connection reuse
  std::string user_agent = "worklog";
};

// Transport over libcurl easy handles. Handles (and their live connections) are pooled, so
// concurrent Send() calls from several threads each get their own. Only http and https
// are allowed; redirects are not followed (a redirect would carry the Authorization header
// elsewhere); proxies come from the environment as libcurl's defaults have it.
class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  struct HandleDeleter {
    void operator()(void* handle) const;
  };
  using HandlePtr = std::unique_ptr<void, HandleDeleter>;

  HandlePtr Acquire();
  void Release(HandlePtr handle);

  CurlTransportOptions options_;
  std::mutex mutex_;
  std::vector<HandlePtr> idle_;  // Guarded by mutex_.
};

}  // namespace worklog::gitlab
