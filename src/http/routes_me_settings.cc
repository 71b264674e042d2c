// PATCH /api/v1/me: the caller's own settings {timezone?, auto_log_day_end?} (DESIGN §2:
// auto_log_day_end is per user, off by default). GET /api/v1/me returns them.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_me_settings {
namespace {

Result<app::SettingsInput> ParseSettings(std::string_view text) {
  auto body = ParseJsonObject(text);
  if (!body) {
    return tl::unexpected(body.error());
  }
  if (auto known = RejectUnknownFields(*body, {"timezone", "auto_log_day_end"}); !known) {
    return tl::unexpected(known.error());
  }
  app::SettingsInput input;
  auto timezone = OptionalString(*body, "timezone");
  if (!timezone) {
    return tl::unexpected(timezone.error());
  }
  input.timezone = std::move(*timezone);
  auto auto_log = OptionalBool(*body, "auto_log_day_end");
  if (!auto_log) {
    return tl::unexpected(auto_log.error());
  }
  input.auto_log_day_end = *auto_log;
  return input;
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Add("PATCH", "/api/v1/me", {}, [&app](const Request& request) {
    auto input = ParseSettings(request.body);
    if (!input) {
      return ErrorResponse(input.error());
    }
    auto user = app.accounts().UpdateSettings(request.Caller(), *input);
    if (!user) {
      return ErrorResponse(user.error());
    }
    if (user->auto_log_day_end) {
      app.automation().Nudge();  // days that have already ended are logged right away
    }
    nlohmann::json json = UserJson(*user);
    json["auto_log_day_end"] = user->auto_log_day_end;
    return JsonResponse(200, {{"user", std::move(json)}});
  });
}

}  // namespace worklog::http::routes_me_settings
