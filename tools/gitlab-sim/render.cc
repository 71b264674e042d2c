// The JSON shapes of GitLab's REST API v4 resources (doc/api/*.md), for what the simulator has.

#include <algorithm>

#include "common/crypto.h"
#include "gitlab-sim/impl.h"
#include "gitlab-sim/time_util.h"

namespace worklog::gitlab_sim {
namespace {

std::string Title(std::string_view message) {
  return std::string(message.substr(0, message.find('\n')));
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json NullIfZero(Id id) { return id == 0 ? json(nullptr) : json(id); }
json OptionalIso(const std::optional<TimePoint>& t) {
  return t ? json(IsoMillis(*t)) : json(nullptr);
}

json UserRef(const State& state, Id id) {
  const User* user = state.FindUser(id);
  return user == nullptr ? json(nullptr) : RenderUserBasic(state, *user);
}

json UserRefs(const State& state, const std::vector<Id>& ids) {
  json out = json::array();
  for (Id id : ids) {
    if (const User* user = state.FindUser(id)) {
      out.push_back(RenderUserBasic(state, *user));
    }
  }
  return out;
}

json TimeStats() {
  return json{{"time_estimate", 0},
              {"total_time_spent", 0},
              {"human_time_estimate", nullptr},
              {"human_total_time_spent", nullptr}};
}

std::string AvatarUrl(const User& user) {
  return "https://www.gravatar.com/avatar/" + Sha256Hex(user.email).substr(0, 32) +
         "?s=80&d=identicon";
}

}  // namespace

json RenderUserBasic(const State& state, const User& user) {
  return json{{"id", user.id},
              {"username", user.username},
              {"name", user.name},
              {"state", user.state},
              {"locked", false},
              {"avatar_url", AvatarUrl(user)},
              {"web_url", state.UserWebUrl(user)}};
}

json RenderUser(const State& state, const User& user, const Actor& viewer) {
  json out = RenderUserBasic(state, user);
  out.update(json{{"created_at", IsoMillis(user.created_at)},
                  {"bio", ""},
                  {"location", ""},
                  {"public_email", NullIfEmpty(user.public_email)},
                  {"skype", ""},
                  {"linkedin", ""},
                  {"twitter", ""},
                  {"discord", ""},
                  {"website_url", ""},
                  {"organization", ""},
                  {"job_title", ""},
                  {"pronouns", nullptr},
                  {"bot", user.bot},
                  {"work_information", nullptr},
                  {"followers", 0},
                  {"following", 0},
                  {"local_time", nullptr},
                  {"is_followed", false}});
  if (viewer.admin || viewer.user_id == user.id) {
    out.update(json{{"last_sign_in_at", nullptr},
                    {"confirmed_at", IsoMillis(user.created_at)},
                    {"last_activity_on", nullptr},
                    {"email", user.email},
                    {"theme_id", 1},
                    {"color_scheme_id", 1},
                    {"projects_limit", 100000},
                    {"current_sign_in_at", nullptr},
                    {"identities", json::array()},
                    {"can_create_group", true},
                    {"can_create_project", true},
                    {"two_factor_enabled", false},
                    {"external", false},
                    {"private_profile", false},
                    {"commit_email", state.CommitEmail(user)}});
  }
  if (viewer.admin) {
    out["is_admin"] = user.admin;
    out["note"] = nullptr;
    out["namespace_id"] = user.namespace_id;
    out["created_by"] = nullptr;
    out["email_reset_offered_at"] = nullptr;
    out["using_license_seat"] = false;
  }
  return out;
}

json RenderNamespace(const State& state, const Namespace& ns) {
  return json{{"id", ns.id},
              {"name", ns.name},
              {"path", ns.path},
              {"kind", ns.kind},
              {"full_path", ns.full_path},
              {"parent_id", ns.parent_id ? json(*ns.parent_id) : json(nullptr)},
              {"avatar_url", nullptr},
              {"web_url", state.NamespaceWebUrl(ns)}};
}

json RenderGroup(const State& state, const Namespace& group) {
  return json{{"id", group.id},
              {"web_url", state.NamespaceWebUrl(group)},
              {"name", group.name},
              {"path", group.path},
              {"description", group.description},
              {"visibility", group.visibility},
              {"share_with_group_lock", false},
              {"require_two_factor_authentication", false},
              {"two_factor_grace_period", 48},
              {"project_creation_level", "developer"},
              {"auto_devops_enabled", nullptr},
              {"subgroup_creation_level", "maintainer"},
              {"emails_disabled", false},
              {"emails_enabled", true},
              {"mentions_disabled", nullptr},
              {"lfs_enabled", true},
              {"default_branch_protection", 2},
              {"avatar_url", nullptr},
              {"request_access_enabled", true},
              {"full_name", group.full_name},
              {"full_path", group.full_path},
              {"created_at", IsoMillis(group.created_at)},
              {"parent_id", group.parent_id ? json(*group.parent_id) : json(nullptr)},
              {"organization_id", 1},
              {"shared_runners_setting", "enabled"},
              {"ldap_cn", nullptr},
              {"ldap_access", nullptr},
              {"marked_for_deletion_on", nullptr},
              {"wiki_access_level", "enabled"}};
}

json RenderProject(const State& state, const Project& project, const Actor& viewer, bool simple) {
  const Namespace* ns = state.FindNamespace(project.namespace_id);
  const std::string web = state.ProjectWebUrl(project);
  std::string host = state.external_url();
  if (const auto scheme = host.find("://"); scheme != std::string::npos) {
    host = host.substr(scheme + 3);
  }
  host = host.substr(0, host.find(':'));  // ssh URLs name the host without the HTTP port
  json out{
      {"id", project.id},
      {"description", project.description},
      {"name", project.name},
      {"name_with_namespace", state.ProjectNameWithNamespace(project)},
      {"path", project.path},
      {"path_with_namespace", state.ProjectPath(project)},
      {"created_at", IsoMillis(project.created_at)},
      {"default_branch", project.branches.empty() ? json(nullptr) : json(project.default_branch)},
      {"tag_list", json::array()},
      {"topics", json::array()},
      {"ssh_url_to_repo", "git@" + host + ":" + state.ProjectPath(project) + ".git"},
      {"http_url_to_repo", web + ".git"},
      {"web_url", web},
      {"readme_url", nullptr},
      {"forks_count", 0},
      {"avatar_url", nullptr},
      {"star_count", 0},
      {"last_activity_at", IsoMillis(project.last_activity_at)},
      {"namespace", ns != nullptr ? RenderNamespace(state, *ns) : json(nullptr)}};
  if (simple) {
    return out;
  }
  const std::string api = state.external_url() + "/api/v4/projects/" + std::to_string(project.id);
  out.update(json{{"container_registry_image_prefix", host + "/" + state.ProjectPath(project)},
                  {"_links",
                   {{"self", api},
                    {"issues", api + "/issues"},
                    {"merge_requests", api + "/merge_requests"},
                    {"repo_branches", api + "/repository/branches"},
                    {"labels", api + "/labels"},
                    {"events", api + "/events"},
                    {"members", api + "/members"},
                    {"cluster_agents", api + "/cluster_agents"}}},
                  {"packages_enabled", true},
                  {"empty_repo", project.branches.empty()},
                  {"archived", project.archived},
                  {"visibility", project.visibility},
                  {"resolve_outdated_diff_discussions", false},
                  {"container_registry_enabled", true},
                  {"issues_enabled", true},
                  {"merge_requests_enabled", true},
                  {"wiki_enabled", true},
                  {"jobs_enabled", true},
                  {"snippets_enabled", true},
                  {"can_create_merge_request_in", true},
                  {"issues_access_level", "enabled"},
                  {"repository_access_level", "enabled"},
                  {"merge_requests_access_level", "enabled"},
                  {"wiki_access_level", "enabled"},
                  {"builds_access_level", "enabled"},
                  {"snippets_access_level", "enabled"},
                  {"shared_runners_enabled", true},
                  {"lfs_enabled", true},
                  {"creator_id", project.creator_id},
                  {"import_status", "none"},
                  {"open_issues_count", std::count_if(state.issues().begin(), state.issues().end(),
                                                      [&project](const auto& kv) {
                                                        return kv.second.project_id == project.id &&
                                                               kv.second.state == "opened";
                                                      })},
                  {"ci_default_git_depth", 20},
                  {"public_jobs", true},
                  {"shared_with_groups", json::array()},
                  {"only_allow_merge_if_pipeline_succeeds", false},
                  {"allow_merge_on_skipped_pipeline", nullptr},
                  {"request_access_enabled", true},
                  {"only_allow_merge_if_all_discussions_are_resolved", false},
                  {"remove_source_branch_after_merge", true},
                  {"printing_merge_request_link_enabled", true},
                  {"merge_method", "merge"},
                  {"squash_option", "default_off"},
                  {"auto_devops_enabled", false},
                  {"auto_devops_deploy_strategy", "continuous"},
                  {"autoclose_referenced_issues", true},
                  {"keep_latest_artifact", true},
                  {"emails_disabled", false},
                  {"emails_enabled", true},
                  {"marked_for_deletion_at", nullptr},
                  {"marked_for_deletion_on", nullptr}});
  if (ns != nullptr && ns->kind == "user") {
    if (const User* owner = state.FindUser(ns->owner_user_id)) {
      out["owner"] = RenderUserBasic(state, *owner);
    }
  }
  if (viewer.user_id != 0) {
    int project_level = state.DirectProjectAccess(viewer.user_id, project.id);
    int group_level = kNoAccess;
    if (ns != nullptr && ns->kind == "user" && ns->owner_user_id == viewer.user_id) {
      project_level = std::max(project_level, kOwner);
    } else if (ns != nullptr && ns->kind == "group") {
      group_level = state.GroupAccess(viewer.user_id, *ns);
    }
    auto access = [](int level) {
      return level == kNoAccess ? json(nullptr)
                                : json{{"access_level", level}, {"notification_level", 3}};
    };
    out["permissions"] = {{"project_access", access(project_level)},
                          {"group_access", access(group_level)}};
  }
  return out;
}

json RenderNote(const State& state, const Note& note) {
  json out{{"id", note.id},
           {"type", nullptr},
           {"body", note.body},
           {"attachment", nullptr},
           {"author", UserRef(state, note.author_id)},
           {"created_at", IsoMillis(note.created_at)},
           {"updated_at", IsoMillis(note.updated_at)},
           {"system", note.system},
           {"noteable_id", NullIfZero(note.noteable_id)},
           {"noteable_type", note.noteable_type},
           {"project_id", note.project_id},
           {"resolvable", false},
           {"confidential", false},
           {"internal", false},
           {"imported", false},
           {"imported_from", "none"},
           {"noteable_iid", NullIfZero(note.noteable_iid)},
           {"commands_changes", json::object()}};
  if (note.noteable_type == "Commit") {
    out["commit_id"] = note.commit_sha;
  }
  return out;
}

json RenderEvent(const State& state, const Event& event) {
  const User* author = state.FindUser(event.author_id);
  json out{{"id", event.id},
           {"project_id", event.project_id},
           {"action_name", event.action_name},
           {"target_id", NullIfZero(event.target_id)},
           {"target_iid", NullIfZero(event.target_iid)},
           {"target_type", NullIfEmpty(event.target_type)},
           {"author_id", event.author_id},
           {"target_title", NullIfEmpty(event.target_title)},
           {"created_at", IsoMillis(event.created_at)},
           {"author", author != nullptr ? RenderUserBasic(state, *author) : json(nullptr)},
           {"imported", false},
           {"imported_from", "none"},
           {"author_username", author != nullptr ? json(author->username) : json(nullptr)}};
  if (event.push) {
    const PushData& p = *event.push;
    out["push_data"] = {{"commit_count", p.commit_count},
                        {"action", p.action},
                        {"ref_type", p.ref_type},
                        {"commit_from", NullIfEmpty(p.commit_from)},
                        {"commit_to", NullIfEmpty(p.commit_to)},
                        {"ref", p.ref},
                        {"commit_title", NullIfEmpty(p.commit_title)},
                        {"ref_count", nullptr}};
  }
  if (event.note_id != 0) {
    if (const Note* note = state.FindNote(event.note_id)) {
      out["note"] = RenderNote(state, *note);
    }
  }
  return out;
}

json RenderCommit(const State& state, const Project& project, const Commit& commit,
                  bool with_stats) {
  json out{{"id", commit.sha},
           {"short_id", commit.sha.substr(0, 8)},
           {"created_at", IsoMillisOffset(commit.committed_at)},
           {"parent_ids", commit.parents},
           {"title", Title(commit.message)},
           {"message", commit.message},
           {"author_name", commit.author_name},
           {"author_email", commit.author_email},
           {"authored_date", IsoMillisOffset(commit.authored_at)},
           {"committer_name", commit.committer_name},
           {"committer_email", commit.committer_email},
           {"committed_date", IsoMillisOffset(commit.committed_at)},
           {"trailers", json::object()},
           {"extended_trailers", json::object()},
           {"web_url", state.ProjectWebUrl(project) + "/-/commit/" + commit.sha}};
  if (with_stats) {
    int additions = 0;
    for (const auto* list : {&commit.added, &commit.modified}) {
      for (const std::string& file : *list) {
        const auto it = commit.tree.find(file);
        if (it != commit.tree.end()) {
          additions += 1 + static_cast<int>(std::count(it->second.begin(), it->second.end(), '\n'));
        }
      }
    }
    const int deletions = static_cast<int>(commit.removed.size() + commit.modified.size());
    out["stats"] = {
        {"additions", additions}, {"deletions", deletions}, {"total", additions + deletions}};
  }
  return out;
}

json RenderMergeRequest(const State& state, const Project& project, const MergeRequest& mr) {
  const std::string full = state.ProjectPath(project) + "!" + std::to_string(mr.iid);
  const std::string short_ref = "!" + std::to_string(mr.iid);
  const auto notes =
      std::count_if(state.notes().begin(), state.notes().end(), [&mr](const auto& kv) {
        return kv.second.noteable_type == "MergeRequest" && kv.second.noteable_id == mr.id &&
               !kv.second.system;
      });
  const json assignees = UserRefs(state, mr.assignee_ids);
  return json{
      {"id", mr.id},
      {"iid", mr.iid},
      {"project_id", mr.project_id},
      {"title", mr.title},
      {"description", mr.description},
      {"state", mr.state},
      {"created_at", IsoMillis(mr.created_at)},
      {"updated_at", IsoMillis(mr.updated_at)},
      {"merged_by", UserRef(state, mr.merged_by)},
      {"merge_user", UserRef(state, mr.merged_by)},
      {"merged_at", OptionalIso(mr.merged_at)},
      {"closed_by", UserRef(state, mr.closed_by)},
      {"closed_at", OptionalIso(mr.closed_at)},
      {"target_branch", mr.target_branch},
      {"source_branch", mr.source_branch},
      {"user_notes_count", notes},
      {"upvotes", 0},
      {"downvotes", 0},
      {"author", UserRef(state, mr.author_id)},
      {"assignees", assignees},
      {"assignee", assignees.empty() ? json(nullptr) : assignees[0]},
      {"reviewers", UserRefs(state, mr.reviewer_ids)},
      {"source_project_id", mr.project_id},
      {"target_project_id", mr.project_id},
      {"labels", mr.labels},
      {"draft", false},
      {"work_in_progress", false},
      {"milestone", nullptr},
      {"merge_when_pipeline_succeeds", false},
      {"merge_status", mr.state == "opened" ? "can_be_merged" : "unchecked"},
      {"detailed_merge_status", mr.state == "opened" ? "mergeable" : "not_open"},
      {"sha", mr.sha},
      {"merge_commit_sha", NullIfEmpty(mr.merge_commit_sha)},
      {"squash_commit_sha", nullptr},
      {"discussion_locked", nullptr},
      {"should_remove_source_branch", nullptr},
      {"force_remove_source_branch", true},
      {"prepared_at", IsoMillis(mr.created_at)},
      {"reference", short_ref},
      {"references", {{"short", short_ref}, {"relative", short_ref}, {"full", full}}},
      {"web_url", state.ProjectWebUrl(project) + "/-/merge_requests/" + std::to_string(mr.iid)},
      {"time_stats", TimeStats()},
      {"squash", false},
      {"squash_on_merge", false},
      {"task_completion_status", {{"count", 0}, {"completed_count", 0}}},
      {"has_conflicts", false},
      {"blocking_discussions_resolved", true},
      {"approvals_before_merge", nullptr}};
}

json RenderIssue(const State& state, const Project& project, const Issue& issue) {
  const std::string full = state.ProjectPath(project) + "#" + std::to_string(issue.iid);
  const std::string short_ref = "#" + std::to_string(issue.iid);
  const std::string api = state.external_url() + "/api/v4/projects/" + std::to_string(project.id) +
                          "/issues/" + std::to_string(issue.iid);
  const auto notes =
      std::count_if(state.notes().begin(), state.notes().end(), [&issue](const auto& kv) {
        return kv.second.noteable_type == "Issue" && kv.second.noteable_id == issue.id;
      });
  const json assignees = UserRefs(state, issue.assignee_ids);
  return json{
      {"id", issue.id},
      {"iid", issue.iid},
      {"project_id", issue.project_id},
      {"title", issue.title},
      {"description", issue.description},
      {"state", issue.state},
      {"created_at", IsoMillis(issue.created_at)},
      {"updated_at", IsoMillis(issue.updated_at)},
      {"closed_at", OptionalIso(issue.closed_at)},
      {"closed_by", UserRef(state, issue.closed_by)},
      {"labels", issue.labels},
      {"milestone", nullptr},
      {"assignees", assignees},
      {"author", UserRef(state, issue.author_id)},
      {"type", "ISSUE"},
      {"assignee", assignees.empty() ? json(nullptr) : assignees[0]},
      {"user_notes_count", notes},
      {"merge_requests_count", 0},
      {"upvotes", 0},
      {"downvotes", 0},
      {"due_date", nullptr},
      {"confidential", false},
      {"discussion_locked", nullptr},
      {"issue_type", "issue"},
      {"web_url", state.ProjectWebUrl(project) + "/-/issues/" + std::to_string(issue.iid)},
      {"time_stats", TimeStats()},
      {"task_completion_status", {{"count", 0}, {"completed_count", 0}}},
      {"has_tasks", false},
      {"_links",
       {{"self", api},
        {"notes", api + "/notes"},
        {"award_emoji", api + "/award_emoji"},
        {"project", state.external_url() + "/api/v4/projects/" + std::to_string(project.id)},
        {"closed_as_duplicate_of", nullptr}}},
      {"references", {{"short", short_ref}, {"relative", short_ref}, {"full", full}}},
      {"severity", "UNKNOWN"},
      {"moved_to_id", nullptr},
      {"service_desk_reply_to", nullptr}};
}

json RenderHook(const State& state, const Hook& hook) {
  return json{{"id", hook.id},
              {"url", hook.url},
              {"name", hook.name},
              {"description", hook.description},
              {"created_at", IsoMillis(hook.created_at)},
              {"push_events", hook.push_events},
              {"push_events_branch_filter", hook.push_events_branch_filter},
              {"branch_filter_strategy", hook.branch_filter_strategy},
              {"tag_push_events", hook.tag_push_events},
              {"merge_requests_events", hook.merge_requests_events},
              {"note_events", hook.note_events},
              {"confidential_note_events", hook.confidential_note_events},
              {"issues_events", hook.issues_events},
              {"confidential_issues_events", hook.confidential_issues_events},
              {"job_events", hook.job_events},
              {"pipeline_events", hook.pipeline_events},
              {"wiki_page_events", hook.wiki_page_events},
              {"deployment_events", hook.deployment_events},
              {"releases_events", hook.releases_events},
              {"feature_flag_events", false},
              {"emoji_events", false},
              {"resource_access_token_events", false},
              {"repository_update_events", false},
              {"enable_ssl_verification", hook.enable_ssl_verification},
              {"alert_status", state.HookAlertStatus(hook)},
              {"disabled_until", OptionalIso(hook.disabled_until)},
              {"url_variables", json::array()},
              {"custom_webhook_template", ""},
              {"custom_headers", json::array()},
              {"project_id", hook.project_id}};
}

json RenderMember(const State& state, const User& user, const Member& member) {
  json out = RenderUserBasic(state, user);
  out.update(json{{"access_level", member.access_level},
                  {"created_at", IsoMillis(member.created_at)},
                  {"created_by", UserRef(state, member.created_by)},
                  {"expires_at", nullptr},
                  {"group_saml_identity", nullptr},
                  {"membership_state", "active"}});
  return out;
}

json RenderApprovals(const State& state, const Project& project, const MergeRequest& mr) {
  json approved_by = json::array();
  for (Id id : mr.approved_by) {
    approved_by.push_back({{"user", UserRef(state, id)}});
  }
  return json{{"id", mr.id},
              {"iid", mr.iid},
              {"project_id", project.id},
              {"title", mr.title},
              {"description", mr.description},
              {"state", mr.state},
              {"created_at", IsoMillis(mr.created_at)},
              {"updated_at", IsoMillis(mr.updated_at)},
              {"merge_status", mr.state == "opened" ? "can_be_merged" : "unchecked"},
              {"approved", !mr.approved_by.empty()},
              {"approvals_required", 0},
              {"approvals_left", 0},
              {"approved_by", approved_by}};
}

}  // namespace worklog::gitlab_sim
