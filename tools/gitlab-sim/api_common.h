#pragma once

// Helpers shared by the /api/v4 route files.

#include <algorithm>
#include <string>

#include "gitlab-sim/impl.h"

namespace worklog::gitlab_sim {

// The project named by `:id` (number or url-encoded path) that the caller may see; sends
// GitLab's 404 and returns nullptr otherwise.
inline const Project* VisibleProject(GitLabSim::Impl& sim, Ctx& ctx) {
  const Project* project = sim.state.FindProjectByRef(ctx.path["id"]);
  if (project == nullptr || !sim.state.CanReadProject(ctx.actor, *project)) {
    SendMessage(ctx, 404, "404 Project Not Found");
    return nullptr;
  }
  return project;
}

// Same, and the caller may read its code and merge requests (Reporter in private projects).
inline const Project* CodeProject(GitLabSim::Impl& sim, Ctx& ctx) {
  const Project* project = VisibleProject(sim, ctx);
  if (project != nullptr && !sim.state.CanReadCode(ctx.actor, *project)) {
    SendMessage(ctx, 403, "403 Forbidden");
    return nullptr;
  }
  return project;
}

inline const Namespace* VisibleGroup(GitLabSim::Impl& sim, Ctx& ctx) {
  const Namespace* group = sim.state.FindGroupByRef(ctx.path["id"]);
  if (group == nullptr || !sim.state.CanReadGroup(ctx.actor, *group)) {
    SendMessage(ctx, 404, "404 Group Not Found");
    return nullptr;
  }
  return group;
}

inline std::string LowerCopy(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  return LowerCopy(haystack).find(LowerCopy(needle)) != std::string::npos;
}

// A bad ISO 8601 parameter: GitLab's 400.
inline bool BadTime(Ctx& ctx, const std::string& name) {
  if (ctx.Has(name) && !ctx.Time(name)) {
    SendJson(ctx, 400, json{{"error", name + " is invalid"}});
    return true;
  }
  return false;
}

}  // namespace worklog::gitlab_sim
