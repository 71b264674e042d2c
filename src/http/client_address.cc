#include "http/client_address.h"

#include <charconv>
#include <optional>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "common/text.h"

namespace worklog::http {
namespace {

// IPv4 becomes the IPv4-mapped IPv6 address, so one comparison serves both families.
std::optional<std::array<uint8_t, 16>> ParseAddress(std::string_view text) {
  const std::string address(text);
  std::array<uint8_t, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    const auto* raw = reinterpret_cast<const uint8_t*>(&v4.s_addr);  // NOLINT: network order
    std::copy(raw, raw + 4, bytes.begin() + 12);
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    std::copy(std::begin(v6.s6_addr), std::end(v6.s6_addr), bytes.begin());
    return bytes;
  }
  return std::nullopt;
}

bool IsIpv4(std::string_view text) { return text.find(':') == std::string_view::npos; }

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  for (const std::string& entry : entries) {
    const std::string_view text = TrimBlanks(entry);
    const std::size_t slash = text.find('/');
    const std::string_view address = text.substr(0, slash);
    const auto bytes = ParseAddress(address);
    if (!bytes) {
      return InvalidArgument("trusted-proxy",
                             fmt::format("'{}' is not an IP address or CIDR range", entry));
    }
    Range range{.bytes = *bytes, .prefix = 128};
    if (slash != std::string_view::npos) {
      const std::string_view digits = text.substr(slash + 1);
      const int max = IsIpv4(address) ? 32 : 128;
      int prefix = -1;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
          prefix < 0 || prefix > max) {
        return InvalidArgument(
            "trusted-proxy",
            fmt::format("'{}': the prefix length must be a number from 0 to {}", entry, max));
      }
      range.prefix = IsIpv4(address) ? prefix + 96 : prefix;
    }
    proxies.ranges_.push_back(range);
  }
  return proxies;
}

bool TrustedProxies::Contains(std::string_view address) const {
  const auto bytes = ParseAddress(TrimBlanks(address));
  if (!bytes) {
    return false;
  }
  for (const Range& range : ranges_) {
    const auto whole = static_cast<std::size_t>(range.prefix / 8);
    const int bits = range.prefix % 8;
    bool inside =
        std::equal(range.bytes.begin(), range.bytes.begin() + static_cast<std::ptrdiff_t>(whole),
                   bytes->begin());
    if (inside && bits > 0) {
      const auto mask = static_cast<uint8_t>(0xff << (8 - bits));
      inside = (range.bytes[whole] & mask) == ((*bytes)[whole] & mask);
    }
    if (inside) {
      return true;
    }
  }
  return false;
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  std::string client(peer);
  if (trusted.empty() || !trusted.Contains(peer)) {
    return client;
  }
  while (!forwarded_for.empty()) {
    const std::size_t comma = forwarded_for.rfind(',');
    const std::string_view hop = TrimBlanks(
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (!ParseAddress(hop)) {
      break;  // not an address: believe nothing further left
    }
    client = std::string(hop);
    if (!trusted.Contains(hop)) {
      break;
    }
  }
  return client;
}

}  // namespace worklog::http
