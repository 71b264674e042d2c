#include "common/result.h"

#include <utility>

namespace worklog {
namespace {

tl::unexpected<Error> Make(ErrorCode code, std::string_view field, std::string message) {
  return tl::unexpected<Error>(Error{code, std::string(field), std::move(message)});
}

}  // namespace

tl::unexpected<Error> InvalidArgument(std::string_view field, std::string message) {
  return Make(ErrorCode::kInvalidArgument, field, std::move(message));
}
tl::unexpected<Error> NotFound(std::string message) {
  return Make(ErrorCode::kNotFound, {}, std::move(message));
}
tl::unexpected<Error> Conflict(std::string message) {
  return Make(ErrorCode::kConflict, {}, std::move(message));
}
tl::unexpected<Error> Unauthenticated(std::string message) {
  return Make(ErrorCode::kUnauthenticated, {}, std::move(message));
}
tl::unexpected<Error> PermissionDenied(std::string message) {
  return Make(ErrorCode::kPermissionDenied, {}, std::move(message));
}
tl::unexpected<Error> RateLimited(std::string message) {
  return Make(ErrorCode::kRateLimited, {}, std::move(message));
}
tl::unexpected<Error> Unavailable(std::string message) {
  return Make(ErrorCode::kUnavailable, {}, std::move(message));
}
tl::unexpected<Error> Internal(std::string message) {
  return Make(ErrorCode::kInternal, {}, std::move(message));
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace worklog
