#include "gitlab/http_call.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "gitlab/base_url.h"

namespace worklog::gitlab::internal {
namespace {

constexpr std::size_t kMaxGitlabMessage = 300;

double UniformRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool IsRetryableStatus(int status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

std::string FormatInstant(TimePoint when) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(when));
}

int64_t CeilSeconds(std::chrono::milliseconds wait) { return (wait.count() + 999) / 1000; }

// Whether a failure is worth another attempt, given whether the call is idempotent.
bool IsTransient(const Error& error, bool idempotent) {
  if (error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kRateLimited) {
    return false;
  }
  return idempotent || error.code == ErrorCode::kRateLimited || error.field == kConnectFailed;
}

}  // namespace

Result<HttpResponse> SendWithRetries(const CallContext& ctx, const Call& call,
                                     const Validator& validate) {
  const RetryPolicy& policy = ctx.policy;
  std::chrono::milliseconds waited{0};
  for (int attempt = 1;; ++attempt) {
    std::optional<Error> failure;
    std::optional<std::chrono::milliseconds> requested;  // the server's Retry-After
    auto sent = ctx.transport.Send(call.request);
    if (!sent) {
      failure = std::move(sent.error());
    } else if (IsRetryableStatus(sent->status)) {
      failure = StatusError(call.what, *sent);
      // A 503 may be retried even for a POST: GitLab did not act on it.
      if (sent->status == 503) {
        failure->field = kConnectFailed;
      }
      requested = ParseRetryAfter(sent->Header("retry-after"), sent->Header("ratelimit-reset"),
                                  ctx.clock.Now());
    } else if (sent->status >= 200 && sent->status < 300 && validate) {
      if (auto valid = validate(*sent); !valid) {
        failure = std::move(valid.error());
      }
    }
    if (!failure) {
      return std::move(*sent);
    }
    failure->message =
        Redact(std::move(failure->message),
               std::vector<std::string_view>(call.secrets.begin(), call.secrets.end()));
    if (!IsTransient(*failure, call.idempotent)) {
      return tl::unexpected(std::move(*failure));
    }

    const ErrorCode code = failure->code;
    const std::chrono::milliseconds wait =
        requested ? *requested : Backoff(policy, attempt, UniformRandom());
    const TimePoint retry_at = ctx.clock.Now() + wait;
    if (requested && *requested > policy.max_wait) {
      spdlog::warn("gitlab {} asks to wait {} s, more than the {} s we wait; giving up", call.what,
                   CeilSeconds(wait), CeilSeconds(policy.max_wait));
      return tl::unexpected(
          Error{code,
                {},
                fmt::format("{}; GitLab asks to wait {} s: retry after {}", failure->message,
                            CeilSeconds(wait), FormatInstant(retry_at))});
    }
    if (attempt >= policy.max_attempts || waited + wait > policy.max_total_wait) {
      spdlog::warn("gitlab {} failed after {} attempts: {}", call.what, attempt, failure->message);
      return tl::unexpected(Error{code,
                                  {},
                                  fmt::format("{} (gave up after {} attempts); retry after {}",
                                              failure->message, attempt, FormatInstant(retry_at))});
    }
    spdlog::info("gitlab {} attempt {} failed ({}); retrying in {} ms", call.what, attempt,
                 failure->message, wait.count());
    ctx.sleeper.Sleep(wait);
    waited += wait;
  }
}

Error StatusError(std::string_view what, const HttpResponse& response) {
  std::string detail;
  try {
    const auto body = nlohmann::json::parse(response.body);
    if (body.is_object()) {
      for (const char* key : {"message", "error_description", "error"}) {
        const auto it = body.find(key);
        if (it == body.end() || it->is_null()) {
          continue;
        }
        detail = it->is_string() ? it->get<std::string>() : it->dump();
        break;
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON (an HTML error page from a proxy): the status says enough.
  }
  if (detail.size() > kMaxGitlabMessage) {
    detail.resize(kMaxGitlabMessage);
    detail += "...";
  }
  const int status = response.status;
  std::string message = fmt::format("GitLab answered {} to {}", status, what);
  if (!detail.empty()) {
    message += ": " + detail;
  }
  ErrorCode code = ErrorCode::kInternal;
  if (status == 400 || status == 422) {
    code = ErrorCode::kInvalidArgument;
  } else if (status == 401) {
    code = ErrorCode::kUnauthenticated;
  } else if (status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (status == 404 || status == 410) {
    code = ErrorCode::kNotFound;
  } else if (status == 409) {
    code = ErrorCode::kConflict;
  } else if (status == 429) {
    code = ErrorCode::kRateLimited;
  } else if (status >= 500) {
    code = ErrorCode::kUnavailable;
  } else if (status >= 300 && status < 400) {
    const auto location = response.Header("location");
    message += fmt::format(" (redirect to {}; check the GitLab base URL)",
                           location.substr(0, std::min(location.find('?'), location.size())));
  }
  return Error{code, {}, std::move(message)};
}

std::string Redact(std::string text, const std::vector<std::string_view>& secrets) {
  for (const auto secret : secrets) {
    if (secret.empty()) {
      continue;
    }
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[REDACTED]");
    }
  }
  return text;
}

std::string EncodeParams(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out += '&';
    }
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

std::string FormatTime(TimePoint time) { return FormatInstant(time); }

Result<TimePoint> ParseTime(std::string_view text) {
  std::string normalized(text);
  if (normalized.ends_with(" UTC")) {
    normalized.resize(normalized.size() - 4);
    normalized += "+00:00";
  } else if (normalized.ends_with("Z") || normalized.ends_with("z")) {
    normalized.pop_back();
    normalized += "+00:00";
  }
  if (normalized.size() > 10 && normalized[10] == ' ') {
    normalized[10] = 'T';
  }
  std::istringstream in(normalized);
  TimePoint parsed;
  in >> date::parse("%FT%T%Ez", parsed);
  if (in.fail()) {
    return InvalidArgument("time", fmt::format("not an ISO 8601 time: \"{}\"", text.substr(0, 64)));
  }
  return parsed;
}

}  // namespace worklog::gitlab::internal
