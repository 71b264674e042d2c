#pragma once

#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "app/gitlab_app.h"
#include "store/gitlab_org.h"

// JSON shapes of the GitLab integration (DESIGN.md §5), shared by its route modules and
// GET /api/v1/me.
namespace worklog::http {

// {connected, username, gitlab_user_id, connected_by:"self"|{id,name,email}, connected_by_name,
//  connected_at} or {connected:false}.
nlohmann::json GitlabLinkJson(const std::optional<app::GitlabLinkView>& link);
// {id, path_with_namespace, web_url, monitored, hook_status, hook_error}
nlohmann::json GitlabProjectJson(const store::GitlabProject& project);

}  // namespace worklog::http
