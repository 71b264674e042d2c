// The simulator's own endpoints, under /-/sim/ (administrator token only): fault injection,
// token revocation/expiry, the webhook delivery log, and multi-commit pushes.

#include "gitlab-sim/api_common.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

json RenderFault(const Fault& f) {
  return json{{"id", f.id},
              {"kind", f.kind},
              {"status", f.status},
              {"retry_after", f.retry_after},
              {"delay_ms", f.delay_ms},
              {"remaining", f.remaining},
              {"path_prefix", f.path_prefix},
              {"method", f.method}};
}

json RenderDelivery(const DeliveryRecord& r) {
  json attempts = json::array();
  for (const DeliveryAttempt& a : r.attempts) {
    attempts.push_back(json{{"status", a.status},
                            {"error", a.error.empty() ? json(nullptr) : json(a.error)},
                            {"at", IsoMillis(a.at)}});
  }
  json payload = json::parse(r.hook.body, nullptr, false);
  return json{{"id", r.id},
              {"hook_id", r.hook.hook_id},
              {"project_id", r.hook.project_id},
              {"url", r.hook.url},
              {"event", r.hook.event},
              {"event_uuid", r.hook.event_uuid},
              {"webhook_uuid", r.hook.hook_uuid},
              {"idempotency_key", r.idempotency_key},
              {"outcome", r.outcome},
              {"attempts", attempts},
              {"payload", payload.is_discarded() ? json(nullptr) : payload}};
}

const User* UserByRef(const State& state, const std::string& ref) {
  const bool numeric =
      !ref.empty() && ref.size() < 18 &&
      std::all_of(ref.begin(), ref.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return numeric ? state.FindUser(std::stoll(ref)) : state.FindUserByUsername(ref);
}

}  // namespace

void RegisterControlRoutes(GitLabSim::Impl& sim) {
  State& state = sim.state;

  sim.AddRoute("POST", "/-/sim/faults", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    Fault fault;
    fault.kind = ctx.Str("kind");
    fault.status = static_cast<int>(ctx.Int("status").value_or(0));
    fault.retry_after = static_cast<int>(ctx.Int("retry_after").value_or(1));
    fault.delay_ms = static_cast<int>(ctx.Int("delay_ms").value_or(0));
    fault.remaining = static_cast<int>(ctx.Int("count").value_or(1));
    fault.path_prefix = ctx.Str("path_prefix", "/api/v4/");
    fault.method = ctx.Str("method");
    if (fault.remaining < 1) {
      SendJson(ctx, 400, json{{"error", "count must be at least 1"}});
      return;
    }
    if (fault.kind == "hook_failure") {
      sim.dispatcher->FailNext(fault.remaining, fault.status);
      SendJson(ctx, 201, RenderFault(fault));
      return;
    }
    if (fault.kind == "hook_drop") {
      sim.dispatcher->DropNext(fault.remaining);
      SendJson(ctx, 201, RenderFault(fault));
      return;
    }
    if (fault.kind == "status") {
      if (fault.status < 400 || fault.status > 599) {
        SendJson(ctx, 400, json{{"error", "status must be 400-599"}});
        return;
      }
    } else if (fault.kind == "delay") {
      if (fault.delay_ms < 1 || fault.delay_ms > 120000) {
        SendJson(ctx, 400, json{{"error", "delay_ms must be 1-120000"}});
        return;
      }
    } else if (fault.kind != "truncate") {
      SendJson(ctx, 400,
               json{{"error",
                     "kind must be one of status, delay, truncate, "
                     "hook_failure, hook_drop"}});
      return;
    }
    fault.id = sim.next_fault_id++;
    sim.faults.push_back(fault);
    SendJson(ctx, 201, RenderFault(fault));
  });

  sim.AddRoute("GET", "/-/sim/faults", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    json out = json::array();
    for (const Fault& f : sim.faults) {
      out.push_back(RenderFault(f));
    }
    SendJson(ctx, 200, out);
  });

  sim.AddRoute("DELETE", "/-/sim/faults", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    sim.faults.clear();
    sim.dispatcher->ClearFaults();
    ctx.res.status = 204;
  });

  sim.AddRoute("POST", "/-/sim/users/:user/revoke_tokens", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    const User* user = UserByRef(state, ctx.path["user"]);
    if (user == nullptr) {
      SendMessage(ctx, 404, "404 User Not Found");
      return;
    }
    SendJson(ctx, 200, json{{"revoked", state.RevokeUserTokens(user->id)}});
  });

  sim.AddRoute("POST", "/-/sim/users/:user/expire_tokens", Need::kApi, [&sim, &state](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    const User* user = UserByRef(state, ctx.path["user"]);
    if (user == nullptr) {
      SendMessage(ctx, 404, "404 User Not Found");
      return;
    }
    SendJson(ctx, 200, json{{"expired", state.ExpireUserOAuthTokens(user->id)}});
  });

  sim.AddRoute("GET", "/-/sim/deliveries", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    const auto hook_id = ctx.Int("hook_id");
    const auto project_id = ctx.Int("project_id");
    const std::string event = ctx.Str("event");
    json out = json::array();
    for (const DeliveryRecord& r : sim.dispatcher->Log()) {
      if ((hook_id && r.hook.hook_id != *hook_id) ||
          (project_id && r.hook.project_id != *project_id) ||
          (!event.empty() && r.hook.event != event)) {
        continue;
      }
      out.push_back(RenderDelivery(r));
    }
    SendJson(ctx, 200, out);
  });

  sim.AddRoute("DELETE", "/-/sim/deliveries", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    sim.dispatcher->ClearLog();
    ctx.res.status = 204;
  });

  // What `git push` of several commits does (one push event, one Push Hook with at most 20
  // commits). Acts as the Sudo user when given.
  sim.AddRoute("POST", "/-/sim/projects/:id/push", Need::kApi, [&sim, &state](Ctx& ctx) {
    const Project* project = VisibleProject(sim, ctx);
    if (project == nullptr) {
      return;
    }
    std::vector<NewCommit> commits;
    if (ctx.body.is_object() && ctx.body.contains("commits") && ctx.body["commits"].is_array()) {
      for (const json& c : ctx.body["commits"]) {
        if (!c.is_object()) {
          SendJson(ctx, 400, json{{"error", "commits is invalid"}});
          return;
        }
        NewCommit in;
        in.message = c.value("message", "");
        in.author_name = c.value("author_name", "");
        in.author_email = c.value("author_email", "");
        if (c.contains("created_at")) {
          in.created_at = ParseTime(c.value("created_at", ""));
          if (!in.created_at) {
            SendJson(ctx, 400, json{{"error", "commits[created_at] is invalid"}});
            return;
          }
        }
        if (c.contains("actions") && c["actions"].is_array()) {
          for (const json& a : c["actions"]) {
            in.actions.push_back(CommitAction{a.value("action", ""), a.value("file_path", ""),
                                              a.value("previous_path", ""),
                                              a.value("content", "")});
          }
        }
        commits.push_back(std::move(in));
      }
    }
    auto pushed =
        state.Push(ctx.actor, project->id, ctx.Str("branch"), ctx.Str("start_branch"), commits);
    if (!pushed) {
      SendError(ctx, pushed.error());
      return;
    }
    json out = json::array();
    for (const Commit* c : *pushed) {
      out.push_back(RenderCommit(state, *project, *c, false));
    }
    SendJson(ctx, 201, out);
  });

  sim.AddRoute("GET", "/-/sim/info", Need::kApi, [&sim](Ctx& ctx) {
    if (!sim.RequireAdmin(ctx)) {
      return;
    }
    json accounts = json::array();
    for (const DemoAccount& a : sim.demo.accounts) {
      accounts.push_back(json{{"username", a.username},
                              {"email", a.email},
                              {"password", a.password},
                              {"role", a.role}});
    }
    SendJson(ctx, 200,
             json{{"url", sim.Url()},
                  {"version", kGitLabVersion},
                  {"oauth_application_id", sim.demo.oauth_application_id},
                  {"oauth_secret", sim.demo.oauth_secret},
                  {"oauth_redirect_uri", sim.demo.oauth_redirect_uri},
                  {"accounts", accounts}});
  });
}

}  // namespace worklog::gitlab_sim
