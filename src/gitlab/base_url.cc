#include "gitlab/base_url.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <new>
#include <optional>

#include <curl/curl.h>
#include <fmt/format.h>

namespace worklog::gitlab {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;

std::optional<std::string> Part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) {
    return std::nullopt;
  }
  std::string copy(value);
  curl_free(value);
  return copy;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

struct Parts {
  std::string scheme;
  std::string host;
  std::string port;  // empty for the scheme's default
  std::string path;
  bool has_user = false;
  bool has_query = false;
  bool has_fragment = false;
};

std::optional<Parts> Split(std::string_view url) {
  UrlPtr handle(curl_url());
  if (!handle) {
    return std::nullopt;
  }
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  Parts parts;
  parts.scheme = Lower(Part(handle.get(), CURLUPART_SCHEME).value_or(""));
  parts.host = Lower(Part(handle.get(), CURLUPART_HOST).value_or(""));
  parts.port = Part(handle.get(), CURLUPART_PORT).value_or("");
  if ((parts.scheme == "https" && parts.port == "443") ||
      (parts.scheme == "http" && parts.port == "80")) {
    parts.port.clear();
  }
  parts.path = Part(handle.get(), CURLUPART_PATH).value_or("");
  parts.has_user = Part(handle.get(), CURLUPART_USER).has_value() ||
                   Part(handle.get(), CURLUPART_PASSWORD).has_value();
  parts.has_query = Part(handle.get(), CURLUPART_QUERY).has_value();
  parts.has_fragment = Part(handle.get(), CURLUPART_FRAGMENT).has_value();
  return parts;
}

std::string OriginOf(const Parts& parts) {
  std::string origin = parts.scheme + "://" + parts.host;
  if (!parts.port.empty()) {
    origin += ":" + parts.port;
  }
  return origin;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  if (text.empty()) {
    return {};
  }
  // The handle is ignored since curl 7.82 (Debian 12 has 7.88); the length is an int.
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) {
    throw std::bad_alloc();
  }
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

Result<BaseUrl> BaseUrl::Parse(std::string_view input, BaseUrlOptions options,
                               std::string_view field) {
  const std::string_view trimmed = Trim(input);
  if (trimmed.empty()) {
    return InvalidArgument(field, "is required, e.g. https://gitlab.com");
  }
  std::string text(trimmed);
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) {
    text = "https://" + text;
  } else {
    const std::string scheme = Lower(text.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http") {
      return InvalidArgument(
          field, fmt::format("must be an https:// URL (http:// only for a local development "
                             "instance), got a {}:// URL",
                             scheme.substr(0, 16)));
    }
  }
  const auto parts = Split(text);
  if (!parts || parts->host.empty()) {
    return InvalidArgument(field, "is not a valid URL, e.g. https://gitlab.example.com");
  }
  if (parts->has_user) {
    return InvalidArgument(field, "must not contain a user name or password");
  }
  if (parts->has_query || parts->has_fragment) {
    return InvalidArgument(field, "must not contain a query (?) or fragment (#)");
  }
  if (parts->scheme == "http" && !IsLoopback(parts->host) && !options.allow_insecure_http) {
    return InvalidArgument(field, fmt::format("must use https:// (http:// is allowed only for "
                                              "localhost and 127.0.0.1), got http://{}",
                                              parts->host));
  }
  std::string path = parts->path;
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  // People paste the API root; the instance root is what we keep.
  if (path.ends_with("/api/v4")) {
    path.resize(path.size() - 7);
  }
  std::string origin = OriginOf(*parts);
  return BaseUrl(origin + path, origin);
}

std::string BaseUrl::Api(std::string_view path) const {
  return fmt::format("{}/api/v4{}", url_, path);
}

std::string BaseUrl::Url(std::string_view path) const { return fmt::format("{}{}", url_, path); }

bool SameOrigin(const BaseUrl& base, std::string_view url) {
  const auto parts = Split(url);
  return parts && OriginOf(*parts) == base.origin();
}

}  // namespace worklog::gitlab
