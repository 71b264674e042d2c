// Settings › Manage Staff: GET/POST /api/v1/staff and the GitLab actions (DESIGN §1, §5).
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "http/gitlab_json.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/router.h"

namespace worklog::http::routes_staff {
namespace {

inline constexpr std::size_t kMaxUserIds = 500;

nlohmann::json StaffJson(const app::StaffMember& member) {
  nlohmann::json out = UserJson(member.user);
  out["integrations"] = {{"gitlab", GitlabLinkJson(member.gitlab)}};
  return out;
}

nlohmann::json ResultJson(const app::StaffConnectResult& result) {
  nlohmann::json out = {{"user_id", result.user_id}, {"result", result.result}};
  if (!result.gitlab_username.empty()) {
    out["gitlab_username"] = result.gitlab_username;
  }
  if (!result.detail.empty()) {
    out["detail"] = result.detail;
  }
  if (result.result == "ambiguous" || !result.candidates.empty()) {
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto& c : result.candidates) {
      candidates.push_back({{"id", c.id},
                            {"username", c.username},
                            {"name", c.name},
                            {"web_url", c.web_url},
                            {"matched_by", c.matched_by}});
    }
    out["candidates"] = std::move(candidates);
  }
  return out;
}

struct Selection {
  std::vector<int64_t> user_ids;
  std::map<int64_t, int64_t> choices;
};

Result<int64_t> PositiveId(const nlohmann::json& value, std::string_view field) {
  if (value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() > 0)) {
    const auto id = value.get<int64_t>();
    if (id > 0) {
      return id;
    }
  }
  if (value.is_string()) {
    return ParseId(field, value.get<std::string>());
  }
  return InvalidArgument(field, "must be a positive whole number");
}

// {user_ids:[…], choices?: {"<user_id>": <gitlab_user_id>} | [{user_id, gitlab_user_id}]}
Result<Selection> ParseSelection(std::string_view text, bool allow_choices) {
  auto body = ParseJsonObject(text);
  if (!body) {
    return tl::unexpected(body.error());
  }
  if (auto known = allow_choices ? RejectUnknownFields(*body, {"user_ids", "choices"})
                                 : RejectUnknownFields(*body, {"user_ids"});
      !known) {
    return tl::unexpected(known.error());
  }
  Selection selection;
  const auto ids = body->find("user_ids");
  if (ids == body->end() || !ids->is_array() || ids->empty()) {
    return InvalidArgument("user_ids", "select at least one user (an array of user ids)");
  }
  if (ids->size() > kMaxUserIds) {
    return InvalidArgument("user_ids", "select at most 500 users at a time");
  }
  for (const auto& id : *ids) {
    auto parsed = PositiveId(id, "user_ids");
    if (!parsed) {
      return tl::unexpected(parsed.error());
    }
    if (std::find(selection.user_ids.begin(), selection.user_ids.end(), *parsed) ==
        selection.user_ids.end()) {
      selection.user_ids.push_back(*parsed);
    }
  }
  if (const auto choices = body->find("choices");
      allow_choices && choices != body->end() && !choices->is_null()) {
    if (choices->is_object()) {
      for (const auto& [key, value] : choices->items()) {
        auto user_id = ParseId("choices", key);
        auto gitlab_id = PositiveId(value, "choices");
        if (!user_id || !gitlab_id) {
          return InvalidArgument("choices", "map each user id to a GitLab user id");
        }
        selection.choices[*user_id] = *gitlab_id;
      }
    } else if (choices->is_array()) {
      for (const auto& item : *choices) {
        if (!item.is_object() || !item.contains("user_id") || !item.contains("gitlab_user_id")) {
          return InvalidArgument("choices", "each choice needs user_id and gitlab_user_id");
        }
        auto user_id = PositiveId(item["user_id"], "choices");
        auto gitlab_id = PositiveId(item["gitlab_user_id"], "choices");
        if (!user_id || !gitlab_id) {
          return InvalidArgument("choices", "ids must be positive whole numbers");
        }
        selection.choices[*user_id] = *gitlab_id;
      }
    } else {
      return InvalidArgument("choices", "must be an object {user_id: gitlab_user_id}");
    }
  }
  return selection;
}

Response AddStaff(app::App& app, const Request& request) {
  auto body = ParseJsonObject(request.body);
  if (!body) {
    return ErrorResponse(body.error());
  }
  if (auto known = RejectUnknownFields(*body, {"email", "name", "role", "timezone"}); !known) {
    return ErrorResponse(known.error());
  }
  app::AddUserInput input;
  for (const auto& [name, target] :
       {std::pair{"email", &input.email}, std::pair{"name", &input.name},
        std::pair{"role", &input.role}, std::pair{"timezone", &input.timezone}}) {
    auto value = OptionalString(*body, name);
    if (!value) {
      return ErrorResponse(value.error());
    }
    if (*value) {
      *target = std::move(**value);
    }
  }
  auto added = app.gitlab().AddStaff(request.Caller(), input);
  if (!added) {
    return ErrorResponse(added.error());
  }
  return JsonResponse(201, StaffJson(*added));
}

}  // namespace

void Register(Router& router, RouteContext& context) {
  app::App& app = context.app;
  const RouteOptions admin{.access = Access::kAdmin};
  router.Get("/api/v1/staff", admin, [&app](const Request&) {
    auto staff = app.gitlab().Staff();
    if (!staff) {
      return ErrorResponse(staff.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& member : *staff) {
      out.push_back(StaffJson(member));
    }
    return JsonResponse(200, out);
  });
  router.Post("/api/v1/staff", admin,
              [&app](const Request& request) { return AddStaff(app, request); });
  router.Post("/api/v1/staff/actions/connect-gitlab", admin, [&app](const Request& request) {
    auto selection = ParseSelection(request.body, /*allow_choices=*/true);
    if (!selection) {
      return ErrorResponse(selection.error());
    }
    auto results =
        app.gitlab().ConnectStaff(request.Caller(), selection->user_ids, selection->choices);
    if (!results) {
      return ErrorResponse(results.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& result : *results) {
      out.push_back(ResultJson(result));
    }
    return JsonResponse(200, out);
  });
  router.Post("/api/v1/staff/actions/disconnect-gitlab", admin, [&app](const Request& request) {
    auto selection = ParseSelection(request.body, /*allow_choices=*/false);
    if (!selection) {
      return ErrorResponse(selection.error());
    }
    auto results = app.gitlab().DisconnectStaff(request.Caller(), selection->user_ids);
    if (!results) {
      return ErrorResponse(results.error());
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& result : *results) {
      out.push_back(ResultJson(result));
    }
    return JsonResponse(200, out);
  });
}

}  // namespace worklog::http::routes_staff
