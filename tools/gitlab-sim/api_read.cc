// GET routes of /api/v4.

#include <algorithm>
#include <cctype>
#include <functional>

#include "gitlab-sim/api_common.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

template <typename T>
void SortBy(std::vector<const T*>& items, const std::string& order_by, bool desc,
            const std::function<std::string(const T&)>& text_key,
            const std::function<TimePoint(const T&)>& time_key) {
  std::stable_sort(items.begin(), items.end(), [&](const T* a, const T* b) {
    if (order_by == "id") {
      return desc ? a->id > b->id : a->id < b->id;
    }
    if (text_key && (order_by == "name" || order_by == "path" || order_by == "title" ||
                     order_by == "username")) {
      const std::string ka = LowerCopy(text_key(*a));
      const std::string kb = LowerCopy(text_key(*b));
      if (ka != kb) {
        return desc ? ka > kb : ka < kb;
      }
      return desc ? a->id > b->id : a->id < b->id;
    }
    const TimePoint ta = time_key(*a);
    const TimePoint tb = time_key(*b);
    if (ta != tb) {
      return desc ? ta > tb : ta < tb;
    }
    return desc ? a->id > b->id : a->id < b->id;
  });
}

bool UserMatchesSearch(const State& state, const User& user, const std::string& search,
                       bool admin) {
  if (ContainsNoCase(user.name, search) || ContainsNoCase(user.username, search)) {
    return true;
  }
  // E-mails match only in full: public ones for everybody, every address for administrators.
  const std::string wanted = LowerCopy(search);
  if (!user.public_email.empty() && LowerCopy(user.public_email) == wanted) {
    return true;
  }
  if (admin) {
    for (const std::string& e : state.Emails(user)) {
      if (LowerCopy(e) == wanted) {
        return true;
      }
    }
  }
  return false;
}

// Whether `project` is inside `group` or one of its subgroups.
bool InGroupTree(const State& state, const Project& project, const Namespace& group,
                 bool include_subgroups) {
  const Namespace* ns = state.FindNamespace(project.namespace_id);
  if (ns == nullptr) {
    return false;
  }
  if (ns->id == group.id) {
    return true;
  }
  if (!include_subgroups) {
    return false;
  }
  for (; ns != nullptr; ns = ns->parent_id ? state.FindNamespace(*ns->parent_id) : nullptr) {
    if (ns->id == group.id) {
      return true;
    }
  }
  return false;
}

// "Explicitly owned": the user's own namespace, or a group where they are a direct Owner.
bool OwnsProject(const State& state, Id user_id, const Project& project) {
  const Namespace* ns = state.FindNamespace(project.namespace_id);
  if (ns == nullptr || user_id == 0) {
    return false;
  }
  if (ns->kind == "user") {
    return ns->owner_user_id == user_id;
  }
  return state.DirectGroupAccess(user_id, ns->id) == kOwner;
}

// The project list filters shared by /projects and /groups/:id/projects. Sends a response.
void ListProjects(GitLabSim::Impl& sim, Ctx& ctx, const Namespace* group) {
  State& state = sim.state;
  if (BadTime(ctx, "last_activity_after") || BadTime(ctx, "last_activity_before")) {
    return;
  }
  const std::string order_by = ctx.Str("order_by", "created_at");
  const bool desc = ctx.Str("sort", "desc") != "asc";
  if (ctx.Str("pagination") == "keyset" && order_by != "id") {
    SendJson(ctx, 405, json{{"error", "Keyset pagination is only supported for order_by=id"}});
    return;
  }
  const bool owned = ctx.Bool("owned").value_or(false);
  const bool membership = ctx.Bool("membership").value_or(false);
  const auto min_access = ctx.Int("min_access_level");
  const auto id_after = ctx.Int("id_after");
  const auto id_before = ctx.Int("id_before");
  const std::string search = ctx.Str("search");
  const std::string visibility = ctx.Str("visibility");
  const auto archived = ctx.Bool("archived");
  const auto last_after = ctx.Time("last_activity_after");
  const auto last_before = ctx.Time("last_activity_before");
  const bool include_subgroups = ctx.Bool("include_subgroups").value_or(false);
  std::vector<const Project*> found;
  for (const auto& [id, project] : state.projects()) {
    if (!state.CanReadProject(ctx.actor, project)) {
      continue;
    }
    if (group != nullptr && !InGroupTree(state, project, *group, include_subgroups)) {
      continue;
    }
    const int level = state.ProjectAccess(ctx.actor.user_id, project);
    if ((membership && level < kGuest) || (min_access && level < *min_access) ||
        (owned && !OwnsProject(state, ctx.actor.user_id, project))) {
      continue;
    }
    if ((id_after && project.id <= *id_after) || (id_before && project.id >= *id_before)) {
      continue;
    }
    if (!search.empty() && !ContainsNoCase(project.name, search) &&
        !ContainsNoCase(project.path, search) &&
        !(ctx.Bool("search_namespaces").value_or(false) &&
          ContainsNoCase(state.ProjectPath(project), search))) {
      continue;
    }
    if ((!visibility.empty() && project.visibility != visibility) ||
        (archived && project.archived != *archived) ||
        (last_after && project.last_activity_at < *last_after) ||
        (last_before && project.last_activity_at > *last_before)) {
      continue;
    }
    found.push_back(&project);
  }
  SortBy<Project>(
      found, order_by, desc,
      [&order_by](const Project& p) { return order_by == "path" ? p.path : p.name; },
      [&order_by](const Project& p) {
        return order_by == "last_activity_at" || order_by == "updated_at" ? p.last_activity_at
                                                                          : p.created_at;
      });
  const bool simple = ctx.Bool("simple").value_or(false);
  std::vector<json> items;
  items.reserve(found.size());
  for (const Project* p : found) {
    items.push_back(RenderProject(state, *p, ctx.actor, simple));
  }
  SendPage(ctx, items, group == nullptr);
}

bool EventMatches(Ctx& ctx, const Event& event, const std::optional<TimePoint>& after,
                  const std::optional<TimePoint>& before) {
  const std::string action = ctx.Str("action");
  const std::string target_type = ctx.Str("target_type");
  if (!action.empty() && event.action != action) {
    return false;
  }
  if (!target_type.empty()) {
    // The filter is snake_case ("merge_request"); events carry class names ("MergeRequest").
    std::string snake;
    for (const char c : event.target_type) {
      if (std::isupper(static_cast<unsigned char>(c)) != 0 && !snake.empty()) {
        snake += '_';
      }
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const bool note = snake == "diff_note" || snake == "discussion_note";
    if (snake != LowerCopy(target_type) && !(note && LowerCopy(target_type) == "note")) {
      return false;
    }
  }
  // GitLab: created_at > end of the `after` day, created_at < start of the `before` day.
  if (after && event.created_at < *after + std::chrono::days{1}) {
    return false;
  }
  if (before && event.created_at >= *before) {
    return false;
  }
  return true;
}

void SendEvents(GitLabSim::Impl& sim, Ctx& ctx, const std::function<bool(const Event&)>& keep) {
  std::optional<TimePoint> after;
  std::optional<TimePoint> before;
  for (const char* name : {"after", "before"}) {
    if (ctx.Has(name)) {
      auto date = ParseDate(ctx.Str(name));
      if (!date) {
        SendJson(ctx, 400, json{{"error", std::string(name) + " is invalid"}});
        return;
      }
      (std::string_view(name) == "after" ? after : before) = date;
    }
  }
  const std::string target_type = ctx.Str("target_type");
  static const std::vector<std::string> known_targets{
      "issue",   "milestone", "merge_request", "note",      "project",
      "snippet", "user",      "epic",          "wiki_page", "design"};
  if (!target_type.empty() &&
      std::find(known_targets.begin(), known_targets.end(), target_type) == known_targets.end()) {
    SendJson(ctx, 400, json{{"error", "target_type does not have a valid value"}});
    return;
  }
  std::vector<const Event*> found;
  for (const auto& [id, event] : sim.state.events()) {
    if (keep(event) && EventMatches(ctx, event, after, before)) {
      found.push_back(&event);
    }
  }
  const bool desc = ctx.Str("sort", "desc") != "asc";
  SortBy<Event>(found, "created_at", desc, nullptr, [](const Event& e) { return e.created_at; });
  std::vector<json> items;
  items.reserve(found.size());
  for (const Event* e : found) {
    items.push_back(RenderEvent(sim.state, *e));
  }
  SendPage(ctx, items);
}

void SendNotes(GitLabSim::Impl& sim, Ctx& ctx, const std::string& type, Id noteable_id) {
  std::vector<const Note*> found;
  for (const auto& [id, note] : sim.state.notes()) {
    if (note.noteable_type == type && note.noteable_id == noteable_id) {
      found.push_back(&note);
    }
  }
  const bool desc = ctx.Str("sort", "desc") != "asc";
  const std::string order_by = ctx.Str("order_by", "created_at");
  SortBy<Note>(found, order_by, desc, nullptr, [&order_by](const Note& n) {
    return order_by == "updated_at" ? n.updated_at : n.created_at;
  });
  std::vector<json> items;
  items.reserve(found.size());
  for (const Note* n : found) {
    items.push_back(RenderNote(sim.state, *n));
  }
  SendPage(ctx, items);
}

json RenderBranch(const State& state, const Project& project, const std::string& name,
                  const std::string& sha) {
  const Commit* commit = state.FindCommit(project.id, sha);
  return json{
      {"name", name},
      {"commit", commit != nullptr ? RenderCommit(state, project, *commit, false) : json(nullptr)},
      {"merged", false},
      {"protected", name == project.default_branch},
      {"default", name == project.default_branch},
      {"developers_can_push", false},
      {"developers_can_merge", false},
      {"can_push", true},
      {"web_url", state.ProjectWebUrl(project) + "/-/tree/" + name}};
}

void ListMembers(GitLabSim::Impl& sim, Ctx& ctx, const Project* project, const Namespace* group,
                 bool all) {
  State& state = sim.state;
  std::map<Id, Member> members;
  auto merge = [&members](const std::map<Id, Member>& more) {
    for (const auto& [user_id, member] : more) {
      auto it = members.find(user_id);
      if (it == members.end() || it->second.access_level < member.access_level) {
        members[user_id] = member;
      }
    }
  };
  const Namespace* ns = group;
  if (project != nullptr) {
    merge(state.project_members(project->id));
    ns = state.FindNamespace(project->namespace_id);
    if (ns != nullptr && ns->kind == "user" && all) {
      merge({{ns->owner_user_id, Member{kOwner, project->created_at, ns->owner_user_id}}});
    }
    if (ns != nullptr && ns->kind == "user") {
      ns = nullptr;
    }
  } else if (group != nullptr) {
    merge(state.group_members(group->id));
    ns = group->parent_id ? state.FindNamespace(*group->parent_id) : nullptr;
  }
  if (all || project != nullptr) {
    for (; all && ns != nullptr;
         ns = ns->parent_id ? state.FindNamespace(*ns->parent_id) : nullptr) {
      merge(state.group_members(ns->id));
    }
  }
  const std::string query = ctx.Str("query");
  const auto user_ids = ctx.List("user_ids");
  std::vector<json> items;
  for (const auto& [user_id, member] : members) {
    const User* user = state.FindUser(user_id);
    if (user == nullptr) {
      continue;
    }
    if (!query.empty() && !ContainsNoCase(user->name, query) &&
        !ContainsNoCase(user->username, query)) {
      continue;
    }
    if (!user_ids.empty() &&
        std::find(user_ids.begin(), user_ids.end(), std::to_string(user_id)) == user_ids.end()) {
      continue;
    }
    items.push_back(RenderMember(state, *user, member));
  }
  if (ctx.path.count("user_id") != 0) {
    for (const json& item : items) {
      if (item["id"].get<Id>() == ctx.PathId("user_id")) {
        SendJson(ctx, 200, item);
        return;
      }
    }
    SendMessage(ctx, 404, "404 Member Not Found");
    return;
  }
  SendPage(ctx, items);
}

}  // namespace

void RegisterApiReadRoutes(GitLabSim::Impl& sim) {
  State& state = sim.state;

  sim.AddRoute("GET", "/api/v4/version", Need::kReadUser, [](Ctx& ctx) {
    SendJson(ctx, 200,
             json{{"version", kGitLabVersion},
                  {"revision", "6d9f1a2b"},
                  {"kas", {{"enabled", false}, {"externalUrl", nullptr}, {"version", nullptr}}},
                  {"enterprise", false}});
  });

  sim.AddRoute("GET", "/api/v4/user", Need::kReadUser, [&state](Ctx& ctx) {
    SendJson(ctx, 200, RenderUser(state, *state.FindUser(ctx.actor.user_id), ctx.actor));
  });

  sim.AddRoute("GET", "/api/v4/user/emails", Need::kReadUser, [&state](Ctx& ctx) {
    const User& user = *state.FindUser(ctx.actor.user_id);
    std::vector<json> items;
    Id n = 1;
    for (const std::string& e : state.Emails(user)) {
      items.push_back(json{
          {"id", user.id * 100 + n++}, {"email", e}, {"confirmed_at", IsoMillis(user.created_at)}});
    }
    SendPage(ctx, items);
  });

  sim.AddRoute("GET", "/api/v4/users", Need::kReadUser, [&state](Ctx& ctx) {
    const std::string username = ctx.Str("username");
    const std::string search = ctx.Str("search");
    const auto id_after = ctx.Int("id_after");
    const auto id_before = ctx.Int("id_before");
    const bool active = ctx.Bool("active").value_or(false);
    const bool blocked = ctx.Bool("blocked").value_or(false);
    const bool humans = ctx.Bool("humans").value_or(false) ||
                        ctx.Bool("exclude_internal").value_or(false) ||
                        ctx.Bool("without_project_bots").value_or(false);
    std::vector<const User*> found;
    for (const auto& [id, user] : state.users()) {
      if (!username.empty() && LowerCopy(user.username) != LowerCopy(username)) {
        continue;
      }
      if (!search.empty() && !UserMatchesSearch(state, user, search, ctx.actor.admin)) {
        continue;
      }
      if ((active && user.state != "active") || (blocked && user.state != "blocked") ||
          (humans && user.bot)) {
        continue;
      }
      if ((id_after && user.id <= *id_after) || (id_before && user.id >= *id_before)) {
        continue;
      }
      found.push_back(&user);
    }
    const std::string order_by = ctx.actor.admin ? ctx.Str("order_by", "id") : "id";
    const bool desc = ctx.Str("sort", "desc") != "asc";
    SortBy<User>(
        found, order_by, desc,
        [&order_by](const User& u) { return order_by == "username" ? u.username : u.name; },
        [](const User& u) { return u.created_at; });
    std::vector<json> items;
    items.reserve(found.size());
    for (const User* u : found) {
      items.push_back(ctx.actor.admin ? RenderUser(state, *u, ctx.actor)
                                      : RenderUserBasic(state, *u));
    }
    SendPage(ctx, items, order_by == "id");
  });

  sim.AddRoute("GET", "/api/v4/users/:uid", Need::kReadUser, [&state](Ctx& ctx) {
    const User* user = state.FindUser(ctx.PathId("uid"));
    if (user == nullptr) {
      SendMessage(ctx, 404, "404 User Not Found");
      return;
    }
    SendJson(ctx, 200, RenderUser(state, *user, ctx.actor));
  });

  sim.AddRoute("GET", "/api/v4/users/:uid/events", Need::kReadUser, [&sim, &state](Ctx& ctx) {
    const std::string ref = ctx.path["uid"];
    const User* user =
        ctx.PathId("uid") > 0 ? state.FindUser(ctx.PathId("uid")) : state.FindUserByUsername(ref);
    if (user == nullptr) {
      SendMessage(ctx, 404, "404 User Not Found");
      return;
    }
    SendEvents(sim, ctx, [&](const Event& e) {
      const Project* p = state.FindProject(e.project_id);
      return e.author_id == user->id && p != nullptr && state.CanReadProject(ctx.actor, *p);
    });
  });

  sim.AddRoute("GET", "/api/v4/events", Need::kReadUser, [&sim, &state](Ctx& ctx) {
    const bool all = ctx.Str("scope") == "all";
    SendEvents(sim, ctx, [&](const Event& e) {
      const Project* p = state.FindProject(e.project_id);
      if (p == nullptr) {
        return false;
      }
      return all ? state.ProjectAccess(ctx.actor.user_id, *p) >= kGuest
                 : e.author_id == ctx.actor.user_id;
    });
  });

  sim.AddRoute("GET", "/api/v4/projects", Need::kAnonymous,
               [&sim](Ctx& ctx) { ListProjects(sim, ctx, nullptr); });

  sim.AddRoute("GET", "/api/v4/projects/:id", Need::kAnonymous, [&sim, &state](Ctx& ctx) {
    if (const Project* project = VisibleProject(sim, ctx)) {
      SendJson(ctx, 200, RenderProject(state, *project, ctx.actor, false));
    }
  });

  sim.AddRoute("GET", "/api/v4/groups", Need::kAnonymous, [&state](Ctx& ctx) {
    const bool owned = ctx.Bool("owned").value_or(false);
    const auto min_access = ctx.Int("min_access_level");
    const bool all_available =
        ctx.Bool("all_available").value_or(ctx.actor.admin || ctx.actor.user_id == 0);
    const bool top_level_only = ctx.Bool("top_level_only").value_or(false);
    const std::string search = ctx.Str("search");
    std::vector<const Namespace*> found;
    for (const auto& [id, ns] : state.namespaces()) {
      if (ns.kind != "group" || !state.CanReadGroup(ctx.actor, ns)) {
        continue;
      }
      const int level = state.GroupAccess(ctx.actor.user_id, ns);
      if (owned && state.DirectGroupAccess(ctx.actor.user_id, ns.id) != kOwner) {
        continue;
      }
      if (min_access && level < *min_access) {
        continue;
      }
      if (!owned && !min_access && !all_available && level < kGuest) {
        // Without all_available a user lists the groups they belong to (or have projects in).
        Actor member_only{ctx.actor.user_id, false};
        Namespace private_copy = ns;
        private_copy.visibility = "private";
        if (!state.CanReadGroup(member_only, private_copy)) {
          continue;
        }
      }
      if ((top_level_only && ns.parent_id) ||
          (!search.empty() && !ContainsNoCase(ns.name, search) &&
           !ContainsNoCase(ns.path, search))) {
        continue;
      }
      found.push_back(&ns);
    }
    const std::string order_by = ctx.Str("order_by", "name");
    const bool desc = ctx.Str("sort", "asc") == "desc";
    SortBy<Namespace>(
        found, order_by, desc,
        [&order_by](const Namespace& n) { return order_by == "path" ? n.full_path : n.name; },
        [](const Namespace& n) { return n.created_at; });
    std::vector<json> items;
    items.reserve(found.size());
    for (const Namespace* g : found) {
      items.push_back(RenderGroup(state, *g));
    }
    SendPage(ctx, items);
  });

  sim.AddRoute("GET", "/api/v4/groups/:id", Need::kAnonymous, [&sim, &state](Ctx& ctx) {
    if (const Namespace* group = VisibleGroup(sim, ctx)) {
      SendJson(ctx, 200, RenderGroup(state, *group));
    }
  });

  sim.AddRoute("GET", "/api/v4/groups/:id/subgroups", Need::kAnonymous, [&sim, &state](Ctx& ctx) {
    if (const Namespace* group = VisibleGroup(sim, ctx)) {
      std::vector<json> items;
      for (const auto& [id, ns] : state.namespaces()) {
        if (ns.kind == "group" && ns.parent_id == group->id && state.CanReadGroup(ctx.actor, ns)) {
          items.push_back(RenderGroup(state, ns));
        }
      }
      SendPage(ctx, items);
    }
  });

  sim.AddRoute("GET", "/api/v4/groups/:id/projects", Need::kAnonymous, [&sim](Ctx& ctx) {
    if (const Namespace* group = VisibleGroup(sim, ctx)) {
      ListProjects(sim, ctx, group);
    }
  });

  sim.AddRoute("GET", "/api/v4/groups/:id/members", Need::kReadApi, [&sim](Ctx& ctx) {
    if (const Namespace* group = VisibleGroup(sim, ctx)) {
      ListMembers(sim, ctx, nullptr, group, false);
    }
  });
  sim.AddRoute("GET", "/api/v4/groups/:id/members/all", Need::kReadApi, [&sim](Ctx& ctx) {
    if (const Namespace* group = VisibleGroup(sim, ctx)) {
      ListMembers(sim, ctx, nullptr, group, true);
    }
  });

  sim.AddRoute("GET", "/api/v4/projects/:id/members", Need::kAnonymous, [&sim](Ctx& ctx) {
    if (const Project* project = VisibleProject(sim, ctx)) {
      ListMembers(sim, ctx, project, nullptr, false);
    }
  });
  sim.AddRoute("GET", "/api/v4/projects/:id/members/all", Need::kAnonymous, [&sim](Ctx& ctx) {
    if (const Project* project = VisibleProject(sim, ctx)) {
      ListMembers(sim, ctx, project, nullptr, true);
    }
  });
  sim.AddRoute("GET", "/api/v4/projects/:id/members/:user_id", Need::kAnonymous, [&sim](Ctx& ctx) {
    if (const Project* project = VisibleProject(sim, ctx)) {
      ListMembers(sim, ctx, project, nullptr, false);
    }
  });
  sim.AddRoute("GET", "/api/v4/projects/:id/members/all/:user_id", Need::kAnonymous,
               [&sim](Ctx& ctx) {
                 if (const Project* project = VisibleProject(sim, ctx)) {
                   ListMembers(sim, ctx, project, nullptr, true);
                 }
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/events", Need::kAnonymous, [&sim](Ctx& ctx) {
    if (const Project* project = VisibleProject(sim, ctx)) {
      const Id id = project->id;
      SendEvents(sim, ctx, [id](const Event& e) { return e.project_id == id; });
    }
  });

  sim.AddRoute("GET", "/api/v4/projects/:id/repository/branches", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const std::string search = ctx.Str("search");
                 std::vector<json> items;
                 for (const auto& [name, sha] : project->branches) {
                   if (search.empty() || ContainsNoCase(name, search)) {
                     items.push_back(RenderBranch(state, *project, name, sha));
                   }
                 }
                 SendPage(ctx, items);
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/repository/commits", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr || BadTime(ctx, "since") || BadTime(ctx, "until")) {
                   return;
                 }
                 std::vector<const Commit*> commits;
                 if (ctx.Bool("all").value_or(false)) {
                   commits = state.AllCommits(*project);
                 } else if (!project->branches.empty()) {
                   const std::string ref = ctx.Str("ref_name", project->default_branch);
                   auto reachable = state.CommitsReachable(*project, ref);
                   if (!reachable) {
                     SendMessage(ctx, 404, "404 Reference Not Found");
                     return;
                   }
                   commits = std::move(*reachable);
                 }
                 const auto since = ctx.Time("since");
                 const auto until = ctx.Time("until");
                 const std::string author = ctx.Str("author");
                 const std::string path = ctx.Str("path");
                 const bool with_stats = ctx.Bool("with_stats").value_or(false);
                 std::vector<json> items;
                 for (const Commit* c : commits) {
                   if ((since && c->committed_at < *since) || (until && c->committed_at > *until)) {
                     continue;
                   }
                   if (!author.empty() && !ContainsNoCase(c->author_name, author) &&
                       !ContainsNoCase(c->author_email, author)) {
                     continue;
                   }
                   if (!path.empty()) {
                     bool touched = false;
                     for (const auto* list : {&c->added, &c->modified, &c->removed}) {
                       for (const std::string& f : *list) {
                         touched = touched || f == path || f.rfind(path + "/", 0) == 0;
                       }
                     }
                     if (!touched) {
                       continue;
                     }
                   }
                   items.push_back(RenderCommit(state, *project, *c, with_stats));
                 }
                 SendPage(ctx, items);
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/repository/commits/:sha", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const Commit* commit = state.FindCommit(project->id, ctx.path["sha"]);
                 if (commit == nullptr) {
                   SendMessage(ctx, 404, "404 Commit Not Found");
                   return;
                 }
                 json out =
                     RenderCommit(state, *project, *commit, ctx.Bool("stats").value_or(true));
                 out["status"] = nullptr;
                 out["project_id"] = project->id;
                 out["last_pipeline"] = nullptr;
                 SendJson(ctx, 200, out);
               });

  sim.AddRoute(
      "GET", "/api/v4/projects/:id/repository/commits/:sha/comments", Need::kAnonymous,
      [&sim, &state](Ctx& ctx) {
        const Project* project = CodeProject(sim, ctx);
        if (project == nullptr) {
          return;
        }
        const Commit* commit = state.FindCommit(project->id, ctx.path["sha"]);
        if (commit == nullptr) {
          SendMessage(ctx, 404, "404 Commit Not Found");
          return;
        }
        std::vector<json> items;
        for (const auto& [id, note] : state.notes()) {
          if (note.noteable_type == "Commit" && note.project_id == project->id &&
              note.commit_sha == commit->sha) {
            const User* author = state.FindUser(note.author_id);
            items.push_back(json{
                {"note", note.body},
                {"path", nullptr},
                {"line", nullptr},
                {"line_type", nullptr},
                {"author", author != nullptr ? RenderUserBasic(state, *author) : json(nullptr)},
                {"created_at", IsoMillis(note.created_at)}});
          }
        }
        SendPage(ctx, items);
      });

  sim.AddRoute(
      "GET", "/api/v4/projects/:id/merge_requests", Need::kAnonymous, [&sim, &state](Ctx& ctx) {
        const Project* project = CodeProject(sim, ctx);
        if (project == nullptr) {
          return;
        }
        for (const char* name :
             {"updated_after", "updated_before", "created_after", "created_before"}) {
          if (BadTime(ctx, name)) {
            return;
          }
        }
        const std::string wanted_state = ctx.Str("state", "all");
        const auto updated_after = ctx.Time("updated_after");
        const auto updated_before = ctx.Time("updated_before");
        const auto created_after = ctx.Time("created_after");
        const auto created_before = ctx.Time("created_before");
        const auto author_id = ctx.Int("author_id");
        const std::string author_username = ctx.Str("author_username");
        const std::string source_branch = ctx.Str("source_branch");
        const std::string target_branch = ctx.Str("target_branch");
        const auto iids = ctx.List("iids");
        std::vector<const MergeRequest*> found;
        for (const auto& [id, mr] : state.merge_requests()) {
          if (mr.project_id != project->id) {
            continue;
          }
          if (wanted_state != "all" && mr.state != wanted_state) {
            continue;
          }
          if ((updated_after && mr.updated_at < *updated_after) ||
              (updated_before && mr.updated_at > *updated_before) ||
              (created_after && mr.created_at < *created_after) ||
              (created_before && mr.created_at > *created_before)) {
            continue;
          }
          const User* author = state.FindUser(mr.author_id);
          if ((author_id && mr.author_id != *author_id) ||
              (!author_username.empty() &&
               (author == nullptr || LowerCopy(author->username) != LowerCopy(author_username))) ||
              (!source_branch.empty() && mr.source_branch != source_branch) ||
              (!target_branch.empty() && mr.target_branch != target_branch) ||
              (!iids.empty() &&
               std::find(iids.begin(), iids.end(), std::to_string(mr.iid)) == iids.end())) {
            continue;
          }
          found.push_back(&mr);
        }
        const std::string order_by = ctx.Str("order_by", "created_at");
        const bool desc = ctx.Str("sort", "desc") != "asc";
        SortBy<MergeRequest>(
            found, order_by, desc, [](const MergeRequest& m) { return m.title; },
            [&order_by](const MergeRequest& m) {
              return order_by == "updated_at" ? m.updated_at : m.created_at;
            });
        const bool simple = ctx.Str("view") == "simple";
        std::vector<json> items;
        items.reserve(found.size());
        for (const MergeRequest* mr : found) {
          json item = RenderMergeRequest(state, *project, *mr);
          if (simple) {
            item = json{{"id", item["id"]},
                        {"iid", item["iid"]},
                        {"project_id", item["project_id"]},
                        {"title", item["title"]},
                        {"description", item["description"]},
                        {"state", item["state"]},
                        {"created_at", item["created_at"]},
                        {"updated_at", item["updated_at"]},
                        {"web_url", item["web_url"]}};
          }
          items.push_back(std::move(item));
        }
        SendPage(ctx, items);
      });

  sim.AddRoute("GET", "/api/v4/projects/:id/merge_requests/:iid", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const MergeRequest* mr = state.FindMergeRequest(project->id, ctx.PathId("iid"));
                 if (mr == nullptr) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendJson(ctx, 200, RenderMergeRequest(state, *project, *mr));
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/merge_requests/:iid/approvals", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const MergeRequest* mr = state.FindMergeRequest(project->id, ctx.PathId("iid"));
                 if (mr == nullptr) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendJson(ctx, 200, RenderApprovals(state, *project, *mr));
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/merge_requests/:iid/notes", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = CodeProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const MergeRequest* mr = state.FindMergeRequest(project->id, ctx.PathId("iid"));
                 if (mr == nullptr) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendNotes(sim, ctx, "MergeRequest", mr->id);
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/issues", Need::kAnonymous, [&sim, &state](Ctx& ctx) {
    const Project* project = VisibleProject(sim, ctx);
    if (project == nullptr || BadTime(ctx, "updated_after") || BadTime(ctx, "updated_before")) {
      return;
    }
    const std::string wanted_state = ctx.Str("state", "all");
    const auto updated_after = ctx.Time("updated_after");
    const auto updated_before = ctx.Time("updated_before");
    std::vector<const Issue*> found;
    for (const auto& [id, issue] : state.issues()) {
      if (issue.project_id == project->id &&
          (wanted_state == "all" || issue.state == wanted_state) &&
          !(updated_after && issue.updated_at < *updated_after) &&
          !(updated_before && issue.updated_at > *updated_before)) {
        found.push_back(&issue);
      }
    }
    const std::string order_by = ctx.Str("order_by", "created_at");
    const bool desc = ctx.Str("sort", "desc") != "asc";
    SortBy<Issue>(
        found, order_by, desc, [](const Issue& i) { return i.title; },
        [&order_by](const Issue& i) {
          return order_by == "updated_at" ? i.updated_at : i.created_at;
        });
    std::vector<json> items;
    items.reserve(found.size());
    for (const Issue* issue : found) {
      items.push_back(RenderIssue(state, *project, *issue));
    }
    SendPage(ctx, items);
  });

  sim.AddRoute("GET", "/api/v4/projects/:id/issues/:iid", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = VisibleProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const Issue* issue = state.FindIssue(project->id, ctx.PathId("iid"));
                 if (issue == nullptr) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendJson(ctx, 200, RenderIssue(state, *project, *issue));
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/issues/:iid/notes", Need::kAnonymous,
               [&sim, &state](Ctx& ctx) {
                 const Project* project = VisibleProject(sim, ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const Issue* issue = state.FindIssue(project->id, ctx.PathId("iid"));
                 if (issue == nullptr) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendNotes(sim, ctx, "Issue", issue->id);
               });

  auto hook_project = [&sim, &state](Ctx& ctx) -> const Project* {
    const Project* project = VisibleProject(sim, ctx);
    if (project != nullptr && !ctx.actor.admin &&
        state.ProjectAccess(ctx.actor.user_id, *project) < kMaintainer) {
      SendMessage(ctx, 403, "403 Forbidden");
      return nullptr;
    }
    return project;
  };

  sim.AddRoute("GET", "/api/v4/projects/:id/hooks", Need::kReadApi,
               [&state, hook_project](Ctx& ctx) {
                 const Project* project = hook_project(ctx);
                 if (project == nullptr) {
                   return;
                 }
                 std::vector<json> items;
                 for (const auto& [id, hook] : state.hooks()) {
                   if (hook.project_id == project->id) {
                     items.push_back(RenderHook(state, hook));
                   }
                 }
                 SendPage(ctx, items);
               });

  sim.AddRoute("GET", "/api/v4/projects/:id/hooks/:hook_id", Need::kReadApi,
               [&state, hook_project](Ctx& ctx) {
                 const Project* project = hook_project(ctx);
                 if (project == nullptr) {
                   return;
                 }
                 const auto it = state.hooks().find(ctx.PathId("hook_id"));
                 if (it == state.hooks().end() || it->second.project_id != project->id) {
                   SendMessage(ctx, 404, "404 Not found");
                   return;
                 }
                 SendJson(ctx, 200, RenderHook(state, it->second));
               });
}

}  // namespace worklog::gitlab_sim
