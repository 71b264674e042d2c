// GET|PUT /api/v1/apps/gitlab/settings: the organization's Activity Feed settings
// (administrators): {max_gap_minutes, lead_in_minutes, rounding_minutes, hours_per_day,
// days_per_week} plus who changed them last and when. PUT changes the values it names.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_feed_settings {
namespace {

constexpr const char* kPath = "/api/v1/apps/gitlab/settings";

nlohmann::json SettingsJson(const store::FeedSettings& settings) {
  nlohmann::json out = {{"max_gap_minutes", settings.max_gap_minutes},
                        {"lead_in_minutes", settings.lead_in_minutes},
                        {"rounding_minutes", settings.rounding_minutes},
                        {"hours_per_day", settings.hours_per_day},
                        {"days_per_week", settings.days_per_week},
                        {"updated_by", nullptr},
                        {"updated_at", nullptr}};
  if (settings.updated_by) {
    out["updated_by"] = *settings.updated_by;
    out["updated_at"] = Rfc3339(settings.updated_at);
  }
  return out;
}

Result<app::FeedSettingsInput> ParseInput(std::string_view text) {
  auto body = ParseJsonObject(text);
  if (!body) {
    return tl::unexpected(body.error());
  }
  if (auto known =
          RejectUnknownFields(*body, {"max_gap_minutes", "lead_in_minutes", "rounding_minutes",
                                      "hours_per_day", "days_per_week"});
      !known) {
    return tl::unexpected(known.error());
  }
  app::FeedSettingsInput input;
  for (auto [field, target] : {std::pair{"max_gap_minutes", &input.max_gap_minutes},
                               std::pair{"lead_in_minutes", &input.lead_in_minutes},
                               std::pair{"rounding_minutes", &input.rounding_minutes},
                               std::pair{"hours_per_day", &input.hours_per_day},
                               std::pair{"days_per_week", &input.days_per_week}}) {
    auto value = OptionalInt(*body, field);
    if (!value) {
      return tl::unexpected(value.error());
    }
    *target = *value;
  }
  return input;
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  const RouteOptions admin{.access = Access::kAdmin};
  router.Get(kPath, admin, [&app](const Request& request) {
    auto settings = app.feed_settings().Get(request.Caller());
    if (!settings) {
      return ErrorResponse(settings.error());
    }
    return JsonResponse(200, SettingsJson(*settings));
  });
  router.Put(kPath, admin, [&app](const Request& request) {
    auto input = ParseInput(request.body);
    if (!input) {
      return ErrorResponse(input.error());
    }
    auto settings = app.feed_settings().Update(request.Caller(), *input);
    if (!settings) {
      return ErrorResponse(settings.error());
    }
    return JsonResponse(200, SettingsJson(*settings));
  });
}

}  // namespace worklog::http::routes_feed_settings
