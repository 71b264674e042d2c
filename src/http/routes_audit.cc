// GET /api/v1/audit?limit=N: who connected, disconnected, installed, changed monitoring.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_audit {

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Get("/api/v1/audit", {.access = Access::kAdmin}, [&app](const Request& request) {
    int limit = 200;
    if (auto text = request.Query("limit")) {
      auto parsed = ParseId("limit", *text);
      if (!parsed || *parsed > 1000) {
        return ErrorResponse(
            Error{ErrorCode::kInvalidArgument, "limit", "must be a whole number from 1 to 1000"});
      }
      limit = static_cast<int>(*parsed);
    }
    auto entries = app.gitlab().Audit(limit);
    if (!entries) {
      return ErrorResponse(entries.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& entry : *entries) {
      out.push_back({{"id", entry.id},
                     {"at", Rfc3339(entry.at)},
                     {"actor_user_id", entry.actor_user_id ? nlohmann::json(*entry.actor_user_id)
                                                           : nlohmann::json(nullptr)},
                     {"action", entry.action},
                     {"target", entry.target},
                     {"detail", entry.detail}});
    }
    return JsonResponse(200, out);
  });
}

}  // namespace worklog::http::routes_audit
