#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "http/request.h"

namespace worklog::http {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// The HTTP status of an error (DESIGN §5): 422 invalid input, 404, 409, 401, 403, 429, 503, 500.
int StatusFor(ErrorCode code);

// An RFC 9457 problem: {type, title, status, detail, field?}. `code` names the problem type
// ("invalid_argument", "payload_too_large").
Response Problem(int status, std::string_view code, std::string_view detail,
                 std::string_view field = {});

// The problem for an application error. 5xx details are replaced by a generic sentence (the
// real message goes to `internal_error`, for the log only).
Response ErrorResponse(const Error& error);

}  // namespace worklog::http
