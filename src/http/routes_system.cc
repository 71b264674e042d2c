// GET /healthz and GET /metrics.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/json.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_system {

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Get("/healthz", {.access = Access::kPublic}, [&app](const Request&) {
    // Ready means the database answers.
    if (auto count = app.store().Users().Count(); !count) {
      return ErrorResponse(count.error());
    }
    return JsonResponse(200, {{"status", "ok"}, {"database", app.store().Backend()}});
  });
  Metrics& metrics = context.metrics;
  router.Get("/metrics", {.access = Access::kPublic}, [&metrics, &app](const Request&) {
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.RenderPrometheus();
    if (app.gitlab().enabled()) {
      response.body += app.gitlab().RenderMetrics();
    }
    return response;
  });
}

}  // namespace worklog::http::routes_system
