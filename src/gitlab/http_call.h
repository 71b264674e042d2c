#pragma once

// Internal to src/gitlab: the retry loop and error mapping shared by Client and OAuthClient.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "gitlab/retry.h"
#include "gitlab/transport.h"

namespace worklog::gitlab::internal {

struct CallContext {
  Transport& transport;
  Sleeper& sleeper;
  const Clock& clock;
  const RetryPolicy& policy;
};

struct Call {
  HttpRequest request;
  // Whether sending twice is harmless. A non-idempotent call is retried only when GitLab
  // cannot have acted on it: connection refused, 429, 503.
  bool idempotent = true;
  // "GET /api/v4/projects/5/events": names the call in messages; no query, no secret.
  std::string what;
  // Removed from every message and log line (GitLab or a proxy may echo what it was sent).
  std::vector<std::string> secrets;
};

// Checks a 2xx response (e.g. that its JSON parses). An ErrorCode::kUnavailable error is
// treated as transient and retried like a 5xx.
using Validator = std::function<Status(const HttpResponse&)>;

// Sends `call`, retrying 429, 5xx (except 501), transport failures and validator failures
// per ctx.policy with capped exponential backoff and jitter, honouring Retry-After and
// RateLimit-Reset. Returns the first response that is not retried (any status), or the
// error of the last attempt: kRateLimited after 429s, kUnavailable otherwise, its message
// naming when to try again.
Result<HttpResponse> SendWithRetries(const CallContext& ctx, const Call& call,
                                     const Validator& validate);

// The error for a non-2xx response: 400/422 kInvalidArgument, 401 kUnauthenticated, 403
// kPermissionDenied, 404 kNotFound, 409 kConflict, 429 kRateLimited, 5xx kUnavailable,
// with GitLab's own "message"/"error_description" (abridged) in the text.
Error StatusError(std::string_view what, const HttpResponse& response);

// Replaces every occurrence of each non-empty secret in `text` with "[REDACTED]".
std::string Redact(std::string text, const std::vector<std::string_view>& secrets);

// "a=1&b=x%20y" from pairs, as application/x-www-form-urlencoded and query strings want.
std::string EncodeParams(const std::vector<std::pair<std::string, std::string>>& params);

// "2024-05-01T10:00:00Z" (seconds precision, UTC), as GitLab's ISO 8601 filters want.
std::string FormatTime(TimePoint time);

// GitLab's time formats: "2012-09-20T11:50:22.000+03:00", "2012-09-20T09:50:22Z",
// "2015-05-17 18:08:09 UTC".
Result<TimePoint> ParseTime(std::string_view text);

}  // namespace worklog::gitlab::internal
