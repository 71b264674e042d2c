#pragma once

// The simulator's in-memory GitLab: entities and the operations that change them. Not
// thread-safe: GitLabSim serialises every request on one mutex. Operations check the acting
// user's permissions the way GitLab does and return errors whose `message` is GitLab's.

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::gitlab_sim {

using Id = std::int64_t;

inline constexpr int kNoAccess = 0;
inline constexpr int kGuest = 10;
inline constexpr int kReporter = 20;
inline constexpr int kDeveloper = 30;
inline constexpr int kMaintainer = 40;
inline constexpr int kOwner = 50;

inline constexpr std::string_view kZeroSha = "0000000000000000000000000000000000000000";

struct User {
  Id id = 0;
  std::string username;
  std::string name;
  std::string email;         // primary, private unless equal to public_email
  std::string public_email;  // "" when not public
  std::string commit_email;  // "" means the primary email
  std::vector<std::string> secondary_emails;
  std::string password_salt;
  std::string password_hash;  // SHA-256 hex of salt + password (a simulator, not a vault)
  bool admin = false;
  bool bot = false;
  std::string state = "active";
  TimePoint created_at;
  Id namespace_id = 0;
};

struct Namespace {
  Id id = 0;
  std::string kind;  // "user" | "group"
  std::string name;
  std::string path;
  std::string full_path;
  std::string full_name;  // "Acme / Platform"
  std::optional<Id> parent_id;
  Id owner_user_id = 0;  // kind == "user"
  std::string visibility = "private";
  std::string description;
  TimePoint created_at;
};

struct Member {
  int access_level = 0;
  TimePoint created_at;
  Id created_by = 0;
};

struct Commit {
  std::string sha;
  Id project_id = 0;
  std::vector<std::string> parents;
  std::string message;
  std::string author_name;
  std::string author_email;
  std::string committer_name;
  std::string committer_email;
  TimePoint authored_at;
  TimePoint committed_at;
  std::map<std::string, std::string> tree;  // path -> content after this commit
  std::vector<std::string> added;
  std::vector<std::string> modified;
  std::vector<std::string> removed;
};

struct Project {
  Id id = 0;
  std::string name;
  std::string path;
  std::string description;
  std::string visibility = "private";
  std::string default_branch = "main";
  Id namespace_id = 0;
  Id creator_id = 0;
  TimePoint created_at;
  TimePoint last_activity_at;
  bool archived = false;
  std::map<std::string, std::string> branches;  // name -> head sha
  Id next_mr_iid = 1;
  Id next_issue_iid = 1;
};

struct MergeRequest {
  Id id = 0;
  Id iid = 0;
  Id project_id = 0;
  Id author_id = 0;
  std::string title;
  std::string description;
  std::string source_branch;
  std::string target_branch;
  std::string state = "opened";  // opened | closed | merged
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> merged_at;
  std::optional<TimePoint> closed_at;
  Id merged_by = 0;
  Id closed_by = 0;
  std::vector<Id> assignee_ids;
  std::vector<Id> reviewer_ids;
  std::vector<Id> approved_by;
  std::vector<std::string> labels;
  std::string merge_commit_sha;
  std::string sha;  // source branch head when last updated
};

struct Issue {
  Id id = 0;
  Id iid = 0;
  Id project_id = 0;
  Id author_id = 0;
  std::string title;
  std::string description;
  std::string state = "opened";  // opened | closed
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> closed_at;
  Id closed_by = 0;
  std::vector<Id> assignee_ids;
  std::vector<std::string> labels;
};

struct Note {
  Id id = 0;
  Id project_id = 0;
  std::string noteable_type;  // Issue | MergeRequest | Commit
  Id noteable_id = 0;         // 0 for commits
  Id noteable_iid = 0;
  std::string commit_sha;  // noteable_type == Commit
  std::string body;
  Id author_id = 0;
  TimePoint created_at;
  TimePoint updated_at;
  bool system = false;
};

struct PushData {
  int commit_count = 0;
  std::string action;  // pushed | created | removed
  std::string ref_type = "branch";
  std::string commit_from;  // "" -> null
  std::string commit_to;
  std::string ref;
  std::string commit_title;
};

struct Event {
  Id id = 0;
  Id project_id = 0;
  Id author_id = 0;
  std::string action;       // filter value: pushed, created, closed, reopened, merged, ...
  std::string action_name;  // what GitLab prints: "pushed to", "opened", "accepted", ...
  std::string target_type;  // "" | Issue | MergeRequest | Note | DiffNote
  Id target_id = 0;
  Id target_iid = 0;
  std::string target_title;
  TimePoint created_at;
  std::optional<PushData> push;
  Id note_id = 0;
};

struct Hook {
  Id id = 0;
  Id project_id = 0;
  std::string url;
  std::string token;
  std::string name;
  std::string description;
  std::string uuid;
  bool push_events = true;
  bool tag_push_events = false;
  bool merge_requests_events = false;
  bool note_events = false;
  bool confidential_note_events = false;
  bool issues_events = false;
  bool confidential_issues_events = false;
  bool pipeline_events = false;
  bool job_events = false;
  bool wiki_page_events = false;
  bool deployment_events = false;
  bool releases_events = false;
  bool enable_ssl_verification = true;
  std::string push_events_branch_filter;
  std::string branch_filter_strategy = "wildcard";
  TimePoint created_at;
  int recent_failures = 0;  // consecutive failed deliveries
  int backoff_count = 0;
  std::optional<TimePoint> disabled_until;
  bool permanently_disabled = false;
};

struct Application {
  Id id = 0;
  std::string uid;  // client_id
  std::string secret;
  std::string name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> scopes;
  bool confidential = true;
  bool trusted = false;
  TimePoint created_at;
};

struct OAuthToken {
  Id id = 0;
  std::string token;
  std::string refresh_token;
  Id user_id = 0;
  Id application_id = 0;
  std::vector<std::string> scopes;
  TimePoint created_at;
  std::int64_t expires_in = 7200;  // seconds
  bool revoked = false;
};

struct Grant {
  std::string code;
  Id application_id = 0;
  Id user_id = 0;
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::string code_challenge;
  std::string code_challenge_method;
  TimePoint created_at;
  bool used = false;
};

struct PersonalAccessToken {
  Id id = 0;
  std::string name;
  std::string token;
  Id user_id = 0;
  std::vector<std::string> scopes;
  TimePoint created_at;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> last_used_at;
  bool revoked = false;
};

struct Session {
  Id user_id = 0;
  std::string return_to;
};

// A webhook delivery the state wants sent; GitLabSim hands it to the dispatcher.
struct OutgoingHook {
  Id hook_id = 0;
  Id project_id = 0;
  std::string url;
  std::string token;
  std::string hook_uuid;
  std::string event;       // X-Gitlab-Event
  std::string body;        // JSON
  std::string event_uuid;  // X-Gitlab-Event-UUID: one per event, shared by its hooks
};

// A random version-4 UUID ("8-4-4-4-12" lowercase hex).
std::string NewUuid();

// Who is acting, after token and Sudo resolution. user_id 0 is anonymous.
struct Actor {
  Id user_id = 0;
  bool admin = false;
};

// Error messages follow GitLab's ("404 Project Not Found", "403 Forbidden").
struct CommitAction {
  std::string action;  // create | update | delete | move | chmod
  std::string file_path;
  std::string previous_path;
  std::string content;
};

struct NewCommit {
  std::string branch;
  std::string start_branch;
  std::string message;
  std::vector<CommitAction> actions;
  std::string author_name;   // "" -> the actor's name
  std::string author_email;  // "" -> the actor's commit email
  std::optional<TimePoint> created_at;
};

struct NewProjectHook {
  Hook fields;
  bool has_token = false;
};

class State {
 public:
  State(const Clock& clock, std::string external_url);

  const Clock& clock() const { return clock_; }
  TimePoint Now() const;
  const std::string& external_url() const { return external_url_; }
  void set_external_url(std::string url) { external_url_ = std::move(url); }

  // --- look-ups -------------------------------------------------------------------------
  const User* FindUser(Id id) const;
  const User* FindUserByUsername(std::string_view username) const;  // case-insensitive
  const User* FindUserByLogin(std::string_view login) const;        // username or email
  const Namespace* FindNamespace(Id id) const;
  const Namespace* FindNamespaceByPath(std::string_view full_path) const;
  const Project* FindProject(Id id) const;
  // `ref` is a numeric id or a full path ("group/sub/project").
  const Project* FindProjectByRef(std::string_view ref) const;
  const Namespace* FindGroupByRef(std::string_view ref) const;
  const Commit* FindCommit(Id project_id, std::string_view sha_or_ref) const;
  const MergeRequest* FindMergeRequest(Id project_id, Id iid) const;
  const Issue* FindIssue(Id project_id, Id iid) const;
  const Note* FindNote(Id id) const;
  const Application* FindApplicationByUid(std::string_view uid) const;

  // Effective access level (highest of direct, inherited through groups, personal namespace).
  int ProjectAccess(Id user_id, const Project& project) const;
  int GroupAccess(Id user_id, const Namespace& group) const;
  int DirectProjectAccess(Id user_id, Id project_id) const;
  int DirectGroupAccess(Id user_id, Id group_id) const;
  bool CanReadProject(const Actor& actor, const Project& project) const;
  bool CanReadCode(const Actor& actor, const Project& project) const;
  bool CanReadGroup(const Actor& actor, const Namespace& group) const;
  std::string ProjectPath(const Project& project) const;  // path_with_namespace
  std::string ProjectNameWithNamespace(const Project& project) const;
  std::string ProjectWebUrl(const Project& project) const;
  std::string UserWebUrl(const User& user) const;
  std::string NamespaceWebUrl(const Namespace& ns) const;
  std::string CommitEmail(const User& user) const;
  // Every e-mail address that belongs to `user` (primary, public, commit, secondary).
  std::vector<std::string> Emails(const User& user) const;

  // Commits reachable from `ref` (branch, sha, or "a..b"), newest first. nullopt: unknown ref.
  std::optional<std::vector<const Commit*>> CommitsReachable(const Project& project,
                                                             std::string_view ref) const;
  std::vector<const Commit*> AllCommits(const Project& project) const;

  // --- containers (read-only views for listing) ---------------------------------------
  const std::map<Id, User>& users() const { return users_; }
  const std::map<Id, Namespace>& namespaces() const { return namespaces_; }
  const std::map<Id, Project>& projects() const { return projects_; }
  const std::map<Id, MergeRequest>& merge_requests() const { return merge_requests_; }
  const std::map<Id, Issue>& issues() const { return issues_; }
  const std::map<Id, Note>& notes() const { return notes_; }
  const std::map<Id, Event>& events() const { return events_; }
  const std::map<Id, Hook>& hooks() const { return hooks_; }
  const std::map<Id, Application>& applications() const { return applications_; }
  const std::map<Id, Member>& project_members(Id project_id) const;
  const std::map<Id, Member>& group_members(Id group_id) const;

  // --- users, tokens, applications ---------------------------------------------------
  struct NewUser {
    std::string username;
    std::string name;
    std::string email;
    std::string password;
    std::string public_email;
    std::string commit_email;
    bool admin = false;
    std::optional<TimePoint> created_at;
  };
  Result<const User*> CreateUser(const NewUser& input);
  Status AddEmail(Id user_id, const std::string& email);
  bool CheckPassword(const User& user, std::string_view password) const;

  Result<const PersonalAccessToken*> CreatePersonalAccessToken(Id user_id, std::string name,
                                                               std::vector<std::string> scopes,
                                                               std::optional<TimePoint> expires_at,
                                                               std::string token = "");
  const PersonalAccessToken* FindPersonalAccessToken(std::string_view token) const;
  void TouchPersonalAccessToken(Id id);
  Status RevokePersonalAccessToken(Id id);

  Result<const Application*> CreateApplication(std::string name,
                                               std::vector<std::string> redirect_uris,
                                               std::vector<std::string> scopes, bool confidential,
                                               std::string uid = "", std::string secret = "");
  Status DeleteApplication(Id id);

  const Grant& CreateGrant(Id application_id, Id user_id, std::string redirect_uri,
                           std::vector<std::string> scopes, std::string code_challenge,
                           std::string code_challenge_method);
  Grant* FindGrant(std::string_view code);
  const OAuthToken& CreateOAuthToken(Id application_id, Id user_id,
                                     std::vector<std::string> scopes);
  OAuthToken* FindOAuthToken(std::string_view access_token);
  OAuthToken* FindOAuthTokenByRefresh(std::string_view refresh_token);
  bool HasMatchingOAuthToken(Id application_id, Id user_id,
                             const std::vector<std::string>& scopes) const;
  bool OAuthTokenExpired(const OAuthToken& token) const;
  // Revokes every OAuth and personal access token of the user; returns how many.
  int RevokeUserTokens(Id user_id);
  // Moves every live OAuth token of the user past its expiry; returns how many.
  int ExpireUserOAuthTokens(Id user_id);

  std::string CreateSession(Id user_id, std::string return_to);
  Session* FindSession(std::string_view id);
  void EndSession(std::string_view id);

  // --- groups, projects, members -------------------------------------------------------
  Result<const Namespace*> CreateGroup(const Actor& actor, std::string name, std::string path,
                                       std::optional<Id> parent_id, std::string visibility,
                                       std::string description,
                                       std::optional<TimePoint> created_at);
  Result<const Project*> CreateProject(const Actor& actor, std::string name, std::string path,
                                       std::optional<Id> namespace_id, std::string visibility,
                                       std::string description, std::string default_branch,
                                       bool initialize_with_readme,
                                       std::optional<TimePoint> created_at);
  Result<const Member*> AddProjectMember(const Actor& actor, Id project_id, Id user_id,
                                         int access_level);
  Result<const Member*> AddGroupMember(const Actor& actor, Id group_id, Id user_id,
                                       int access_level);

  // --- repository and work items -------------------------------------------------------
  Result<const Commit*> CreateCommit(const Actor& actor, Id project_id, const NewCommit& input);
  // One push of several commits (what `git push` does): one push event, one Push Hook.
  Result<std::vector<const Commit*>> Push(const Actor& actor, Id project_id,
                                          const std::string& branch,
                                          const std::string& start_branch,
                                          const std::vector<NewCommit>& commits);

  struct NewMergeRequest {
    std::string source_branch;
    std::string target_branch;
    std::string title;
    std::string description;
    std::vector<Id> assignee_ids;
    std::vector<Id> reviewer_ids;
    std::vector<std::string> labels;
    std::optional<TimePoint> created_at;
  };
  Result<const MergeRequest*> CreateMergeRequest(const Actor& actor, Id project_id,
                                                 const NewMergeRequest& input);
  Result<const MergeRequest*> UpdateMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                 std::optional<std::string> title,
                                                 std::optional<std::string> description,
                                                 const std::string& state_event,
                                                 std::optional<TimePoint> at);
  Result<const MergeRequest*> MergeMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                std::optional<TimePoint> at,
                                                const std::string& merge_commit_message);
  Result<const MergeRequest*> ApproveMergeRequest(const Actor& actor, Id project_id, Id iid,
                                                  std::optional<TimePoint> at);

  struct NewIssue {
    std::string title;
    std::string description;
    std::vector<Id> assignee_ids;
    std::vector<std::string> labels;
    std::optional<TimePoint> created_at;
  };
  Result<const Issue*> CreateIssue(const Actor& actor, Id project_id, const NewIssue& input);
  Result<const Issue*> UpdateIssue(const Actor& actor, Id project_id, Id iid,
                                   std::optional<std::string> title,
                                   std::optional<std::string> description,
                                   const std::string& state_event, std::optional<TimePoint> at);

  // noteable_type: Issue | MergeRequest | Commit; `ref` is the iid or the commit sha.
  Result<const Note*> CreateNote(const Actor& actor, Id project_id,
                                 const std::string& noteable_type, const std::string& ref,
                                 std::string body, std::optional<TimePoint> at);

  // --- hooks --------------------------------------------------------------------------
  Result<const Hook*> CreateHook(const Actor& actor, Id project_id, const NewProjectHook& input);
  // Applies `input` fields flagged in `set` (names of the fields given).
  Result<const Hook*> UpdateHook(const Actor& actor, Id project_id, Id hook_id,
                                 const NewProjectHook& input, const std::set<std::string>& set);
  Status DeleteHook(const Actor& actor, Id project_id, Id hook_id);
  // DELETE /projects/:id (Owner or administrator): the project and everything in it
  // (repository, merge requests, issues, notes, events, hooks, members) are gone.
  Status DeleteProject(const Actor& actor, Id project_id);
  bool HookExecutable(Id hook_id) const;
  // After a delivery (all its attempts): success resets the failure count; 4 consecutive
  // failures disable the hook temporarily (1 min, doubling to 24 h), 40 permanently.
  void RecordHookOutcome(Id hook_id, bool success);
  // Builds a test delivery (POST /projects/:id/hooks/:hook_id/test/:trigger).
  Result<OutgoingHook> TestHook(const Actor& actor, Id project_id, Id hook_id,
                                const std::string& trigger);
  std::vector<OutgoingHook> TakeOutbox();

  // A hook whose state allows delivery right now, re-enabled when its pause has passed.
  std::string HookAlertStatus(const Hook& hook) const;

  // Deterministic randomness for ids and shas (seeded), separate from secrets.
  std::mt19937_64& rng() { return rng_; }
  std::string NewSha();

 private:
  Id NextId(const char* kind);
  Status CheckProjectWrite(const Actor& actor, const Project& project, int level) const;
  void AddEvent(Event event);
  void Touch(Project& project, TimePoint at);
  void QueueHooks(const Project& project, const char* flag, const std::string& event,
                  const std::string& body, const std::string& branch = "");
  std::string HookPushBody(const Project& project, const User& actor, const std::string& ref,
                           const std::string& before, const std::string& after,
                           const std::vector<const Commit*>& commits) const;
  std::string HookMergeRequestBody(const Project& project, const User& actor,
                                   const MergeRequest& mr, const std::string& action) const;
  std::string HookIssueBody(const Project& project, const User& actor, const Issue& issue,
                            const std::string& action) const;
  std::string HookNoteBody(const Project& project, const User& actor, const Note& note) const;
  Result<const Commit*> ApplyCommit(Project& project, const User& actor,
                                    const std::string& parent_sha, const NewCommit& input,
                                    std::vector<std::string> extra_parents);

  const Clock& clock_;
  std::string external_url_;
  std::mt19937_64 rng_{20240601};
  std::map<std::string, Id> counters_;
  std::map<Id, User> users_;
  std::map<Id, Namespace> namespaces_;
  std::map<Id, Project> projects_;
  std::map<Id, std::map<Id, Member>> project_members_;
  std::map<Id, std::map<Id, Member>> group_members_;
  std::map<std::string, Commit> commits_;  // key: project_id + ":" + sha
  std::map<Id, MergeRequest> merge_requests_;
  std::map<Id, Issue> issues_;
  std::map<Id, Note> notes_;
  std::map<Id, Event> events_;
  std::map<Id, Hook> hooks_;
  std::map<Id, Application> applications_;
  std::map<Id, OAuthToken> oauth_tokens_;
  std::map<std::string, Grant> grants_;
  std::map<Id, PersonalAccessToken> personal_access_tokens_;
  std::map<std::string, Session> sessions_;
  std::vector<OutgoingHook> outbox_;
};

}  // namespace worklog::gitlab_sim
