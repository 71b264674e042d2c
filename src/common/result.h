#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace worklog {

enum class ErrorCode {
  kInvalidArgument,   // 422: input is wrong; `field` names it
  kNotFound,          // 404: absent, or not yours
  kConflict,          // 409: a state change that clashes with the current state
  kUnauthenticated,   // 401
  kPermissionDenied,  // 403
  kRateLimited,       // 429
  kUnavailable,       // 503: try again (busy database, GitLab down)
  kInternal,          // 500: a bug or an unexpected failure
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string field;    // "duration_seconds", "body": empty when no input is at fault
  std::string message;  // for people; never holds a secret
};

template <typename T>
using Result = tl::expected<T, Error>;

// Result<void> helpers read better as `Status`.
using Status = Result<void>;

tl::unexpected<Error> InvalidArgument(std::string_view field, std::string message);
tl::unexpected<Error> NotFound(std::string message);
tl::unexpected<Error> Conflict(std::string message);
tl::unexpected<Error> Unauthenticated(std::string message);
tl::unexpected<Error> PermissionDenied(std::string message);
tl::unexpected<Error> RateLimited(std::string message);
tl::unexpected<Error> Unavailable(std::string message);
tl::unexpected<Error> Internal(std::string message);

// "invalid_argument", "not_found", ... for logs and problem types.
std::string_view ErrorCodeName(ErrorCode code);

}  // namespace worklog
