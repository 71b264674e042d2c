// GET /api/v1/apps, POST /api/v1/apps/gitlab/install, DELETE /api/v1/apps/gitlab.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_apps {

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Get("/api/v1/apps", {}, [&app](const Request&) {
    auto apps = app.gitlab().ListApps();
    if (!apps) {
      return ErrorResponse(apps.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& tile : *apps) {
      out.push_back({{"key", tile.key},
                     {"installed", tile.installed},
                     {"early_access", tile.early_access},
                     {"enabled", tile.enabled}});
    }
    return JsonResponse(200, out);
  });
  router.Post(
      "/api/v1/apps/gitlab/install", {.access = Access::kAdmin}, [&app](const Request& request) {
        if (auto installed = app.gitlab().Install(request.Caller()); !installed) {
          return ErrorResponse(installed.error());
        }
        return JsonResponse(
            200,
            {{"key", "gitlab"}, {"installed", true}, {"early_access", true}, {"enabled", true}});
      });
  router.Delete("/api/v1/apps/gitlab", {.access = Access::kAdmin}, [&app](const Request& request) {
    if (auto removed = app.gitlab().Uninstall(request.Caller()); !removed) {
      return ErrorResponse(removed.error());
    }
    return NoContent();
  });
}

}  // namespace worklog::http::routes_apps
