// The GitLab organization connection, the OAuth callback of both flows, the projects, and
// the caller's own GitLab connection (DESIGN §1, §5).
#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/gitlab_json.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_gitlab {
namespace {

Response Organization(app::App& app) {
  auto view = app.gitlab().Organization();
  if (!view) {
    return ErrorResponse(view.error());
  }
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  nlohmann::json out = {{"status", store::OrgStatusName(view->status)},
                        {"base_url", text_or_null(view->base_url)},
                        {"gitlab_username", text_or_null(view->gitlab_username)},
                        {"connected_by", nullptr},
                        {"connected_at", nullptr},
                        {"last_error", text_or_null(view->last_error)}};
  if (view->connected_by) {
    out["connected_by"] = {{"id", view->connected_by->id},
                           {"name", view->connected_by->name},
                           {"email", view->connected_by->email}};
  }
  if (view->connected_at) {
    out["connected_at"] = Rfc3339(*view->connected_at);
  }
  return JsonResponse(200, out);
}

Response Connect(app::App& app, const Request& request) {
  auto body = ParseJsonObject(request.body);
  if (!body) {
    return ErrorResponse(body.error());
  }
  if (auto known = RejectUnknownFields(*body, {"base_url", "client_id", "client_secret"}); !known) {
    return ErrorResponse(known.error());
  }
  std::array<std::string, 3> values;
  const std::array<const char*, 3> names = {"base_url", "client_id", "client_secret"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto value = OptionalString(*body, names[i]);
    if (!value) {
      return ErrorResponse(value.error());
    }
    if (!*value || (*value)->empty()) {
      return ErrorResponse(Error{ErrorCode::kInvalidArgument, names[i], "is required"});
    }
    values[i] = std::move(**value);
  }
  auto url =
      app.gitlab().BeginOrganizationConnect(request.Caller(), values[0], values[1], values[2]);
  if (!url) {
    return ErrorResponse(url.error());
  }
  return JsonResponse(200, {{"authorize_url", *url}});
}

Response Callback(app::App& app, const Request& request) {
  auto redirect = app.gitlab().Callback(
      request.Caller(), request.Query("code").value_or(""), request.Query("state").value_or(""),
      request.Query("error").value_or(""), request.Query("error_description").value_or(""));
  if (!redirect) {
    if (redirect.error().code == ErrorCode::kInvalidArgument) {
      return Problem(400, "invalid_oauth_state", redirect.error().message, redirect.error().field);
    }
    return ErrorResponse(redirect.error());
  }
  Response response;
  response.status = 302;
  response.SetHeader("Location", redirect->location);
  return response;
}

Response SetMonitored(app::App& app, const Request& request) {
  auto id = ParseId("id", request.PathParam("id"));
  if (!id) {
    return ErrorResponse(id.error());
  }
  auto body = ParseJsonObject(request.body);
  if (!body) {
    return ErrorResponse(body.error());
  }
  // Read-only members are accepted (and ignored) so a client may send a project back.
  if (auto known = RejectUnknownFields(*body, {"monitored", "id", "path_with_namespace", "web_url",
                                               "hook_status", "hook_error", "backfilled"});
      !known) {
    return ErrorResponse(known.error());
  }
  auto monitored = OptionalBool(*body, "monitored");
  if (!monitored) {
    return ErrorResponse(monitored.error());
  }
  if (!*monitored) {
    return ErrorResponse(
        Error{ErrorCode::kInvalidArgument, "monitored", "is required (true or false)"});
  }
  auto project = app.gitlab().SetMonitored(request.Caller(), *id, **monitored);
  if (!project) {
    return ErrorResponse(project.error());
  }
  return JsonResponse(200, GitlabProjectJson(*project));
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  const RouteOptions admin{.access = Access::kAdmin};
  router.Get("/api/v1/apps/gitlab/organization", admin,
             [&app](const Request&) { return Organization(app); });
  router.Post("/api/v1/apps/gitlab/organization/connect", admin,
              [&app](const Request& request) { return Connect(app, request); });
  router.Delete("/api/v1/apps/gitlab/organization", admin, [&app](const Request& request) {
    if (auto done = app.gitlab().DisconnectOrganization(request.Caller()); !done) {
      return ErrorResponse(done.error());
    }
    return NoContent();
  });
  router.Get("/apps/gitlab/oauth/callback", {},
             [&app](const Request& request) { return Callback(app, request); });
  router.Get("/api/v1/apps/gitlab/projects", admin, [&app](const Request&) {
    auto projects = app.gitlab().Projects();
    if (!projects) {
      return ErrorResponse(projects.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& project : *projects) {
      out.push_back(GitlabProjectJson(project));
    }
    return JsonResponse(200, out);
  });
  router.Put("/api/v1/apps/gitlab/projects/{id}", admin,
             [&app](const Request& request) { return SetMonitored(app, request); });

  router.Post("/api/v1/me/integrations/gitlab/connect", {}, [&app](const Request& request) {
    auto url = app.gitlab().BeginSelfConnect(request.Caller());
    if (!url) {
      return ErrorResponse(url.error());
    }
    return JsonResponse(200, {{"authorize_url", *url}});
  });
  router.Delete("/api/v1/me/integrations/gitlab", {}, [&app](const Request& request) {
    if (auto done = app.gitlab().DisconnectSelf(request.Caller()); !done) {
      return ErrorResponse(done.error());
    }
    return NoContent();
  });
  // User settings › Applications: the integrations installed, with the caller's state.
  router.Get("/api/v1/me/integrations", {}, [&app](const Request& request) {
    auto apps = app.gitlab().ListApps();
    if (!apps) {
      return ErrorResponse(apps.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& tile : *apps) {
      if (!tile.installed) {
        continue;
      }
      auto link = app.gitlab().LinkOf(request.Caller().user.id);
      if (!link) {
        return ErrorResponse(link.error());
      }
      nlohmann::json item = GitlabLinkJson(*link);
      item["key"] = tile.key;
      out.push_back(std::move(item));
    }
    return JsonResponse(200, out);
  });
}

}  // namespace worklog::http::routes_gitlab
