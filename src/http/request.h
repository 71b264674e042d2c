#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/principal.h"

namespace worklog::http {

// Our own request and response types, so that routes do not depend on the HTTP library.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header called `name`.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query string
  HeaderList headers;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::string body;
  std::string remote_addr;
  std::string request_id;
  std::map<std::string, std::string, std::less<>> path_params;  // "{id}" in the route pattern
  // Set by the server for routes that need a signed-in caller; never null there.
  const app::Principal* principal = nullptr;

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  std::optional<std::string_view> Query(std::string_view name) const;
  std::string_view PathParam(std::string_view name) const;
  const app::Principal& Caller() const;
};

struct Response {
  int status = 200;
  std::string content_type;  // empty with an empty body
  std::string body;
  // A body kept elsewhere (the Activity Feed's cache), sent instead of `body` when set: the
  // server writes it to the socket from where it is, without a copy.
  std::shared_ptr<const std::string> shared_body;
  HeaderList headers;
  // What went wrong inside a 5xx, for the log only: never sent to the client.
  std::string internal_error;

  void SetHeader(std::string name, std::string value);
};

}  // namespace worklog::http
