// GET/POST /api/v1/worklogs, GET/PUT/DELETE /api/v1/worklogs/{id} (DESIGN §5).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/csv.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_worklogs {
namespace {

Result<app::WorklogFields> ParseFields(std::string_view text) {
  auto body = ParseJsonObject(text);
  if (!body) {
    return tl::unexpected(body.error());
  }
  // Read-only members are accepted (and ignored) so a client may send a worklog back.
  if (auto known = RejectUnknownFields(
          *body, {"issue_key", "start_date", "start_time", "duration_seconds", "description",
                  "origin", "id", "user_id", "activity_keys", "created_at", "updated_at"});
      !known) {
    return tl::unexpected(known.error());
  }
  app::WorklogFields fields;
  for (const auto& [name, target] :
       {std::pair{"issue_key", &fields.issue_key}, std::pair{"start_date", &fields.start_date},
        std::pair{"start_time", &fields.start_time}, std::pair{"description", &fields.description},
        std::pair{"origin", &fields.origin}}) {
    auto value = OptionalString(*body, name);
    if (!value) {
      return tl::unexpected(value.error());
    }
    *target = std::move(*value);
  }
  auto duration = OptionalInt(*body, "duration_seconds");
  if (!duration) {
    return tl::unexpected(duration.error());
  }
  fields.duration_seconds = *duration;
  return fields;
}

bool WantsCsv(const Request& request) {
  if (request.Query("format") == "csv") {
    return true;
  }
  const auto accept = request.Header("Accept");
  return accept && accept->find("text/csv") != std::string_view::npos;
}

Response Csv(const app::WorklogList& list) {
  std::string body = CsvRow({"user_email", "start_date", "start_time", "issue_key",
                             "duration_seconds", "description", "origin", "id"});
  for (const auto& worklog : list.worklogs) {
    body += CsvRow({list.owner.email, worklog.start_date, worklog.start_time, worklog.issue_key,
                    std::to_string(worklog.duration_seconds), CsvText(worklog.description),
                    std::string(domain::OriginName(worklog.origin)), std::to_string(worklog.id)});
  }
  Response response;
  response.content_type = "text/csv; charset=utf-8; header=present";
  response.body = std::move(body);
  response.SetHeader(
      "Content-Disposition",
      fmt::format("attachment; filename=\"worklogs-{}-{}.csv\"", list.from, list.to));
  return response;
}

Response List(app::App& app, const Request& request) {
  app::ListWorklogsInput input;
  input.from = std::string(request.Query("from").value_or(""));
  input.to = std::string(request.Query("to").value_or(""));
  if (auto user_id = request.Query("user_id")) {
    auto id = ParseId("user_id", *user_id);
    if (!id) {
      return ErrorResponse(id.error());
    }
    input.user_id = *id;
  }
  auto list = app.worklogs().List(request.Caller(), input);
  if (!list) {
    return ErrorResponse(list.error());
  }
  if (WantsCsv(request)) {
    return Csv(*list);
  }
  nlohmann::json worklogs = nlohmann::json::array();
  for (const auto& worklog : list->worklogs) {
    worklogs.push_back(WorklogJson(worklog));
  }
  return JsonResponse(200, {{"from", list->from},
                            {"to", list->to},
                            {"user_id", list->owner.id},
                            {"worklogs", std::move(worklogs)}});
}

Response Render(const Result<domain::Worklog>& worklog, int status) {
  if (!worklog) {
    return ErrorResponse(worklog.error());
  }
  return JsonResponse(status, WorklogJson(*worklog));
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Get("/api/v1/worklogs", {}, [&app](const Request& request) { return List(app, request); });
  router.Post("/api/v1/worklogs", {}, [&app](const Request& request) {
    auto fields = ParseFields(request.body);
    if (!fields) {
      return ErrorResponse(fields.error());
    }
    std::optional<std::string> idempotency_key;
    if (auto key = request.Header("Idempotency-Key")) {
      idempotency_key = std::string(*key);
    }
    return Render(app.worklogs().Create(request.Caller(), *fields, idempotency_key), 201);
  });
  router.Get("/api/v1/worklogs/{id}", {}, [&app](const Request& request) {
    auto id = ParseId("id", request.PathParam("id"));
    if (!id) {
      return ErrorResponse(id.error());
    }
    return Render(app.worklogs().Get(request.Caller(), *id), 200);
  });
  router.Put("/api/v1/worklogs/{id}", {}, [&app](const Request& request) {
    auto id = ParseId("id", request.PathParam("id"));
    if (!id) {
      return ErrorResponse(id.error());
    }
    auto fields = ParseFields(request.body);
    if (!fields) {
      return ErrorResponse(fields.error());
    }
    return Render(app.worklogs().Update(request.Caller(), *id, *fields), 200);
  });
  router.Delete("/api/v1/worklogs/{id}", {}, [&app](const Request& request) {
    auto id = ParseId("id", request.PathParam("id"));
    if (!id) {
      return ErrorResponse(id.error());
    }
    if (auto deleted = app.worklogs().Delete(request.Caller(), *id); !deleted) {
      return ErrorResponse(deleted.error());
    }
    return NoContent();
  });
}

}  // namespace worklog::http::routes_worklogs
