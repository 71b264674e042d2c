#include "http/problem.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace worklog::http {
namespace {

std::string_view TitleFor(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Sign-in required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Request body too large";
    case 414:
      return "Request URI too long";
    case 415:
      return "Unsupported media type";
    case 422:
      return "Invalid input";
    case 429:
      return "Too many requests";
    case 503:
      return "Service unavailable";
    default:
      return status >= 500 ? "Internal error" : "Request failed";
  }
}

}  // namespace

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response Problem(int status, std::string_view code, std::string_view detail,
                 std::string_view field) {
  nlohmann::json body = {
      {"type", fmt::format("urn:worklog:problem:{}", code)},
      {"title", TitleFor(status)},
      {"status", status},
      {"detail", detail},
  };
  if (!field.empty()) {
    body["field"] = field;
  }
  Response response;
  response.status = status;
  response.content_type = std::string(kProblemContentType);
  // Replace invalid UTF-8 (echoed input) rather than throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response ErrorResponse(const Error& error) {
  const int status = StatusFor(error.code);
  if (status >= 500) {
    Response response =
        Problem(status, ErrorCodeName(error.code),
                status == 503 ? "the service is busy or the database is unreachable; try again"
                              : "something went wrong on our side; the log has the details");
    response.internal_error = error.message;
    return response;
  }
  std::string detail = error.field.empty() || error.message.starts_with(error.field)
                           ? error.message
                           : fmt::format("{} {}", error.field, error.message);
  return Problem(status, ErrorCodeName(error.code), detail, error.field);
}

}  // namespace worklog::http
