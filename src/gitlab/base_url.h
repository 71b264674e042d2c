#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace worklog::gitlab {

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~),
// as query strings, form bodies and redirect parameters want. libcurl's curl_easy_escape.
std::string PercentEncode(std::string_view text);

struct BaseUrlOptions {
  // http:// is always accepted for loopback hosts (localhost, 127.0.0.0/8, [::1]), for
  // development and the simulator. Elsewhere it needs this switch: tokens and the client
  // secret would cross the network in clear text.
  bool allow_insecure_http = false;
};

// The root of a GitLab instance, normalized: "https://gitlab.com",
// "https://git.example.com:8443/gitlab". Lowercase scheme and host, no default port, no
// trailing slash, no query, fragment or user info.
class BaseUrl {
 public:
  // Accepts "gitlab.com", "https://gitlab.com/", " https://GitLab.example.com/gitlab/ ".
  // A missing scheme means https. Rejects other schemes, user info ("user:pass@"), queries
  // and fragments with an InvalidArgument error on `field`.
  static Result<BaseUrl> Parse(std::string_view input, BaseUrlOptions options = {},
                               std::string_view field = "base_url");

  const std::string& str() const { return url_; }
  // "https://host[:port]": links GitLab sends must stay on this origin.
  const std::string& origin() const { return origin_; }
  // `path` starts with '/': Api("/user") = "<base>/api/v4/user".
  std::string Api(std::string_view path) const;
  // Url("/oauth/token") = "<base>/oauth/token".
  std::string Url(std::string_view path) const;

  friend bool operator==(const BaseUrl&, const BaseUrl&) = default;

 private:
  BaseUrl(std::string url, std::string origin) : url_(std::move(url)), origin_(std::move(origin)) {}
  std::string url_;
  std::string origin_;
};

// True when `url` is absolute and has the same scheme, host and port as `base`.
bool SameOrigin(const BaseUrl& base, std::string_view url);

}  // namespace worklog::gitlab
