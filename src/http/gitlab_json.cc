#include "http/gitlab_json.h"

#include <nlohmann/json.hpp>

#include "http/json.h"

namespace worklog::http {

nlohmann::json GitlabLinkJson(const std::optional<app::GitlabLinkView>& link) {
  if (!link) {
    return {{"connected", false}};
  }
  nlohmann::json out = {{"connected", true},
                        {"username", link->identity.username},
                        {"gitlab_user_id", link->identity.gitlab_user_id},
                        {"connected_at", Rfc3339(link->identity.connected_at)}};
  if (link->self) {
    out["connected_by"] = "self";
    out["connected_by_name"] = nullptr;
  } else if (link->connected_by) {
    out["connected_by"] = {{"id", link->connected_by->id},
                           {"name", link->connected_by->name},
                           {"email", link->connected_by->email}};
    out["connected_by_name"] = link->connected_by->name;
  } else {
    out["connected_by"] = {{"id", link->identity.connected_by}};
    out["connected_by_name"] = nullptr;
  }
  return out;
}

nlohmann::json GitlabProjectJson(const store::GitlabProject& project) {
  return {{"id", project.id},
          {"path_with_namespace", project.path_with_namespace},
          {"web_url", project.web_url},
          {"monitored", project.monitored},
          {"hook_status", store::HookStatusName(project.hook_status)},
          // The history import on connect has read this project up to now (the UI shows
          // the share of monitored projects done as the backfill's progress).
          {"backfilled", project.backfilled},
          {"hook_error", project.hook_error.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(project.hook_error)}};
}

}  // namespace worklog::http
