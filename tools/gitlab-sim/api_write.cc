// State-changing routes of /api/v4 (administrator token + Sudo, or a user's token).

#include <algorithm>
#include <array>

#include "gitlab-sim/api_common.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

constexpr std::array<const char*, 13> kHookFlags{"push_events",
                                                 "tag_push_events",
                                                 "merge_requests_events",
                                                 "note_events",
                                                 "confidential_note_events",
                                                 "issues_events",
                                                 "confidential_issues_events",
                                                 "pipeline_events",
                                                 "job_events",
                                                 "wiki_page_events",
                                                 "deployment_events",
                                                 "releases_events",
                                                 "enable_ssl_verification"};

NewProjectHook ParseHook(Ctx& ctx, std::set<std::string>& given) {
  NewProjectHook in;
  Hook& h = in.fields;
  auto flag = [&](const char* name, bool& field) {
    if (const auto v = ctx.Bool(name)) {
      field = *v;
      given.insert(name);
    }
  };
  auto text = [&](const char* name, std::string& field) {
    if (const auto v = ctx.Param(name)) {
      field = *v;
      given.insert(name);
    }
  };
  text("url", h.url);
  text("name", h.name);
  text("description", h.description);
  text("push_events_branch_filter", h.push_events_branch_filter);
  text("branch_filter_strategy", h.branch_filter_strategy);
  flag(kHookFlags[0], h.push_events);
  flag(kHookFlags[1], h.tag_push_events);
  flag(kHookFlags[2], h.merge_requests_events);
  flag(kHookFlags[3], h.note_events);
  flag(kHookFlags[4], h.confidential_note_events);
  flag(kHookFlags[5], h.issues_events);
  flag(kHookFlags[6], h.confidential_issues_events);
  flag(kHookFlags[7], h.pipeline_events);
  flag(kHookFlags[8], h.job_events);
  flag(kHookFlags[9], h.wiki_page_events);
  flag(kHookFlags[10], h.deployment_events);
  flag(kHookFlags[11], h.releases_events);
  flag(kHookFlags[12], h.enable_ssl_verification);
  if (const auto token = ctx.Param("token")) {
    h.token = *token;
    in.has_token = true;
  }
  return in;
}

std::vector<Id> Ids(const std::vector<std::string>& values) {
  std::vector<Id> out;
  for (const std::string& v : values) {
    if (!v.empty() && v.size() < 18 &&
        std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      out.push_back(std::stoll(v));
    }
  }
  return out;
}

// The time of a change: `created_at` (or `updated_at`, `merged_at`) when given, else now.
bool ChangeTime(Ctx& ctx, std::optional<TimePoint>& at) {
  for (const char* name : {"created_at", "updated_at", "merged_at"}) {
    if (ctx.Has(name)) {
      at = ctx.Time(name);
      if (!at) {
        SendJson(ctx, 400, json{{"error", std::string(name) + " is invalid"}});
        return false;
      }
      return true;
    }
  }
  return true;
}

json RenderPat(const State& state, const PersonalAccessToken& pat, bool with_token) {
  const bool expired = pat.expires_at && *pat.expires_at <= state.Now();
  json out{{"id", pat.id},
           {"name", pat.name},
           {"revoked", pat.revoked},
           {"created_at", IsoMillis(pat.created_at)},
           {"description", nullptr},
           {"scopes", pat.scopes},
           {"user_id", pat.user_id},
           {"last_used_at", pat.last_used_at ? json(IsoMillis(*pat.last_used_at)) : json(nullptr)},
           {"active", !pat.revoked && !expired},
           {"expires_at", pat.expires_at ? json(DateOnly(*pat.expires_at)) : json(nullptr)}};
  if (with_token) {
    out["token"] = pat.token;
  }
  return out;
}

json RenderApplication(const Application& app, bool with_secret) {
  std::string callback;
  for (const std::string& uri : app.redirect_uris) {
    callback += (callback.empty() ? "" : "\n") + uri;
  }
  json out{{"id", app.id},
           {"application_id", app.uid},
           {"application_name", app.name},
           {"callback_url", callback},
           {"confidential", app.confidential}};
  if (with_secret) {
    out["secret"] = app.secret;
  }
  return out;
}

std::optional<Id> ProjectIdOr404(GitLabSim::Impl& sim, Ctx& ctx) {
  const Project* project = VisibleProject(sim, ctx);
  if (project == nullptr) {
    return std::nullopt;
  }
  return project->id;
}

template <typename T, typename Render>
void Reply(Ctx& ctx, const Result<T>& result, int status, Render render) {
  if (!result) {
    SendError(ctx, result.error());
    return;
  }
  SendJson(ctx, status, render(*result));
}

}  // namespace

void RegisterApiWriteRoutes(GitLabSim::Impl& sim) {
  State& state = sim.state;

  sim.AddRoute("POST", "/api/v4/users", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    std::optional<TimePoint> at;
    if (!ChangeTime(ctx, at)) {
      return;
    }
    State::NewUser in;
    in.email = ctx.Str("email");
    in.username = ctx.Str("username");
    in.name = ctx.Str("name");
    in.password = ctx.Str("password");
    in.public_email = ctx.Str("public_email");
    in.commit_email = ctx.Str("commit_email");
    in.admin = ctx.Bool("admin").value_or(false);
    in.created_at = at;
    if (in.password.empty() && !ctx.Bool("reset_password").value_or(false) &&
        !ctx.Bool("force_random_password").value_or(false)) {
      SendJson(ctx, 400,
               json{{"error",
                     "password, reset_password, force_random_password are "
                     "missing, at least one parameter must be provided"}});
      return;
    }
    if (!in.public_email.empty() && in.public_email != in.email) {
      in.commit_email = in.commit_email.empty() ? "" : in.commit_email;
    }
    auto user = state.CreateUser(in);
    if (user && !in.public_email.empty() && in.public_email != in.email) {
      (void)state.AddEmail((*user)->id, in.public_email);
    }
    Reply(ctx, user, 201, [&](const User* u) { return RenderUser(state, *u, ctx.actor); });
  });

  sim.AddRoute("POST", "/api/v4/users/:uid/emails", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    const Id uid = ctx.PathId("uid");
    const std::string email = ctx.Str("email");
    if (email.empty()) {
      SendJson(ctx, 400, json{{"error", "email is missing"}});
      return;
    }
    auto ok = state.AddEmail(uid, email);
    if (!ok) {
      SendError(ctx, ok.error());
      return;
    }
    SendJson(ctx, 201, json{{"id", uid * 100 + 50}, {"email", email}, {"confirmed_at", nullptr}});
  });

  for (const char* kind : {"personal_access_tokens", "impersonation_tokens"}) {
    sim.AddRoute("POST", std::string("/api/v4/users/:uid/") + kind, Need::kApi,
                 [&sim, &state](Ctx& ctx) {
                   if (!sim.RequireAdmin(ctx)) {
                     return;
                   }
                   std::optional<TimePoint> expires;
                   if (ctx.Has("expires_at")) {
                     expires = ParseTime(ctx.Str("expires_at"));
                     if (!expires) {
                       SendJson(ctx, 400, json{{"error", "expires_at is invalid"}});
                       return;
                     }
                   }
                   auto pat = state.CreatePersonalAccessToken(ctx.PathId("uid"), ctx.Str("name"),
                                                              ctx.List("scopes"), expires);
                   Reply(ctx, pat, 201,
                         [&](const PersonalAccessToken* p) { return RenderPat(state, *p, true); });
                 });
  }

  auto current_pat = [&state](Ctx& ctx) -> const PersonalAccessToken* {
    std::string token = ctx.req.get_header_value("PRIVATE-TOKEN");
    const std::string authorization = ctx.req.get_header_value("Authorization");
    if (token.empty() && authorization.rfind("Bearer ", 0) == 0) {
      token = authorization.substr(7);
    }
    return state.FindPersonalAccessToken(token);
  };
  sim.AddRoute("GET", "/api/v4/personal_access_tokens/self", Need::kReadUser,
               [&state, current_pat](Ctx& ctx) {
                 const PersonalAccessToken* pat = current_pat(ctx);
                 if (pat == nullptr) {
                   SendMessage(ctx, 404, "404 Not Found");
                   return;
                 }
                 SendJson(ctx, 200, RenderPat(state, *pat, false));
               });
  sim.AddRoute("DELETE", "/api/v4/personal_access_tokens/self", Need::kReadUser,
               [&state, current_pat](Ctx& ctx) {
                 const PersonalAccessToken* pat = current_pat(ctx);
                 if (pat == nullptr) {
                   SendMessage(ctx, 404, "404 Not Found");
                   return;
                 }
                 (void)state.RevokePersonalAccessToken(pat->id);
                 ctx.res.status = 204;
               });

  sim.AddRoute("POST", "/api/v4/applications", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    std::vector<std::string> redirect_uris;
    for (const std::string& uri : ctx.List("redirect_uri")) {
      redirect_uris.push_back(uri);
    }
    auto app = state.CreateApplication(ctx.Str("name"), redirect_uris, ctx.List("scopes"),
                                       ctx.Bool("confidential").value_or(true));
    Reply(ctx, app, 201, [](const Application* a) { return RenderApplication(*a, true); });
  });

  sim.AddRoute("GET", "/api/v4/applications", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    std::vector<json> items;
    for (const auto& [id, app] : state.applications()) {
      items.push_back(RenderApplication(app, false));
    }
    SendPage(ctx, items);
  });

  sim.AddRoute("DELETE", "/api/v4/applications/:app_id", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    auto ok = state.DeleteApplication(ctx.PathId("app_id"));
    if (!ok) {
      SendError(ctx, ok.error());
      return;
    }
    ctx.res.status = 204;
  });

  sim.AddRoute("POST", "/api/v4/groups", Need::kApi, [&state](Ctx& ctx) {
    std::optional<TimePoint> at;
    if (!ChangeTime(ctx, at)) {
      return;
    }
    auto group =
        state.CreateGroup(ctx.actor, ctx.Str("name"), ctx.Str("path"), ctx.Int("parent_id"),
                          ctx.Str("visibility"), ctx.Str("description"), at);
    Reply(ctx, group, 201, [&](const Namespace* g) { return RenderGroup(state, *g); });
  });

  sim.AddRoute("POST", "/api/v4/groups/:id/members", Need::kApi, [&sim, &state](Ctx& ctx) {
    const Namespace* group = VisibleGroup(sim, ctx);
    if (group == nullptr) {
      return;
    }
    const auto user_id = ctx.Int("user_id");
    const auto level = ctx.Int("access_level");
    if (!user_id || !level) {
      SendJson(ctx, 400,
               json{{"error", !user_id ? "user_id is missing" : "access_level is missing"}});
      return;
    }
    auto member = state.AddGroupMember(ctx.actor, group->id, *user_id, static_cast<int>(*level));
    Reply(ctx, member, 201,
          [&](const Member* m) { return RenderMember(state, *state.FindUser(*user_id), *m); });
  });

  sim.AddRoute("POST", "/api/v4/projects", Need::kApi, [&state](Ctx& ctx) {
    std::optional<TimePoint> at;
    if (!ChangeTime(ctx, at)) {
      return;
    }
    auto project = state.CreateProject(ctx.actor, ctx.Str("name"), ctx.Str("path"),
                                       ctx.Int("namespace_id"), ctx.Str("visibility"),
                                       ctx.Str("description"), ctx.Str("default_branch"),
                                       ctx.Bool("initialize_with_readme").value_or(false), at);
    Reply(ctx, project, 201,
          [&](const Project* p) { return RenderProject(state, *p, ctx.actor, false); });
  });

  sim.AddRoute("POST", "/api/v4/projects/:id/members", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    const auto user_id = ctx.Int("user_id");
    const auto level = ctx.Int("access_level");
    if (!user_id || !level) {
      SendJson(ctx, 400,
               json{{"error", !user_id ? "user_id is missing" : "access_level is missing"}});
      return;
    }
    auto member =
        state.AddProjectMember(ctx.actor, *project_id, *user_id, static_cast<int>(*level));
    Reply(ctx, member, 201,
          [&](const Member* m) { return RenderMember(state, *state.FindUser(*user_id), *m); });
  });

  sim.AddRoute(
      "POST", "/api/v4/projects/:id/repository/commits", Need::kApi, [&sim, &state](Ctx& ctx) {
        const auto project_id = ProjectIdOr404(sim, ctx);
        if (!project_id) {
          return;
        }
        NewCommit in;
        in.branch = ctx.Str("branch");
        in.start_branch = ctx.Str("start_branch");
        in.message = ctx.Str("commit_message");
        in.author_email = ctx.Str("author_email");
        in.author_name = ctx.Str("author_name");
        if (!ChangeTime(ctx, in.created_at)) {
          return;
        }
        if (in.branch.empty() || in.message.empty()) {
          SendJson(ctx, 400,
                   json{{"error",
                         in.branch.empty() ? "branch is missing" : "commit_message is missing"}});
          return;
        }
        const auto actions = ctx.body.is_object() ? ctx.body.find("actions") : ctx.body.end();
        if (!ctx.body.is_object() || actions == ctx.body.end() || !actions->is_array() ||
            actions->empty()) {
          SendJson(ctx, 400, json{{"error", "actions is missing"}});
          return;
        }
        for (const json& a : *actions) {
          if (!a.is_object()) {
            SendJson(ctx, 400, json{{"error", "actions is invalid"}});
            return;
          }
          in.actions.push_back(CommitAction{a.value("action", ""), a.value("file_path", ""),
                                            a.value("previous_path", ""), a.value("content", "")});
        }
        auto commit = state.CreateCommit(ctx.actor, *project_id, in);
        Reply(ctx, commit, 201, [&](const Commit* c) {
          json out = RenderCommit(state, *state.FindProject(*project_id), *c, true);
          out["status"] = nullptr;
          out["project_id"] = *project_id;
          out["last_pipeline"] = nullptr;
          return out;
        });
      });

  sim.AddRoute("POST", "/api/v4/projects/:id/repository/commits/:sha/comments", Need::kApi,
               [&sim, &state](Ctx& ctx) {
                 const auto project_id = ProjectIdOr404(sim, ctx);
                 if (!project_id) {
                   return;
                 }
                 std::optional<TimePoint> at;
                 if (!ChangeTime(ctx, at)) {
                   return;
                 }
                 auto note = state.CreateNote(ctx.actor, *project_id, "Commit", ctx.path["sha"],
                                              ctx.Str("note"), at);
                 Reply(ctx, note, 201, [&](const Note* n) {
                   return json{{"note", n->body},
                               {"path", nullptr},
                               {"line", nullptr},
                               {"line_type", nullptr},
                               {"author", RenderUserBasic(state, *state.FindUser(n->author_id))},
                               {"created_at", IsoMillis(n->created_at)}};
                 });
               });

  sim.AddRoute("POST", "/api/v4/projects/:id/merge_requests", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    State::NewMergeRequest in;
    in.source_branch = ctx.Str("source_branch");
    in.target_branch = ctx.Str("target_branch");
    in.title = ctx.Str("title");
    in.description = ctx.Str("description");
    in.assignee_ids = Ids(ctx.List("assignee_ids"));
    if (const auto one = ctx.Int("assignee_id")) {
      in.assignee_ids.push_back(*one);
    }
    in.reviewer_ids = Ids(ctx.List("reviewer_ids"));
    in.labels = ctx.List("labels");
    if (!ChangeTime(ctx, in.created_at)) {
      return;
    }
    auto mr = state.CreateMergeRequest(ctx.actor, *project_id, in);
    Reply(ctx, mr, 201, [&](const MergeRequest* m) {
      return RenderMergeRequest(state, *state.FindProject(*project_id), *m);
    });
  });

  sim.AddRoute(
      "PUT", "/api/v4/projects/:id/merge_requests/:iid", Need::kApi, [&sim, &state](Ctx& ctx) {
        const auto project_id = ProjectIdOr404(sim, ctx);
        if (!project_id) {
          return;
        }
        std::optional<TimePoint> at;
        if (!ChangeTime(ctx, at)) {
          return;
        }
        auto mr =
            state.UpdateMergeRequest(ctx.actor, *project_id, ctx.PathId("iid"), ctx.Param("title"),
                                     ctx.Param("description"), ctx.Str("state_event"), at);
        Reply(ctx, mr, 200, [&](const MergeRequest* m) {
          return RenderMergeRequest(state, *state.FindProject(*project_id), *m);
        });
      });

  sim.AddRoute("PUT", "/api/v4/projects/:id/merge_requests/:iid/merge", Need::kApi,
               [&sim, &state](Ctx& ctx) {
                 const auto project_id = ProjectIdOr404(sim, ctx);
                 if (!project_id) {
                   return;
                 }
                 std::optional<TimePoint> at;
                 if (!ChangeTime(ctx, at)) {
                   return;
                 }
                 auto mr = state.MergeMergeRequest(ctx.actor, *project_id, ctx.PathId("iid"), at,
                                                   ctx.Str("merge_commit_message"));
                 Reply(ctx, mr, 200, [&](const MergeRequest* m) {
                   return RenderMergeRequest(state, *state.FindProject(*project_id), *m);
                 });
               });

  sim.AddRoute("POST", "/api/v4/projects/:id/merge_requests/:iid/approve", Need::kApi,
               [&sim, &state](Ctx& ctx) {
                 const auto project_id = ProjectIdOr404(sim, ctx);
                 if (!project_id) {
                   return;
                 }
                 std::optional<TimePoint> at;
                 if (!ChangeTime(ctx, at)) {
                   return;
                 }
                 auto mr = state.ApproveMergeRequest(ctx.actor, *project_id, ctx.PathId("iid"), at);
                 Reply(ctx, mr, 201, [&](const MergeRequest* m) {
                   return RenderApprovals(state, *state.FindProject(*project_id), *m);
                 });
               });

  for (const char* kind : {"merge_requests", "issues"}) {
    const std::string noteable = std::string(kind) == "issues" ? "Issue" : "MergeRequest";
    sim.AddRoute("POST", std::string("/api/v4/projects/:id/") + kind + "/:iid/notes", Need::kApi,
                 [&sim, &state, noteable](Ctx& ctx) {
                   const auto project_id = ProjectIdOr404(sim, ctx);
                   if (!project_id) {
                     return;
                   }
                   std::optional<TimePoint> at;
                   if (!ChangeTime(ctx, at)) {
                     return;
                   }
                   auto note = state.CreateNote(ctx.actor, *project_id, noteable, ctx.path["iid"],
                                                ctx.Str("body"), at);
                   Reply(ctx, note, 201, [&](const Note* n) { return RenderNote(state, *n); });
                 });
  }

  sim.AddRoute("POST", "/api/v4/projects/:id/issues", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    State::NewIssue in;
    in.title = ctx.Str("title");
    in.description = ctx.Str("description");
    in.assignee_ids = Ids(ctx.List("assignee_ids"));
    if (const auto one = ctx.Int("assignee_id")) {
      in.assignee_ids.push_back(*one);
    }
    in.labels = ctx.List("labels");
    if (!ChangeTime(ctx, in.created_at)) {
      return;
    }
    auto issue = state.CreateIssue(ctx.actor, *project_id, in);
    Reply(ctx, issue, 201,
          [&](const Issue* i) { return RenderIssue(state, *state.FindProject(*project_id), *i); });
  });

  sim.AddRoute("PUT", "/api/v4/projects/:id/issues/:iid", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    std::optional<TimePoint> at;
    if (!ChangeTime(ctx, at)) {
      return;
    }
    auto issue = state.UpdateIssue(ctx.actor, *project_id, ctx.PathId("iid"), ctx.Param("title"),
                                   ctx.Param("description"), ctx.Str("state_event"), at);
    Reply(ctx, issue, 200,
          [&](const Issue* i) { return RenderIssue(state, *state.FindProject(*project_id), *i); });
  });

  sim.AddRoute("POST", "/api/v4/projects/:id/hooks", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    std::set<std::string> given;
    const NewProjectHook in = ParseHook(ctx, given);
    auto hook = state.CreateHook(ctx.actor, *project_id, in);
    Reply(ctx, hook, 201, [&](const Hook* h) { return RenderHook(state, *h); });
  });

  sim.AddRoute("PUT", "/api/v4/projects/:id/hooks/:hook_id", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    std::set<std::string> given;
    const NewProjectHook in = ParseHook(ctx, given);
    auto hook = state.UpdateHook(ctx.actor, *project_id, ctx.PathId("hook_id"), in, given);
    Reply(ctx, hook, 200, [&](const Hook* h) { return RenderHook(state, *h); });
  });

  sim.AddRoute("DELETE", "/api/v4/projects/:id/hooks/:hook_id", Need::kApi,
               [&sim, &state](Ctx& ctx) {
                 const auto project_id = ProjectIdOr404(sim, ctx);
                 if (!project_id) {
                   return;
                 }
                 auto ok = state.DeleteHook(ctx.actor, *project_id, ctx.PathId("hook_id"));
                 if (!ok) {
                   SendError(ctx, ok.error());
                   return;
                 }
                 ctx.res.status = 204;
               });

  // GitLab answers 202 and deletes in the background; here the project is gone at once.
  sim.AddRoute("DELETE", "/api/v4/projects/:id", Need::kApi, [&sim, &state](Ctx& ctx) {
    const auto project_id = ProjectIdOr404(sim, ctx);
    if (!project_id) {
      return;
    }
    if (auto ok = state.DeleteProject(ctx.actor, *project_id); !ok) {
      SendError(ctx, ok.error());
      return;
    }
    SendMessage(ctx, 202, "202 Accepted");
  });

  sim.AddRoute("POST", "/api/v4/projects/:id/hooks/:hook_id/test/:trigger", Need::kApi,
               [&sim, &state](Ctx& ctx) {
                 const auto project_id = ProjectIdOr404(sim, ctx);
                 if (!project_id) {
                   return;
                 }
                 auto delivery = state.TestHook(ctx.actor, *project_id, ctx.PathId("hook_id"),
                                                ctx.path["trigger"]);
                 if (!delivery) {
                   SendError(ctx, delivery.error());
                   return;
                 }
                 // A test delivery that succeeds re-enables a disabled hook, as in GitLab.
                 const int status = sim.dispatcher->SendNow(*delivery);
                 state.RecordHookOutcome(delivery->hook_id, status >= 200 && status < 300);
                 SendMessage(ctx, 201, "201 Created");
               });
}

}  // namespace worklog::gitlab_sim
