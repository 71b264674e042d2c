#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace worklog::http {

// Addresses of reverse proxies whose X-Forwarded-For worklog believes (`serve
// --trusted-proxy`), as single addresses or CIDR ranges, IPv4 or IPv6.
class TrustedProxies {
 public:
  // "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". kInvalidArgument on field "trusted-proxy"
  // naming the entry that is not an address or whose prefix length is out of range.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

  bool empty() const { return ranges_.empty(); }
  bool Contains(std::string_view address) const;

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };
  std::vector<Range> ranges_;
};

// The client's address for rate limits and logs. The peer itself unless it is a trusted
// proxy; then X-Forwarded-For is read from its right end (the entry that proxy added), past
// every further trusted proxy, to the first address no trusted proxy vouches for. A client
// cannot spoof its way out: entries left of an untrusted one are never read. A malformed
// entry stops the walk at the last trusted hop.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace worklog::http
