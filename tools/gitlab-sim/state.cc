#include "gitlab-sim/state.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "gitlab-sim/time_util.h"

// Events are built with designated initializers that leave the fields they do not need at
// their defaults, which -Wextra would flag.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace worklog::gitlab_sim {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsNumber(std::string_view s) {
  return !s.empty() && s.size() < 19 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > 255 || path.front() == '-' || path.front() == '.' ||
      path.back() == '.') {
    return false;
  }
  return std::all_of(path.begin(), path.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
  });
}

std::string Title(std::string_view message) {
  const auto nl = message.find('\n');
  return std::string(message.substr(0, nl));
}

std::string RandomHex() { return Sha256Hex(RandomToken(32)); }

}  // namespace

std::string NewUuid() {
  const std::string hex = RandomHex();
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) + "-a" +
         hex.substr(17, 3) + "-" + hex.substr(20, 12);
}

namespace {

// GitLab's wildcard branch filter: '*' matches any run of characters.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) {
    return text.empty();
  }
  if (pattern.front() == '*') {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (WildcardMatch(pattern.substr(1), text.substr(i))) {
        return true;
      }
    }
    return false;
  }
  return !text.empty() && pattern.front() == text.front() &&
         WildcardMatch(pattern.substr(1), text.substr(1));
}

int VisibilityLevel(const std::string& visibility) {
  if (visibility == "public") {
    return 20;
  }
  return visibility == "internal" ? 10 : 0;
}

}  // namespace

State::State(const Clock& clock, std::string external_url)
    : clock_(clock), external_url_(std::move(external_url)) {}

TimePoint State::Now() const { return clock_.Now(); }

Id State::NextId(const char* kind) { return ++counters_[kind]; }

std::string State::NewSha() {
  return fmt::format("{:016x}{:016x}{:08x}", rng_(), rng_(), static_cast<std::uint32_t>(rng_()));
}

// --- look-ups ----------------------------------------------------------------------------

const User* State::FindUser(Id id) const {
  const auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

const User* State::FindUserByUsername(std::string_view username) const {
  const std::string wanted = Lower(username);
  for (const auto& [id, user] : users_) {
    if (Lower(user.username) == wanted) {
      return &user;
    }
  }
  return nullptr;
}

const User* State::FindUserByLogin(std::string_view login) const {
  if (const User* user = FindUserByUsername(login)) {
    return user;
  }
  const std::string wanted = Lower(login);
  for (const auto& [id, user] : users_) {
    if (Lower(user.email) == wanted) {
      return &user;
    }
  }
  return nullptr;
}

const Namespace* State::FindNamespace(Id id) const {
  const auto it = namespaces_.find(id);
  return it == namespaces_.end() ? nullptr : &it->second;
}

const Namespace* State::FindNamespaceByPath(std::string_view full_path) const {
  const std::string wanted = Lower(full_path);
  for (const auto& [id, ns] : namespaces_) {
    if (Lower(ns.full_path) == wanted) {
      return &ns;
    }
  }
  return nullptr;
}

const Project* State::FindProject(Id id) const {
  const auto it = projects_.find(id);
  return it == projects_.end() ? nullptr : &it->second;
}

const Project* State::FindProjectByRef(std::string_view ref) const {
  if (IsNumber(ref)) {
    return FindProject(std::stoll(std::string(ref)));
  }
  const std::string wanted = Lower(ref);
  for (const auto& [id, project] : projects_) {
    if (Lower(ProjectPath(project)) == wanted) {
      return &project;
    }
  }
  return nullptr;
}

const Namespace* State::FindGroupByRef(std::string_view ref) const {
  const Namespace* ns =
      IsNumber(ref) ? FindNamespace(std::stoll(std::string(ref))) : FindNamespaceByPath(ref);
  return ns != nullptr && ns->kind == "group" ? ns : nullptr;
}

const Commit* State::FindCommit(Id project_id, std::string_view sha_or_ref) const {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return nullptr;
  }
  std::string sha(sha_or_ref);
  if (const auto branch = project->branches.find(sha); branch != project->branches.end()) {
    sha = branch->second;
  }
  const std::string prefix = fmt::format("{}:", project_id);
  if (const auto it = commits_.find(prefix + sha); it != commits_.end()) {
    return &it->second;
  }
  if (sha.size() >= 7) {  // a short sha
    for (auto it = commits_.lower_bound(prefix + sha);
         it != commits_.end() &&
         it->first.compare(0, prefix.size() + sha.size(), prefix + sha) == 0;
         ++it) {
      return &it->second;
    }
  }
  return nullptr;
}

const MergeRequest* State::FindMergeRequest(Id project_id, Id iid) const {
  for (const auto& [id, mr] : merge_requests_) {
    if (mr.project_id == project_id && mr.iid == iid) {
      return &mr;
    }
  }
  return nullptr;
}

const Issue* State::FindIssue(Id project_id, Id iid) const {
  for (const auto& [id, issue] : issues_) {
    if (issue.project_id == project_id && issue.iid == iid) {
      return &issue;
    }
  }
  return nullptr;
}

const Note* State::FindNote(Id id) const {
  const auto it = notes_.find(id);
  return it == notes_.end() ? nullptr : &it->second;
}

const Application* State::FindApplicationByUid(std::string_view uid) const {
  for (const auto& [id, app] : applications_) {
    if (ConstantTimeEquals(app.uid, uid)) {
      return &app;
    }
  }
  return nullptr;
}

const std::map<Id, Member>& State::project_members(Id project_id) const {
  static const std::map<Id, Member> empty;
  const auto it = project_members_.find(project_id);
  return it == project_members_.end() ? empty : it->second;
}

const std::map<Id, Member>& State::group_members(Id group_id) const {
  static const std::map<Id, Member> empty;
  const auto it = group_members_.find(group_id);
  return it == group_members_.end() ? empty : it->second;
}

// --- access ------------------------------------------------------------------------------

int State::DirectProjectAccess(Id user_id, Id project_id) const {
  const auto& members = project_members(project_id);
  const auto it = members.find(user_id);
  return it == members.end() ? kNoAccess : it->second.access_level;
}

int State::DirectGroupAccess(Id user_id, Id group_id) const {
  const auto& members = group_members(group_id);
  const auto it = members.find(user_id);
  return it == members.end() ? kNoAccess : it->second.access_level;
}

int State::GroupAccess(Id user_id, const Namespace& group) const {
  if (user_id == 0) {
    return kNoAccess;
  }
  int level = kNoAccess;
  const Namespace* ns = &group;
  while (ns != nullptr) {
    level = std::max(level, DirectGroupAccess(user_id, ns->id));
    ns = ns->parent_id ? FindNamespace(*ns->parent_id) : nullptr;
  }
  return level;
}

int State::ProjectAccess(Id user_id, const Project& project) const {
  if (user_id == 0) {
    return kNoAccess;
  }
  int level = DirectProjectAccess(user_id, project.id);
  const Namespace* ns = FindNamespace(project.namespace_id);
  if (ns != nullptr && ns->kind == "user") {
    if (ns->owner_user_id == user_id) {
      level = std::max(level, kOwner);
    }
  } else if (ns != nullptr) {
    level = std::max(level, GroupAccess(user_id, *ns));
  }
  return level;
}

bool State::CanReadProject(const Actor& actor, const Project& project) const {
  if (actor.admin || project.visibility == "public") {
    return true;
  }
  if (project.visibility == "internal" && actor.user_id != 0) {
    return true;
  }
  return ProjectAccess(actor.user_id, project) >= kGuest;
}

bool State::CanReadCode(const Actor& actor, const Project& project) const {
  if (actor.admin || project.visibility == "public") {
    return true;
  }
  if (project.visibility == "internal" && actor.user_id != 0) {
    return true;
  }
  return ProjectAccess(actor.user_id, project) >= kReporter;
}

bool State::CanReadGroup(const Actor& actor, const Namespace& group) const {
  if (actor.admin || group.visibility == "public") {
    return true;
  }
  if (group.visibility == "internal" && actor.user_id != 0) {
    return true;
  }
  if (GroupAccess(actor.user_id, group) >= kGuest) {
    return true;
  }
  // Members of a project inside the group (or a subgroup) see the group too.
  for (const auto& [id, project] : projects_) {
    for (const Namespace* ns = FindNamespace(project.namespace_id); ns != nullptr;
         ns = ns->parent_id ? FindNamespace(*ns->parent_id) : nullptr) {
      if (ns->id == group.id) {
        if (DirectProjectAccess(actor.user_id, project.id) >= kGuest) {
          return true;
        }
        break;
      }
    }
  }
  return false;
}

std::string State::ProjectPath(const Project& project) const {
  const Namespace* ns = FindNamespace(project.namespace_id);
  return (ns != nullptr ? ns->full_path + "/" : std::string()) + project.path;
}

std::string State::ProjectNameWithNamespace(const Project& project) const {
  const Namespace* ns = FindNamespace(project.namespace_id);
  return (ns != nullptr ? ns->full_name + " / " : std::string()) + project.name;
}

std::string State::ProjectWebUrl(const Project& project) const {
  return external_url_ + "/" + ProjectPath(project);
}

std::string State::UserWebUrl(const User& user) const {
  return external_url_ + "/" + user.username;
}

std::string State::NamespaceWebUrl(const Namespace& ns) const {
  return external_url_ + (ns.kind == "group" ? "/groups/" : "/") + ns.full_path;
}

std::string State::CommitEmail(const User& user) const {
  return user.commit_email.empty() ? user.email : user.commit_email;
}

std::vector<std::string> State::Emails(const User& user) const {
  std::vector<std::string> out{user.email};
  for (const std::string& e : {user.public_email, user.commit_email}) {
    if (!e.empty() && std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  }
  for (const std::string& e : user.secondary_emails) {
    if (std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  }
  return out;
}

// --- commits -----------------------------------------------------------------------------

std::optional<std::vector<const Commit*>> State::CommitsReachable(const Project& project,
                                                                  std::string_view ref) const {
  std::set<std::string> excluded;
  std::string_view head = ref;
  if (const auto dots = ref.find(".."); dots != std::string_view::npos) {
    const std::string_view from = ref.substr(0, dots);
    head = ref.substr(dots + (ref.substr(dots).rfind("...", 0) == 0 ? 3 : 2));
    const auto before = CommitsReachable(project, from);
    if (!before) {
      return std::nullopt;
    }
    for (const Commit* c : *before) {
      excluded.insert(c->sha);
    }
  }
  const Commit* start = FindCommit(project.id, head);
  if (start == nullptr) {
    return std::nullopt;
  }
  std::vector<const Commit*> out;
  std::set<std::string> seen;
  std::deque<const Commit*> queue{start};
  while (!queue.empty()) {
    const Commit* c = queue.front();
    queue.pop_front();
    if (!seen.insert(c->sha).second) {
      continue;
    }
    if (excluded.count(c->sha) == 0) {
      out.push_back(c);
    }
    for (const std::string& parent : c->parents) {
      if (const Commit* p = FindCommit(project.id, parent)) {
        queue.push_back(p);
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Commit* a, const Commit* b) {
    return a->committed_at > b->committed_at;
  });
  return out;
}

std::vector<const Commit*> State::AllCommits(const Project& project) const {
  std::vector<const Commit*> out;
  const std::string prefix = fmt::format("{}:", project.id);
  for (auto it = commits_.lower_bound(prefix);
       it != commits_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.push_back(&it->second);
  }
  std::stable_sort(out.begin(), out.end(), [](const Commit* a, const Commit* b) {
    return a->committed_at > b->committed_at;
  });
  return out;
}

// --- users, tokens, applications -------------------------------------------------------

Result<const User*> State::CreateUser(const NewUser& input) {
  if (input.email.empty()) {
    return InvalidArgument("email", "is missing");
  }
  if (input.username.empty()) {
    return InvalidArgument("username", "is missing");
  }
  if (input.name.empty()) {
    return InvalidArgument("name", "is missing");
  }
  if (!ValidPath(input.username)) {
    return InvalidArgument("username", "can contain only letters, digits, '_', '-' and '.'");
  }
  if (!input.password.empty() && input.password.size() < 8) {
    return InvalidArgument("password", "is too short (minimum is 8 characters)");
  }
  if (FindUserByUsername(input.username) != nullptr ||
      FindNamespaceByPath(input.username) != nullptr) {
    return Conflict("Username has already been taken");
  }
  for (const auto& [id, user] : users_) {
    for (const std::string& e : Emails(user)) {
      if (Lower(e) == Lower(input.email)) {
        return Conflict("Email has already been taken");
      }
    }
  }
  User user;
  user.id = NextId("user");
  user.username = input.username;
  user.name = input.name;
  user.email = input.email;
  user.public_email = input.public_email;
  user.commit_email = input.commit_email;
  user.admin = input.admin;
  user.created_at = input.created_at.value_or(Now());
  user.password_salt = RandomToken(12);
  user.password_hash =
      Sha256Hex(user.password_salt + (input.password.empty() ? RandomToken(24) : input.password));
  Namespace ns;
  ns.id = NextId("namespace");
  ns.kind = "user";
  ns.name = user.name;
  ns.path = user.username;
  ns.full_path = user.username;
  ns.full_name = user.name;
  ns.owner_user_id = user.id;
  ns.created_at = user.created_at;
  user.namespace_id = ns.id;
  namespaces_.emplace(ns.id, ns);
  const auto [it, inserted] = users_.emplace(user.id, std::move(user));
  return &it->second;
}

Status State::AddEmail(Id user_id, const std::string& email) {
  auto it = users_.find(user_id);
  if (it == users_.end()) {
    return NotFound("404 User Not Found");
  }
  for (const auto& [id, user] : users_) {
    for (const std::string& e : Emails(user)) {
      if (Lower(e) == Lower(email)) {
        return Conflict("Email has already been taken");
      }
    }
  }
  it->second.secondary_emails.push_back(email);
  return {};
}

bool State::CheckPassword(const User& user, std::string_view password) const {
  return ConstantTimeEquals(user.password_hash,
                            Sha256Hex(user.password_salt + std::string(password)));
}

Result<const PersonalAccessToken*> State::CreatePersonalAccessToken(
    Id user_id, std::string name, std::vector<std::string> scopes,
    std::optional<TimePoint> expires_at, std::string token) {
  if (FindUser(user_id) == nullptr) {
    return NotFound("404 User Not Found");
  }
  if (name.empty()) {
    return InvalidArgument("name", "is missing");
  }
  if (scopes.empty()) {
    return InvalidArgument("scopes", "is missing");
  }
  PersonalAccessToken pat;
  pat.id = NextId("personal_access_token");
  pat.name = std::move(name);
  pat.token = token.empty() ? "glpat-" + RandomToken(15) : std::move(token);
  pat.user_id = user_id;
  pat.scopes = std::move(scopes);
  pat.created_at = Now();
  pat.expires_at = expires_at;
  const auto [it, inserted] = personal_access_tokens_.emplace(pat.id, std::move(pat));
  return &it->second;
}

const PersonalAccessToken* State::FindPersonalAccessToken(std::string_view token) const {
  for (const auto& [id, pat] : personal_access_tokens_) {
    if (ConstantTimeEquals(pat.token, token)) {
      return &pat;
    }
  }
  return nullptr;
}

void State::TouchPersonalAccessToken(Id id) {
  if (auto it = personal_access_tokens_.find(id); it != personal_access_tokens_.end()) {
    it->second.last_used_at = Now();
  }
}

Status State::RevokePersonalAccessToken(Id id) {
  auto it = personal_access_tokens_.find(id);
  if (it == personal_access_tokens_.end()) {
    return NotFound("404 Personal Access Token Not Found");
  }
  it->second.revoked = true;
  return {};
}

Result<const Application*> State::CreateApplication(std::string name,
                                                    std::vector<std::string> redirect_uris,
                                                    std::vector<std::string> scopes,
                                                    bool confidential, std::string uid,
                                                    std::string secret) {
  if (name.empty()) {
    return InvalidArgument("name", "is missing");
  }
  if (redirect_uris.empty()) {
    return InvalidArgument("redirect_uri", "is missing");
  }
  if (scopes.empty()) {
    return InvalidArgument("scopes", "is missing");
  }
  Application app;
  app.id = NextId("application");
  app.name = std::move(name);
  app.redirect_uris = std::move(redirect_uris);
  app.scopes = std::move(scopes);
  app.confidential = confidential;
  app.uid = uid.empty() ? RandomHex() : std::move(uid);
  app.secret = secret.empty() ? "gloas-" + RandomHex() : std::move(secret);
  app.created_at = Now();
  const auto [it, inserted] = applications_.emplace(app.id, std::move(app));
  return &it->second;
}

Status State::DeleteApplication(Id id) {
  if (applications_.erase(id) == 0) {
    return NotFound("404 Application Not Found");
  }
  std::erase_if(oauth_tokens_, [id](const auto& kv) { return kv.second.application_id == id; });
  std::erase_if(grants_, [id](const auto& kv) { return kv.second.application_id == id; });
  return {};
}

const Grant& State::CreateGrant(Id application_id, Id user_id, std::string redirect_uri,
                                std::vector<std::string> scopes, std::string code_challenge,
                                std::string code_challenge_method) {
  Grant grant;
  grant.code = RandomHex();
  grant.application_id = application_id;
  grant.user_id = user_id;
  grant.redirect_uri = std::move(redirect_uri);
  grant.scopes = std::move(scopes);
  grant.code_challenge = std::move(code_challenge);
  grant.code_challenge_method = std::move(code_challenge_method);
  grant.created_at = Now();
  const auto [it, inserted] = grants_.emplace(grant.code, std::move(grant));
  return it->second;
}

Grant* State::FindGrant(std::string_view code) {
  const auto it = grants_.find(std::string(code));
  return it == grants_.end() ? nullptr : &it->second;
}

const OAuthToken& State::CreateOAuthToken(Id application_id, Id user_id,
                                          std::vector<std::string> scopes) {
  OAuthToken token;
  token.id = NextId("oauth_token");
  token.token = RandomHex();
  token.refresh_token = RandomHex();
  token.user_id = user_id;
  token.application_id = application_id;
  token.scopes = std::move(scopes);
  token.created_at = Now();
  const auto [it, inserted] = oauth_tokens_.emplace(token.id, std::move(token));
  return it->second;
}

OAuthToken* State::FindOAuthToken(std::string_view access_token) {
  for (auto& [id, token] : oauth_tokens_) {
    if (ConstantTimeEquals(token.token, access_token)) {
      return &token;
    }
  }
  return nullptr;
}

OAuthToken* State::FindOAuthTokenByRefresh(std::string_view refresh_token) {
  for (auto& [id, token] : oauth_tokens_) {
    if (ConstantTimeEquals(token.refresh_token, refresh_token)) {
      return &token;
    }
  }
  return nullptr;
}

bool State::HasMatchingOAuthToken(Id application_id, Id user_id,
                                  const std::vector<std::string>& scopes) const {
  for (const auto& [id, token] : oauth_tokens_) {
    if (token.application_id == application_id && token.user_id == user_id && !token.revoked) {
      const std::set<std::string> have(token.scopes.begin(), token.scopes.end());
      const std::set<std::string> want(scopes.begin(), scopes.end());
      if (have == want) {
        return true;
      }
    }
  }
  return false;
}

bool State::OAuthTokenExpired(const OAuthToken& token) const {
  return Now() >= token.created_at + std::chrono::seconds{token.expires_in};
}

int State::RevokeUserTokens(Id user_id) {
  int count = 0;
  for (auto& [id, token] : oauth_tokens_) {
    if (token.user_id == user_id && !token.revoked) {
      token.revoked = true;
      ++count;
    }
  }
  for (auto& [id, pat] : personal_access_tokens_) {
    if (pat.user_id == user_id && !pat.revoked) {
      pat.revoked = true;
      ++count;
    }
  }
  return count;
}

int State::ExpireUserOAuthTokens(Id user_id) {
  int count = 0;
  for (auto& [id, token] : oauth_tokens_) {
    if (token.user_id == user_id && !token.revoked && !OAuthTokenExpired(token)) {
      token.created_at = Now() - std::chrono::seconds{token.expires_in + 1};
      ++count;
    }
  }
  return count;
}

std::string State::CreateSession(Id user_id, std::string return_to) {
  std::string id = RandomToken(24);
  sessions_[id] = Session{user_id, std::move(return_to)};
  return id;
}

Session* State::FindSession(std::string_view id) {
  const auto it = sessions_.find(std::string(id));
  return it == sessions_.end() ? nullptr : &it->second;
}

void State::EndSession(std::string_view id) { sessions_.erase(std::string(id)); }

// --- groups, projects, members -----------------------------------------------------------

Result<const Namespace*> State::CreateGroup(const Actor& actor, std::string name, std::string path,
                                            std::optional<Id> parent_id, std::string visibility,
                                            std::string description,
                                            std::optional<TimePoint> created_at) {
  if (actor.user_id == 0) {
    return Unauthenticated("401 Unauthorized");
  }
  if (name.empty()) {
    return InvalidArgument("name", "is missing");
  }
  if (path.empty()) {
    return InvalidArgument("path", "is missing");
  }
  if (!ValidPath(path)) {
    return InvalidArgument("path", "can contain only letters, digits, '_', '-' and '.'");
  }
  const Namespace* parent = nullptr;
  if (parent_id) {
    parent = FindNamespace(*parent_id);
    if (parent == nullptr || parent->kind != "group" || !CanReadGroup(actor, *parent)) {
      return NotFound("404 Group Not Found");
    }
    if (!actor.admin && GroupAccess(actor.user_id, *parent) < kMaintainer) {
      return PermissionDenied("403 Forbidden");
    }
  }
  const std::string full_path = parent != nullptr ? parent->full_path + "/" + path : path;
  if (FindNamespaceByPath(full_path) != nullptr) {
    return InvalidArgument("path", "has already been taken");
  }
  Namespace ns;
  ns.id = NextId("namespace");
  ns.kind = "group";
  ns.name = std::move(name);
  ns.path = std::move(path);
  ns.full_path = full_path;
  ns.full_name = parent != nullptr ? parent->full_name + " / " + ns.name : ns.name;
  ns.parent_id = parent_id;
  ns.visibility = visibility.empty() ? "private" : std::move(visibility);
  ns.description = std::move(description);
  ns.created_at = created_at.value_or(Now());
  const Id id = ns.id;
  namespaces_.emplace(id, std::move(ns));
  // The creator becomes the group's Owner (unless a parent already makes them one).
  const Namespace& created = namespaces_.at(id);
  if (GroupAccess(actor.user_id, created) < kOwner) {
    group_members_[id][actor.user_id] = Member{kOwner, created.created_at, actor.user_id};
  }
  return &created;
}

Result<const Project*> State::CreateProject(const Actor& actor, std::string name, std::string path,
                                            std::optional<Id> namespace_id, std::string visibility,
                                            std::string description, std::string default_branch,
                                            bool initialize_with_readme,
                                            std::optional<TimePoint> created_at) {
  if (actor.user_id == 0) {
    return Unauthenticated("401 Unauthorized");
  }
  if (name.empty() && path.empty()) {
    return InvalidArgument("name",
                           "is missing, path is missing, exactly one parameter must be provided");
  }
  if (path.empty()) {
    path = Lower(name);
    std::replace(path.begin(), path.end(), ' ', '-');
  }
  if (name.empty()) {
    name = path;
  }
  if (!ValidPath(path)) {
    return InvalidArgument("path", "can contain only letters, digits, '_', '-' and '.'");
  }
  const User* creator = FindUser(actor.user_id);
  const Namespace* ns =
      namespace_id ? FindNamespace(*namespace_id) : FindNamespace(creator->namespace_id);
  if (ns == nullptr) {
    return NotFound("404 Namespace Not Found");
  }
  if (ns->kind == "group") {
    if (!CanReadGroup(actor, *ns)) {
      return NotFound("404 Namespace Not Found");
    }
    if (!actor.admin && GroupAccess(actor.user_id, *ns) < kDeveloper) {
      return PermissionDenied("403 Forbidden");
    }
  } else if (ns->owner_user_id != actor.user_id && !actor.admin) {
    return PermissionDenied("403 Forbidden");
  }
  for (const auto& [id, p] : projects_) {
    if (p.namespace_id == ns->id && Lower(p.path) == Lower(path)) {
      return InvalidArgument("path", "has already been taken");
    }
  }
  Project project;
  project.id = NextId("project");
  project.name = std::move(name);
  project.path = std::move(path);
  project.description = std::move(description);
  project.visibility = visibility.empty() ? "private" : std::move(visibility);
  project.default_branch = default_branch.empty() ? "main" : std::move(default_branch);
  project.namespace_id = ns->id;
  project.creator_id = actor.user_id;
  project.created_at = created_at.value_or(Now());
  project.last_activity_at = project.created_at;
  const Id id = project.id;
  projects_.emplace(id, std::move(project));
  Project& created = projects_.at(id);
  if (ns->kind == "group" && ProjectAccess(actor.user_id, created) < kMaintainer) {
    project_members_[id][actor.user_id] = Member{kMaintainer, created.created_at, actor.user_id};
  }
  AddEvent(Event{.project_id = id,
                 .author_id = actor.user_id,
                 .action = "created",
                 .action_name = "created",
                 .created_at = created.created_at});
  if (initialize_with_readme) {
    NewCommit readme;
    readme.branch = created.default_branch;
    readme.message = "Initial commit";
    readme.actions.push_back(CommitAction{"create", "README.md", "", "# " + created.name + "\n"});
    readme.created_at = created.created_at;
    const auto commit = ApplyCommit(created, *creator, "", readme, {});
    if (commit) {
      created.branches[created.default_branch] = (*commit)->sha;
    }
  }
  return &created;
}

Result<const Member*> State::AddProjectMember(const Actor& actor, Id project_id, Id user_id,
                                              int access_level) {
  const Project* project = FindProject(project_id);
  if (project == nullptr || !CanReadProject(actor, *project)) {
    return NotFound("404 Project Not Found");
  }
  const int mine = actor.admin ? kOwner : ProjectAccess(actor.user_id, *project);
  if (mine < kMaintainer || (access_level == kOwner && mine < kOwner)) {
    return PermissionDenied("403 Forbidden");
  }
  if (FindUser(user_id) == nullptr) {
    return NotFound("404 User Not Found");
  }
  static const std::set<int> levels{5, 10, 15, 20, 30, 40, 50};
  if (levels.count(access_level) == 0) {
    return InvalidArgument("access_level", "does not have a valid value");
  }
  auto& members = project_members_[project_id];
  if (members.count(user_id) != 0) {
    return Conflict("Member already exists");
  }
  members[user_id] = Member{access_level, Now(), actor.user_id};
  AddEvent(Event{.project_id = project_id,
                 .author_id = user_id,
                 .action = "joined",
                 .action_name = "joined",
                 .created_at = Now()});
  return &members[user_id];
}

Result<const Member*> State::AddGroupMember(const Actor& actor, Id group_id, Id user_id,
                                            int access_level) {
  const Namespace* group = FindNamespace(group_id);
  if (group == nullptr || group->kind != "group" || !CanReadGroup(actor, *group)) {
    return NotFound("404 Group Not Found");
  }
  const int mine = actor.admin ? kOwner : GroupAccess(actor.user_id, *group);
  if (mine < kMaintainer || (access_level == kOwner && mine < kOwner)) {
    return PermissionDenied("403 Forbidden");
  }
  if (FindUser(user_id) == nullptr) {
    return NotFound("404 User Not Found");
  }
  static const std::set<int> levels{5, 10, 15, 20, 30, 40, 50};
  if (levels.count(access_level) == 0) {
    return InvalidArgument("access_level", "does not have a valid value");
  }
  auto& members = group_members_[group_id];
  if (members.count(user_id) != 0) {
    return Conflict("Member already exists");
  }
  members[user_id] = Member{access_level, Now(), actor.user_id};
  return &members[user_id];
}

// --- repository and work items -----------------------------------------------------------

Status State::CheckProjectWrite(const Actor& actor, const Project& project, int level) const {
  if (actor.user_id == 0) {
    return Unauthenticated("401 Unauthorized");
  }
  if (!CanReadProject(actor, project)) {
    return NotFound("404 Project Not Found");
  }
  if (!actor.admin && ProjectAccess(actor.user_id, project) < level) {
    return PermissionDenied("403 Forbidden");
  }
  return {};
}

void State::AddEvent(Event event) {
  event.id = NextId("event");
  events_.emplace(event.id, std::move(event));
}

void State::Touch(Project& project, TimePoint at) {
  project.last_activity_at = std::max(project.last_activity_at, at);
}

Result<const Commit*> State::ApplyCommit(Project& project, const User& actor,
                                         const std::string& parent_sha, const NewCommit& input,
                                         std::vector<std::string> extra_parents) {
  if (input.message.empty()) {
    return InvalidArgument("commit_message", "is missing");
  }
  Commit commit;
  commit.project_id = project.id;
  if (!parent_sha.empty()) {
    const Commit* parent = FindCommit(project.id, parent_sha);
    if (parent != nullptr) {
      commit.tree = parent->tree;
    }
    commit.parents.push_back(parent_sha);
  }
  for (std::string& extra : extra_parents) {
    commit.parents.push_back(std::move(extra));
  }
  for (const CommitAction& action : input.actions) {
    if (action.file_path.empty()) {
      return InvalidArgument("actions[file_path]", "is missing");
    }
    const bool exists = commit.tree.count(action.file_path) != 0;
    if (action.action == "create") {
      if (exists) {
        return InvalidArgument("", "A file with this name already exists");
      }
      commit.tree[action.file_path] = action.content;
      commit.added.push_back(action.file_path);
    } else if (action.action == "update") {
      if (!exists) {
        return InvalidArgument("", "A file with this name doesn't exist");
      }
      commit.tree[action.file_path] = action.content;
      commit.modified.push_back(action.file_path);
    } else if (action.action == "delete") {
      if (!exists) {
        return InvalidArgument("", "A file with this name doesn't exist");
      }
      commit.tree.erase(action.file_path);
      commit.removed.push_back(action.file_path);
    } else if (action.action == "move") {
      const auto from = commit.tree.find(action.previous_path);
      if (from == commit.tree.end()) {
        return InvalidArgument("", "A file with this name doesn't exist");
      }
      commit.tree[action.file_path] = action.content.empty() ? from->second : action.content;
      commit.tree.erase(from);
      commit.removed.push_back(action.previous_path);
      commit.added.push_back(action.file_path);
    } else if (action.action == "chmod") {
      if (!exists) {
        return InvalidArgument("", "A file with this name doesn't exist");
      }
      commit.modified.push_back(action.file_path);
    } else {
      return InvalidArgument("actions[action]", "does not have a valid value");
    }
  }
  commit.sha = NewSha();
  commit.message = input.message;
  commit.author_name = input.author_name.empty() ? actor.name : input.author_name;
  commit.author_email = input.author_email.empty() ? CommitEmail(actor) : input.author_email;
  commit.committer_name = actor.name;
  commit.committer_email = CommitEmail(actor);
  commit.authored_at = input.created_at.value_or(Now());
  commit.committed_at = commit.authored_at;
  const std::string key = fmt::format("{}:{}", project.id, commit.sha);
  const auto [it, inserted] = commits_.emplace(key, std::move(commit));
  return &it->second;
}

Result<const Commit*> State::CreateCommit(const Actor& actor, Id project_id,
                                          const NewCommit& input) {
  auto pushed = Push(actor, project_id, input.branch, input.start_branch, {input});
  if (!pushed) {
    return tl::unexpected(pushed.error());
  }
  return pushed->back();
}

Result<std::vector<const Commit*>> State::Push(const Actor& actor, Id project_id,
                                               const std::string& branch,
                                               const std::string& start_branch,
                                               const std::vector<NewCommit>& commits) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kDeveloper); !ok) {
    return tl::unexpected(ok.error());
  }
  if (branch.empty()) {
    return InvalidArgument("branch", "is missing");
  }
  const bool empty_repo = project.branches.empty();
  if (!actor.admin && branch == project.default_branch && !empty_repo &&
      ProjectAccess(actor.user_id, project) < kMaintainer) {
    return PermissionDenied("You are not allowed to push into this branch");
  }
  const auto existing = project.branches.find(branch);
  std::string before =
      existing != project.branches.end() ? existing->second : std::string(kZeroSha);
  std::string parent = existing != project.branches.end() ? existing->second : "";
  if (existing == project.branches.end() && !empty_repo) {
    if (start_branch.empty()) {
      return InvalidArgument("", "You can only create or edit files when you are on a branch");
    }
    const auto start = project.branches.find(start_branch);
    if (start == project.branches.end()) {
      return InvalidArgument("", "Invalid start branch " + start_branch);
    }
    parent = start->second;
  }
  if (commits.empty() && (parent.empty() || existing != project.branches.end())) {
    return InvalidArgument("actions", "is missing");
  }
  const User& user = users_.at(actor.user_id);
  std::vector<const Commit*> made;
  for (const NewCommit& input : commits) {
    auto commit = ApplyCommit(project, user, parent, input, {});
    if (!commit) {
      return tl::unexpected(commit.error());
    }
    parent = (*commit)->sha;
    made.push_back(*commit);
  }
  project.branches[branch] = parent;
  const TimePoint at = made.empty() ? Now() : made.back()->committed_at;
  const bool created = before == kZeroSha;
  PushData push;
  push.commit_count = static_cast<int>(made.size());
  push.action = created ? "created" : "pushed";
  push.commit_from = created ? "" : before;
  push.commit_to = parent;
  push.ref = branch;
  push.commit_title = made.empty() ? "" : Title(made.back()->message);
  AddEvent(Event{.project_id = project.id,
                 .author_id = actor.user_id,
                 .action = "pushed",
                 .action_name = created ? "pushed new" : "pushed to",
                 .created_at = at,
                 .push = push});
  Touch(project, at);
  QueueHooks(project, "push_events", "Push Hook",
             HookPushBody(project, user, "refs/heads/" + branch, before, parent, made), branch);
  return made;
}

Result<const MergeRequest*> State::CreateMergeRequest(const Actor& actor, Id project_id,
                                                      const NewMergeRequest& input) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kDeveloper); !ok) {
    return tl::unexpected(ok.error());
  }
  if (input.source_branch.empty()) {
    return InvalidArgument("source_branch", "is missing");
  }
  if (input.target_branch.empty()) {
    return InvalidArgument("target_branch", "is missing");
  }
  if (input.title.empty()) {
    return InvalidArgument("title", "is missing");
  }
  const auto source = project.branches.find(input.source_branch);
  if (source == project.branches.end()) {
    return InvalidArgument("", "Source branch \"" + input.source_branch + "\" does not exist");
  }
  if (project.branches.count(input.target_branch) == 0) {
    return InvalidArgument("", "Target branch \"" + input.target_branch + "\" does not exist");
  }
  if (input.source_branch == input.target_branch) {
    return InvalidArgument("", "You can't use same project/branch for source and target");
  }
  for (const auto& [id, mr] : merge_requests_) {
    if (mr.project_id == project_id && mr.state == "opened" &&
        mr.source_branch == input.source_branch && mr.target_branch == input.target_branch) {
      return Conflict(fmt::format(
          "Another open merge request already exists for this source branch: !{}", mr.iid));
    }
  }
  MergeRequest mr;
  mr.id = NextId("merge_request");
  mr.iid = project.next_mr_iid++;
  mr.project_id = project_id;
  mr.author_id = actor.user_id;
  mr.title = input.title;
  mr.description = input.description;
  mr.source_branch = input.source_branch;
  mr.target_branch = input.target_branch;
  mr.assignee_ids = input.assignee_ids;
  mr.reviewer_ids = input.reviewer_ids;
  mr.labels = input.labels;
  mr.created_at = input.created_at.value_or(Now());
  mr.updated_at = mr.created_at;
  mr.sha = source->second;
  const Id id = mr.id;
  merge_requests_.emplace(id, std::move(mr));
  const MergeRequest& created = merge_requests_.at(id);
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "created",
                 .action_name = "opened",
                 .target_type = "MergeRequest",
                 .target_id = created.id,
                 .target_iid = created.iid,
                 .target_title = created.title,
                 .created_at = created.created_at});
  Touch(project, created.created_at);
  QueueHooks(project, "merge_requests_events", "Merge Request Hook",
             HookMergeRequestBody(project, users_.at(actor.user_id), created, "open"));
  return &created;
}

Result<const MergeRequest*> State::UpdateMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                      std::optional<std::string> title,
                                                      std::optional<std::string> description,
                                                      const std::string& state_event,
                                                      std::optional<TimePoint> at) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kDeveloper); !ok) {
    return tl::unexpected(ok.error());
  }
  auto* mr = const_cast<MergeRequest*>(FindMergeRequest(project_id, iid));
  if (mr == nullptr) {
    return NotFound("404 Not found");
  }
  const TimePoint when = at.value_or(Now());
  std::string action = "update";
  if (title) {
    mr->title = *title;
  }
  if (description) {
    mr->description = *description;
  }
  if (state_event == "close" && mr->state == "opened") {
    mr->state = "closed";
    mr->closed_at = when;
    mr->closed_by = actor.user_id;
    action = "close";
    AddEvent(Event{.project_id = project_id,
                   .author_id = actor.user_id,
                   .action = "closed",
                   .action_name = "closed",
                   .target_type = "MergeRequest",
                   .target_id = mr->id,
                   .target_iid = mr->iid,
                   .target_title = mr->title,
                   .created_at = when});
  } else if (state_event == "reopen" && mr->state == "closed") {
    mr->state = "opened";
    mr->closed_at.reset();
    mr->closed_by = 0;
    action = "reopen";
    AddEvent(Event{.project_id = project_id,
                   .author_id = actor.user_id,
                   .action = "reopened",
                   .action_name = "opened",
                   .target_type = "MergeRequest",
                   .target_id = mr->id,
                   .target_iid = mr->iid,
                   .target_title = mr->title,
                   .created_at = when});
  } else if (!state_event.empty() && state_event != "close" && state_event != "reopen") {
    return InvalidArgument("state_event", "does not have a valid value");
  }
  mr->updated_at = when;
  Touch(project, when);
  QueueHooks(project, "merge_requests_events", "Merge Request Hook",
             HookMergeRequestBody(project, users_.at(actor.user_id), *mr, action));
  return mr;
}

Result<const MergeRequest*> State::MergeMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                     std::optional<TimePoint> at,
                                                     const std::string& merge_commit_message) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kDeveloper); !ok) {
    return tl::unexpected(ok.error());
  }
  auto* mr = const_cast<MergeRequest*>(FindMergeRequest(project_id, iid));
  if (mr == nullptr) {
    return NotFound("404 Not found");
  }
  if (!actor.admin && mr->target_branch == project.default_branch &&
      ProjectAccess(actor.user_id, project) < kMaintainer) {
    return PermissionDenied("401 Unauthorized");
  }
  if (mr->state != "opened") {
    return Conflict("405 Method Not Allowed");
  }
  const auto source = project.branches.find(mr->source_branch);
  const auto target = project.branches.find(mr->target_branch);
  if (source == project.branches.end() || target == project.branches.end()) {
    return Conflict("405 Method Not Allowed");
  }
  const TimePoint when = at.value_or(Now());
  const User& user = users_.at(actor.user_id);
  const std::string before = target->second;
  const std::string source_head = source->second;
  NewCommit merge;
  merge.message = merge_commit_message.empty()
                      ? fmt::format("Merge branch '{}' into '{}'\n\n{}\n\nSee merge request {}!{}",
                                    mr->source_branch, mr->target_branch, mr->title,
                                    ProjectPath(project), mr->iid)
                      : merge_commit_message;
  merge.created_at = when;
  auto commit = ApplyCommit(project, user, before, merge, {source_head});
  if (!commit) {
    return tl::unexpected(commit.error());
  }
  const Commit* source_commit = FindCommit(project_id, source_head);
  const_cast<Commit*>(*commit)->tree =
      source_commit != nullptr ? source_commit->tree : (*commit)->tree;
  const auto reachable = CommitsReachable(project, before + ".." + (*commit)->sha);
  std::vector<const Commit*> pushed = reachable.value_or(std::vector<const Commit*>{});
  std::reverse(pushed.begin(), pushed.end());  // oldest first, as a push lists them
  project.branches[mr->target_branch] = (*commit)->sha;
  mr->state = "merged";
  mr->merged_at = when;
  mr->merged_by = actor.user_id;
  mr->merge_commit_sha = (*commit)->sha;
  mr->updated_at = when;
  PushData push;
  push.commit_count = static_cast<int>(pushed.size());
  push.action = "pushed";
  push.commit_from = before;
  push.commit_to = (*commit)->sha;
  push.ref = mr->target_branch;
  push.commit_title = Title((*commit)->message);
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "pushed",
                 .action_name = "pushed to",
                 .created_at = when,
                 .push = push});
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "merged",
                 .action_name = "accepted",
                 .target_type = "MergeRequest",
                 .target_id = mr->id,
                 .target_iid = mr->iid,
                 .target_title = mr->title,
                 .created_at = when});
  Touch(project, when);
  QueueHooks(project, "push_events", "Push Hook",
             HookPushBody(project, user, "refs/heads/" + mr->target_branch, before, (*commit)->sha,
                          pushed),
             mr->target_branch);
  QueueHooks(project, "merge_requests_events", "Merge Request Hook",
             HookMergeRequestBody(project, user, *mr, "merge"));
  return mr;
}

Result<const MergeRequest*> State::ApproveMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                       std::optional<TimePoint> at) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kDeveloper); !ok) {
    return tl::unexpected(ok.error());
  }
  auto* mr = const_cast<MergeRequest*>(FindMergeRequest(project_id, iid));
  if (mr == nullptr) {
    return NotFound("404 Not found");
  }
  if (std::find(mr->approved_by.begin(), mr->approved_by.end(), actor.user_id) !=
          mr->approved_by.end() ||
      mr->state != "opened") {
    return Unauthenticated("401 Unauthorized");
  }
  const TimePoint when = at.value_or(Now());
  mr->approved_by.push_back(actor.user_id);
  mr->updated_at = when;
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "approved",
                 .action_name = "approved",
                 .target_type = "MergeRequest",
                 .target_id = mr->id,
                 .target_iid = mr->iid,
                 .target_title = mr->title,
                 .created_at = when});
  Touch(project, when);
  QueueHooks(project, "merge_requests_events", "Merge Request Hook",
             HookMergeRequestBody(project, users_.at(actor.user_id), *mr, "approved"));
  return mr;
}

Result<const Issue*> State::CreateIssue(const Actor& actor, Id project_id, const NewIssue& input) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kGuest); !ok) {
    return tl::unexpected(ok.error());
  }
  if (input.title.empty()) {
    return InvalidArgument("title", "is missing");
  }
  Issue issue;
  issue.id = NextId("issue");
  issue.iid = project.next_issue_iid++;
  issue.project_id = project_id;
  issue.author_id = actor.user_id;
  issue.title = input.title;
  issue.description = input.description;
  issue.assignee_ids = input.assignee_ids;
  issue.labels = input.labels;
  issue.created_at = input.created_at.value_or(Now());
  issue.updated_at = issue.created_at;
  const Id id = issue.id;
  issues_.emplace(id, std::move(issue));
  const Issue& created = issues_.at(id);
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "created",
                 .action_name = "opened",
                 .target_type = "Issue",
                 .target_id = created.id,
                 .target_iid = created.iid,
                 .target_title = created.title,
                 .created_at = created.created_at});
  Touch(project, created.created_at);
  QueueHooks(project, "issues_events", "Issue Hook",
             HookIssueBody(project, users_.at(actor.user_id), created, "open"));
  return &created;
}

Result<const Issue*> State::UpdateIssue(const Actor& actor, Id project_id, Id iid,
                                        std::optional<std::string> title,
                                        std::optional<std::string> description,
                                        const std::string& state_event,
                                        std::optional<TimePoint> at) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  if (auto ok = CheckProjectWrite(actor, project, kReporter); !ok) {
    return tl::unexpected(ok.error());
  }
  auto* issue = const_cast<Issue*>(FindIssue(project_id, iid));
  if (issue == nullptr) {
    return NotFound("404 Not found");
  }
  const TimePoint when = at.value_or(Now());
  std::string action = "update";
  if (title) {
    issue->title = *title;
  }
  if (description) {
    issue->description = *description;
  }
  if (state_event == "close" && issue->state == "opened") {
    issue->state = "closed";
    issue->closed_at = when;
    issue->closed_by = actor.user_id;
    action = "close";
    AddEvent(Event{.project_id = project_id,
                   .author_id = actor.user_id,
                   .action = "closed",
                   .action_name = "closed",
                   .target_type = "Issue",
                   .target_id = issue->id,
                   .target_iid = issue->iid,
                   .target_title = issue->title,
                   .created_at = when});
  } else if (state_event == "reopen" && issue->state == "closed") {
    issue->state = "opened";
    issue->closed_at.reset();
    issue->closed_by = 0;
    action = "reopen";
    AddEvent(Event{.project_id = project_id,
                   .author_id = actor.user_id,
                   .action = "reopened",
                   .action_name = "opened",
                   .target_type = "Issue",
                   .target_id = issue->id,
                   .target_iid = issue->iid,
                   .target_title = issue->title,
                   .created_at = when});
  } else if (!state_event.empty() && state_event != "close" && state_event != "reopen") {
    return InvalidArgument("state_event", "does not have a valid value");
  }
  issue->updated_at = when;
  Touch(project, when);
  QueueHooks(project, "issues_events", "Issue Hook",
             HookIssueBody(project, users_.at(actor.user_id), *issue, action));
  return issue;
}

Result<const Note*> State::CreateNote(const Actor& actor, Id project_id,
                                      const std::string& noteable_type, const std::string& ref,
                                      std::string body, std::optional<TimePoint> at) {
  auto pit = projects_.find(project_id);
  if (pit == projects_.end()) {
    return NotFound("404 Project Not Found");
  }
  Project& project = pit->second;
  const int needed = noteable_type == "Issue" ? kGuest : kReporter;
  if (project.visibility == "private" || actor.user_id == 0) {
    if (auto ok = CheckProjectWrite(actor, project, needed); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (body.empty()) {
    return InvalidArgument(noteable_type == "Commit" ? "note" : "body", "is missing");
  }
  Note note;
  note.project_id = project_id;
  note.noteable_type = noteable_type;
  std::string target_title;
  if (noteable_type == "Issue") {
    const Issue* issue = IsNumber(ref) ? FindIssue(project_id, std::stoll(ref)) : nullptr;
    if (issue == nullptr) {
      return NotFound("404 Issue Not Found");
    }
    note.noteable_id = issue->id;
    note.noteable_iid = issue->iid;
    target_title = issue->title;
  } else if (noteable_type == "MergeRequest") {
    const MergeRequest* mr =
        IsNumber(ref) ? FindMergeRequest(project_id, std::stoll(ref)) : nullptr;
    if (mr == nullptr) {
      return NotFound("404 Merge Request Not Found");
    }
    note.noteable_id = mr->id;
    note.noteable_iid = mr->iid;
    target_title = mr->title;
  } else {
    const Commit* commit = FindCommit(project_id, ref);
    if (commit == nullptr) {
      return NotFound("404 Commit Not Found");
    }
    note.commit_sha = commit->sha;
    target_title = Title(commit->message);
  }
  note.id = NextId("note");
  note.body = std::move(body);
  note.author_id = actor.user_id;
  note.created_at = at.value_or(Now());
  note.updated_at = note.created_at;
  const Id id = note.id;
  notes_.emplace(id, std::move(note));
  const Note& created = notes_.at(id);
  AddEvent(Event{.project_id = project_id,
                 .author_id = actor.user_id,
                 .action = "commented",
                 .action_name = "commented on",
                 .target_type = "Note",
                 .target_id = created.id,
                 .target_title = target_title,
                 .created_at = created.created_at,
                 .note_id = created.id});
  Touch(project, created.created_at);
  QueueHooks(project, "note_events", "Note Hook",
             HookNoteBody(project, users_.at(actor.user_id), created));
  return &created;
}

// --- hooks -------------------------------------------------------------------------------

Result<const Hook*> State::CreateHook(const Actor& actor, Id project_id,
                                      const NewProjectHook& input) {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return NotFound("404 Project Not Found");
  }
  if (auto ok = CheckProjectWrite(actor, *project, kMaintainer); !ok) {
    return tl::unexpected(ok.error());
  }
  if (input.fields.url.empty()) {
    return InvalidArgument("url", "is missing");
  }
  if (input.fields.url.rfind("http://", 0) != 0 && input.fields.url.rfind("https://", 0) != 0) {
    return InvalidArgument("", "Invalid url given");
  }
  Hook hook = input.fields;
  hook.id = NextId("hook");
  hook.project_id = project_id;
  hook.created_at = Now();
  hook.uuid = NewUuid();
  const auto [it, inserted] = hooks_.emplace(hook.id, std::move(hook));
  return &it->second;
}

Result<const Hook*> State::UpdateHook(const Actor& actor, Id project_id, Id hook_id,
                                      const NewProjectHook& input,
                                      const std::set<std::string>& set) {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return NotFound("404 Project Not Found");
  }
  if (auto ok = CheckProjectWrite(actor, *project, kMaintainer); !ok) {
    return tl::unexpected(ok.error());
  }
  auto it = hooks_.find(hook_id);
  if (it == hooks_.end() || it->second.project_id != project_id) {
    return NotFound("404 Not found");
  }
  Hook& hook = it->second;
  const Hook& in = input.fields;
  auto has = [&set](const char* name) { return set.count(name) != 0; };
  if (has("url")) {
    if (in.url.rfind("http://", 0) != 0 && in.url.rfind("https://", 0) != 0) {
      return InvalidArgument("", "Invalid url given");
    }
    if (in.url != hook.url) {
      hook.token.clear();  // GitLab resets the secret token when the URL changes
    }
    hook.url = in.url;
  }
  if (input.has_token) {
    hook.token = in.token;
  }
#define WORKLOG_SIM_SET(field) \
  if (has(#field)) {           \
    hook.field = in.field;     \
  }
  WORKLOG_SIM_SET(name)
  WORKLOG_SIM_SET(description)
  WORKLOG_SIM_SET(push_events)
  WORKLOG_SIM_SET(tag_push_events)
  WORKLOG_SIM_SET(merge_requests_events)
  WORKLOG_SIM_SET(note_events)
  WORKLOG_SIM_SET(confidential_note_events)
  WORKLOG_SIM_SET(issues_events)
  WORKLOG_SIM_SET(confidential_issues_events)
  WORKLOG_SIM_SET(pipeline_events)
  WORKLOG_SIM_SET(job_events)
  WORKLOG_SIM_SET(wiki_page_events)
  WORKLOG_SIM_SET(deployment_events)
  WORKLOG_SIM_SET(releases_events)
  WORKLOG_SIM_SET(enable_ssl_verification)
  WORKLOG_SIM_SET(push_events_branch_filter)
  WORKLOG_SIM_SET(branch_filter_strategy)
#undef WORKLOG_SIM_SET
  return &hook;
}

Status State::DeleteHook(const Actor& actor, Id project_id, Id hook_id) {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return NotFound("404 Project Not Found");
  }
  if (auto ok = CheckProjectWrite(actor, *project, kMaintainer); !ok) {
    return ok;
  }
  const auto it = hooks_.find(hook_id);
  if (it == hooks_.end() || it->second.project_id != project_id) {
    return NotFound("404 Not found");
  }
  hooks_.erase(it);
  return {};
}

Status State::DeleteProject(const Actor& actor, Id project_id) {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return NotFound("404 Project Not Found");
  }
  if (auto ok = CheckProjectWrite(actor, *project, kOwner); !ok) {
    return ok;
  }
  const auto of_project = [project_id](const auto& entry) {
    return entry.second.project_id == project_id;
  };
  std::erase_if(commits_, of_project);
  std::erase_if(merge_requests_, of_project);
  std::erase_if(issues_, of_project);
  std::erase_if(notes_, of_project);
  std::erase_if(events_, of_project);
  std::erase_if(hooks_, of_project);
  project_members_.erase(project_id);
  projects_.erase(project_id);
  return {};
}

std::string State::HookAlertStatus(const Hook& hook) const {
  if (hook.permanently_disabled) {
    return "disabled";
  }
  if (hook.disabled_until && *hook.disabled_until > Now()) {
    return "temporarily_disabled";
  }
  return "executable";
}

bool State::HookExecutable(Id hook_id) const {
  const auto it = hooks_.find(hook_id);
  return it != hooks_.end() && HookAlertStatus(it->second) == "executable";
}

void State::RecordHookOutcome(Id hook_id, bool success) {
  const auto it = hooks_.find(hook_id);
  if (it == hooks_.end()) {
    return;
  }
  Hook& hook = it->second;
  if (success) {
    hook.recent_failures = 0;
    hook.backoff_count = 0;
    hook.disabled_until.reset();
    hook.permanently_disabled = false;
    return;
  }
  ++hook.recent_failures;
  if (hook.recent_failures >= 40) {
    hook.permanently_disabled = true;
  } else if (hook.recent_failures >= 4) {
    ++hook.backoff_count;
    auto pause = std::chrono::minutes{1} * (1LL << std::min(hook.backoff_count - 1, 11));
    pause = std::min<std::chrono::minutes>(pause, std::chrono::hours{24});
    hook.disabled_until = Now() + pause;
  }
}

Result<OutgoingHook> State::TestHook(const Actor& actor, Id project_id, Id hook_id,
                                     const std::string& trigger) {
  const Project* project = FindProject(project_id);
  if (project == nullptr) {
    return NotFound("404 Project Not Found");
  }
  if (auto ok = CheckProjectWrite(actor, *project, kMaintainer); !ok) {
    return tl::unexpected(ok.error());
  }
  const auto it = hooks_.find(hook_id);
  if (it == hooks_.end() || it->second.project_id != project_id) {
    return NotFound("404 Not found");
  }
  const User& user = users_.at(actor.user_id);
  OutgoingHook out{hook_id, project_id, it->second.url, it->second.token, it->second.uuid,
                   "",      "",         NewUuid()};
  if (trigger == "push_events") {
    const auto head = project->branches.find(project->default_branch);
    std::vector<const Commit*> commits;
    if (head != project->branches.end()) {
      if (auto reachable = CommitsReachable(*project, head->second)) {
        for (std::size_t i = 0; i < reachable->size() && i < 3; ++i) {
          commits.insert(commits.begin(), (*reachable)[i]);
        }
      }
    }
    const std::string after = commits.empty() ? std::string(kZeroSha) : commits.back()->sha;
    out.event = "Push Hook";
    out.body = HookPushBody(*project, user, "refs/heads/" + project->default_branch,
                            commits.empty() ? std::string(kZeroSha) : commits.front()->sha, after,
                            commits);
  } else if (trigger == "merge_requests_events") {
    const MergeRequest* last = nullptr;
    for (const auto& [id, mr] : merge_requests_) {
      if (mr.project_id == project_id) {
        last = &mr;
      }
    }
    if (last == nullptr) {
      return InvalidArgument("", "Ensure the project has merge requests.");
    }
    out.event = "Merge Request Hook";
    out.body = HookMergeRequestBody(*project, user, *last, "open");
  } else if (trigger == "issues_events") {
    const Issue* last = nullptr;
    for (const auto& [id, issue] : issues_) {
      if (issue.project_id == project_id) {
        last = &issue;
      }
    }
    if (last == nullptr) {
      return InvalidArgument("", "Ensure the project has issues.");
    }
    out.event = "Issue Hook";
    out.body = HookIssueBody(*project, user, *last, "open");
  } else if (trigger == "note_events") {
    const Note* last = nullptr;
    for (const auto& [id, note] : notes_) {
      if (note.project_id == project_id) {
        last = &note;
      }
    }
    if (last == nullptr) {
      return InvalidArgument("", "Ensure the project has notes.");
    }
    out.event = "Note Hook";
    out.body = HookNoteBody(*project, user, *last);
  } else {
    return InvalidArgument("trigger", "does not have a valid value");
  }
  return out;
}

std::vector<OutgoingHook> State::TakeOutbox() {
  std::vector<OutgoingHook> out;
  out.swap(outbox_);
  return out;
}

void State::QueueHooks(const Project& project, const char* flag, const std::string& event,
                       const std::string& body, const std::string& branch) {
  const std::string_view f = flag;
  const std::string event_uuid = NewUuid();
  for (const auto& [id, hook] : hooks_) {
    if (hook.project_id != project.id) {
      continue;
    }
    const bool wanted = (f == "push_events" && hook.push_events) ||
                        (f == "merge_requests_events" && hook.merge_requests_events) ||
                        (f == "note_events" && hook.note_events) ||
                        (f == "issues_events" && hook.issues_events);
    if (!wanted) {
      continue;
    }
    if (f == "push_events" && !hook.push_events_branch_filter.empty() &&
        hook.branch_filter_strategy != "all_branches" &&
        !WildcardMatch(hook.push_events_branch_filter, branch)) {
      continue;
    }
    // A disabled hook is still handed over; the dispatcher logs it as skipped.
    outbox_.push_back(OutgoingHook{hook.id, project.id, hook.url, hook.token, hook.uuid, event,
                                   body, event_uuid});
  }
}

// --- hook payloads (shapes from doc/user/project/integrations/webhook_events.md) --------

namespace {

json HookProject(const State& state, const Project& project) {
  const Namespace* ns = state.FindNamespace(project.namespace_id);
  const std::string web = state.ProjectWebUrl(project);
  const std::string path = state.ProjectPath(project);
  std::string host = state.external_url();
  if (const auto scheme = host.find("://"); scheme != std::string::npos) {
    host = host.substr(scheme + 3);
  }
  host = host.substr(0, host.find(':'));  // ssh URLs name the host without the HTTP port
  const std::string ssh = "git@" + host + ":" + path + ".git";
  return json{{"id", project.id},
              {"name", project.name},
              {"description", project.description},
              {"web_url", web},
              {"avatar_url", nullptr},
              {"git_ssh_url", ssh},
              {"git_http_url", web + ".git"},
              {"namespace", ns != nullptr ? ns->name : ""},
              {"visibility_level", VisibilityLevel(project.visibility)},
              {"path_with_namespace", path},
              {"default_branch", project.default_branch},
              {"ci_config_path", nullptr},
              {"homepage", web},
              {"url", ssh},
              {"ssh_url", ssh},
              {"http_url", web + ".git"}};
}

std::string AvatarUrl(const User& user) {
  return "https://www.gravatar.com/avatar/" + Sha256Hex(user.email).substr(0, 32) +
         "?s=80&d=identicon";
}

std::string WebhookEmail(const User& user) {
  return user.public_email.empty() ? "[REDACTED]" : user.public_email;
}

json HookUser(const User& user) {
  return json{{"id", user.id},
              {"name", user.name},
              {"username", user.username},
              {"avatar_url", AvatarUrl(user)},
              {"email", WebhookEmail(user)}};
}

json HookCommit(const State& state, const Project& project, const Commit& commit) {
  return json{{"id", commit.sha},
              {"message", commit.message},
              {"title", Title(commit.message)},
              {"timestamp", IsoOffset(commit.committed_at)},
              {"url", state.ProjectWebUrl(project) + "/-/commit/" + commit.sha},
              {"author", {{"name", commit.author_name}, {"email", commit.author_email}}},
              {"added", commit.added},
              {"modified", commit.modified},
              {"removed", commit.removed}};
}

json HookRepository(const State& state, const Project& project) {
  const json p = HookProject(state, project);
  return json{{"name", project.name},
              {"url", p["url"]},
              {"description", project.description},
              {"homepage", p["homepage"]},
              {"git_http_url", p["git_http_url"]},
              {"git_ssh_url", p["git_ssh_url"]},
              {"visibility_level", p["visibility_level"]}};
}

json IdList(const std::vector<Id>& ids) {
  json out = json::array();
  for (Id id : ids) {
    out.push_back(id);
  }
  return out;
}

json Labels(const std::vector<std::string>& labels) {
  json out = json::array();
  for (const std::string& l : labels) {
    out.push_back({{"id", 0}, {"title", l}, {"color", "#428BCA"}, {"type", "ProjectLabel"}});
  }
  return out;
}

json OptionalUtc(const std::optional<TimePoint>& t) {
  return t ? json(UtcSpaced(*t)) : json(nullptr);
}

json HookUsers(const State& state, const std::vector<Id>& ids) {
  json out = json::array();
  for (Id id : ids) {
    if (const User* u = state.FindUser(id)) {
      json entry = HookUser(*u);
      entry.erase("email");
      out.push_back(entry);
    }
  }
  return out;
}

json HookMrAttributes(const State& state, const Project& project, const MergeRequest& mr) {
  const Commit* last = state.FindCommit(project.id, mr.sha);
  json last_commit = nullptr;
  if (last != nullptr) {
    last_commit = HookCommit(state, project, *last);
    for (const char* k : {"added", "modified", "removed"}) {
      last_commit.erase(k);
    }
  }
  return json{
      {"id", mr.id},
      {"iid", mr.iid},
      {"target_branch", mr.target_branch},
      {"source_branch", mr.source_branch},
      {"source_project_id", project.id},
      {"author_id", mr.author_id},
      {"assignee_ids", IdList(mr.assignee_ids)},
      {"assignee_id", mr.assignee_ids.empty() ? json(nullptr) : json(mr.assignee_ids[0])},
      {"reviewer_ids", IdList(mr.reviewer_ids)},
      {"title", mr.title},
      {"created_at", UtcSpaced(mr.created_at)},
      {"updated_at", UtcSpaced(mr.updated_at)},
      {"merged_at", OptionalUtc(mr.merged_at)},
      {"closed_at", OptionalUtc(mr.closed_at)},
      {"last_edited_at", nullptr},
      {"milestone_id", nullptr},
      {"state_id", mr.state == "opened" ? 1 : (mr.state == "closed" ? 2 : 3)},
      {"state", mr.state},
      {"blocking_discussions_resolved", true},
      {"work_in_progress", false},
      {"draft", false},
      {"first_contribution", false},
      {"merge_status", "can_be_merged"},
      {"detailed_merge_status", mr.state == "opened" ? "mergeable" : "not_open"},
      {"target_project_id", project.id},
      {"description", mr.description},
      {"prepared_at", UtcSpaced(mr.created_at)},
      {"total_time_spent", 0},
      {"time_change", 0},
      {"human_total_time_spent", nullptr},
      {"human_time_change", nullptr},
      {"human_time_estimate", nullptr},
      {"url", state.ProjectWebUrl(project) + "/-/merge_requests/" + std::to_string(mr.iid)},
      {"source", HookProject(state, project)},
      {"target", HookProject(state, project)},
      {"last_commit", last_commit},
      {"labels", Labels(mr.labels)},
      {"merge_commit_sha", mr.merge_commit_sha.empty() ? json(nullptr) : json(mr.merge_commit_sha)},
      {"merge_user_id", mr.merged_by == 0 ? json(nullptr) : json(mr.merged_by)}};
}

json HookIssueAttributes(const State& state, const Project& project, const Issue& issue) {
  return json{
      {"id", issue.id},
      {"iid", issue.iid},
      {"title", issue.title},
      {"description", issue.description},
      {"author_id", issue.author_id},
      {"assignee_ids", IdList(issue.assignee_ids)},
      {"assignee_id", issue.assignee_ids.empty() ? json(nullptr) : json(issue.assignee_ids[0])},
      {"project_id", project.id},
      {"created_at", UtcSpaced(issue.created_at)},
      {"updated_at", UtcSpaced(issue.updated_at)},
      {"closed_at", OptionalUtc(issue.closed_at)},
      {"state", issue.state},
      {"state_id", issue.state == "opened" ? 1 : 2},
      {"confidential", false},
      {"type", "Issue"},
      {"labels", Labels(issue.labels)},
      {"url", state.ProjectWebUrl(project) + "/-/issues/" + std::to_string(issue.iid)}};
}

}  // namespace

std::string State::HookPushBody(const Project& project, const User& actor, const std::string& ref,
                                const std::string& before, const std::string& after,
                                const std::vector<const Commit*>& commits) const {
  json list = json::array();
  const std::size_t first = commits.size() > 20 ? commits.size() - 20 : 0;
  for (std::size_t i = first; i < commits.size(); ++i) {
    list.push_back(HookCommit(*this, project, *commits[i]));
  }
  const json body{{"object_kind", "push"},
                  {"event_name", "push"},
                  {"before", before},
                  {"after", after},
                  {"ref", ref},
                  {"ref_protected", ref == "refs/heads/" + project.default_branch},
                  {"checkout_sha", after == kZeroSha ? json(nullptr) : json(after)},
                  {"message", nullptr},
                  {"user_id", actor.id},
                  {"user_name", actor.name},
                  {"user_username", actor.username},
                  {"user_email", WebhookEmail(actor)},
                  {"user_avatar", AvatarUrl(actor)},
                  {"project_id", project.id},
                  {"project", HookProject(*this, project)},
                  {"commits", list},
                  {"total_commits_count", commits.size()},
                  {"push_options", json::object()},
                  {"repository", HookRepository(*this, project)}};
  return body.dump();
}

std::string State::HookMergeRequestBody(const Project& project, const User& actor,
                                        const MergeRequest& mr, const std::string& action) const {
  json attributes = HookMrAttributes(*this, project, mr);
  attributes["action"] = action;
  json changes = json::object();
  if (action == "open") {
    changes["title"] = {{"previous", nullptr}, {"current", mr.title}};
    changes["state_id"] = {{"previous", nullptr}, {"current", 1}};
  } else if (action == "merge" || action == "close" || action == "reopen") {
    changes["state_id"] = {{"previous", action == "reopen" ? 2 : 1},
                           {"current", action == "merge" ? 3 : (action == "close" ? 2 : 1)}};
  }
  changes["updated_at"] = {{"previous", UtcSpaced(mr.created_at)},
                           {"current", UtcSpaced(mr.updated_at)}};
  const json body{{"object_kind", "merge_request"},
                  {"event_type", "merge_request"},
                  {"user", HookUser(actor)},
                  {"project", HookProject(*this, project)},
                  {"repository", HookRepository(*this, project)},
                  {"object_attributes", attributes},
                  {"labels", Labels(mr.labels)},
                  {"changes", changes},
                  {"assignees", HookUsers(*this, mr.assignee_ids)},
                  {"reviewers", HookUsers(*this, mr.reviewer_ids)}};
  return body.dump();
}

std::string State::HookIssueBody(const Project& project, const User& actor, const Issue& issue,
                                 const std::string& action) const {
  json attributes = HookIssueAttributes(*this, project, issue);
  attributes["action"] = action;
  json changes = json::object();
  if (action == "close" || action == "reopen") {
    changes["state_id"] = {{"previous", action == "close" ? 1 : 2},
                           {"current", action == "close" ? 2 : 1}};
  }
  const json body{{"object_kind", "issue"},
                  {"event_type", "issue"},
                  {"user", HookUser(actor)},
                  {"project", HookProject(*this, project)},
                  {"repository", HookRepository(*this, project)},
                  {"object_attributes", attributes},
                  {"labels", Labels(issue.labels)},
                  {"changes", changes},
                  {"assignees", HookUsers(*this, issue.assignee_ids)}};
  return body.dump();
}

std::string State::HookNoteBody(const Project& project, const User& actor, const Note& note) const {
  const std::string web = ProjectWebUrl(project);
  json attributes{
      {"id", note.id},
      {"note", note.body},
      {"noteable_type", note.noteable_type},
      {"author_id", note.author_id},
      {"created_at", UtcSpaced(note.created_at)},
      {"updated_at", UtcSpaced(note.updated_at)},
      {"project_id", project.id},
      {"attachment", nullptr},
      {"line_code", nullptr},
      {"commit_id", note.commit_sha.empty() ? json(nullptr) : json(note.commit_sha)},
      {"noteable_id", note.noteable_type == "Commit" ? json(nullptr) : json(note.noteable_id)},
      {"system", note.system},
      {"st_diff", nullptr},
      {"action", "create"},
      {"url", ""}};
  json body{{"object_kind", "note"},
            {"event_type", "note"},
            {"user", HookUser(actor)},
            {"project_id", project.id},
            {"project", HookProject(*this, project)},
            {"repository", HookRepository(*this, project)}};
  if (note.noteable_type == "Commit") {
    const Commit* commit = FindCommit(project.id, note.commit_sha);
    attributes["url"] = web + "/-/commit/" + note.commit_sha + "#note_" + std::to_string(note.id);
    if (commit != nullptr) {
      json c = HookCommit(*this, project, *commit);
      for (const char* k : {"added", "modified", "removed"}) {
        c.erase(k);
      }
      body["commit"] = c;
    }
  } else if (note.noteable_type == "MergeRequest") {
    const MergeRequest* mr = FindMergeRequest(project.id, note.noteable_iid);
    attributes["url"] = web + "/-/merge_requests/" + std::to_string(note.noteable_iid) + "#note_" +
                        std::to_string(note.id);
    if (mr != nullptr) {
      body["merge_request"] = HookMrAttributes(*this, project, *mr);
    }
  } else {
    const Issue* issue = FindIssue(project.id, note.noteable_iid);
    attributes["url"] =
        web + "/-/issues/" + std::to_string(note.noteable_iid) + "#note_" + std::to_string(note.id);
    if (issue != nullptr) {
      body["issue"] = HookIssueAttributes(*this, project, *issue);
    }
  }
  body["object_attributes"] = attributes;
  return body.dump();
}

}  // namespace worklog::gitlab_sim
