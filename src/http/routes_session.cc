// Sign-in and sign-out (the session cookie), and who am I.
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/cookies.h"
#include "http/gitlab_json.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_session {
namespace {

nlohmann::json Me(const domain::User& user, const std::string& csrf_token) {
  return {
      {"user", UserJson(user)},
      {"csrf_token", csrf_token.empty() ? nlohmann::json(nullptr) : nlohmann::json(csrf_token)}};
}

Response SignIn(app::App& app, const Request& request) {
  auto body = ParseJsonObject(request.body);
  if (!body) {
    return ErrorResponse(body.error());
  }
  if (auto known = RejectUnknownFields(*body, {"email", "password"}); !known) {
    return ErrorResponse(known.error());
  }
  auto email = OptionalString(*body, "email");
  if (!email) {
    return ErrorResponse(email.error());
  }
  auto password = OptionalString(*body, "password");
  if (!password) {
    return ErrorResponse(password.error());
  }
  auto signed_in =
      app.accounts().SignIn(email->value_or(""), password->value_or(""), request.remote_addr);
  if (!signed_in) {
    Response response = ErrorResponse(signed_in.error().error);
    if (signed_in.error().retry_after.count() > 0) {
      response.SetHeader("Retry-After", std::to_string(signed_in.error().retry_after.count()));
    }
    return response;
  }
  Response response = JsonResponse(200, Me(signed_in->user, signed_in->csrf_token));
  const auto max_age =
      std::chrono::round<std::chrono::seconds>(signed_in->expires_at - app.clock().Now());
  response.SetHeader("Set-Cookie", SessionCookie(signed_in->session_id, max_age, app.secure()));
  return response;
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  router.Post("/api/v1/session", {.access = Access::kPublic},
              [&app](const Request& request) { return SignIn(app, request); });
  router.Delete("/api/v1/session", {}, [&app](const Request& request) {
    if (auto signed_out = app.accounts().SignOut(request.Caller()); !signed_out) {
      return ErrorResponse(signed_out.error());
    }
    Response response = NoContent();
    response.SetHeader("Set-Cookie", ClearedSessionCookie(app.secure()));
    return response;
  });
  router.Get("/api/v1/me", {}, [&app](const Request& request) {
    nlohmann::json me = Me(request.Caller().user, request.Caller().csrf_token);
    // The caller's own settings (PATCH /api/v1/me, routes_me_settings.cc).
    me["user"]["auto_log_day_end"] = request.Caller().user.auto_log_day_end;
    // The caller's GitLab connection ("connected by … on …"), when the app is installed.
    if (auto link = app.gitlab().LinkOf(request.Caller().user.id)) {
      me["user"]["integrations"] = {{"gitlab", GitlabLinkJson(*link)}};
    }
    return JsonResponse(200, me);
  });
}

}  // namespace worklog::http::routes_session
