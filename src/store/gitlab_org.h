#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

// The GitLab integration of this server (DESIGN.md §1, §2): whether the app is installed,
// the one organization connection (encrypted tokens), the OAuth sign-ins in flight, the
// projects seen with Owner role and their hooks and poll cursors, the links user ⇄ GitLab
// user, e-mails learned from pushes, and the audit log.
//
// Every secret arrives and leaves *sealed* (common/crypto.h SecretBox): the store never
// sees a token in clear.
//
// `generation` counts connections: Connect and Disconnect bump it. Work started under one
// connection (a job, a token refresh) passes the generation it saw, and its writes fail
// with kConflict once the organization was disconnected or reconnected meanwhile, so a
// late worker never resurrects state of an old connection.
namespace worklog::store {

enum class OrgStatus { kDisconnected, kConnected, kNeedsReauthorization };
std::string_view OrgStatusName(OrgStatus status);  // "disconnected", "connected", ...
Result<OrgStatus> ParseOrgStatus(std::string_view text);

// The singleton row. A fresh database reads as not installed and disconnected.
struct GitlabIntegration {
  bool installed = false;
  std::optional<TimePoint> installed_at;
  std::optional<int64_t> installed_by;  // users.id

  OrgStatus status = OrgStatus::kDisconnected;
  int64_t generation = 0;
  std::string base_url;  // normalized, e.g. "https://gitlab.example.com"
  std::string client_id;
  std::string client_secret_sealed;
  std::string redirect_uri;
  std::string access_token_sealed;
  std::string refresh_token_sealed;
  TimePoint token_expires_at{};
  int64_t gitlab_user_id = 0;  // the connecting GitLab account
  std::string gitlab_username;
  bool gitlab_is_admin = false;         // an instance administrator (may read private e-mails)
  std::optional<int64_t> connected_by;  // users.id of the administrator who connected
  TimePoint connected_at{};
  std::string last_error;          // for the Organization tab; never a secret
  std::string hook_secret_sealed;  // X-Gitlab-Token of every hook we create
};

// What Connect stores.
struct OrgConnection {
  std::string base_url;
  std::string client_id;
  std::string client_secret_sealed;
  std::string redirect_uri;
  std::string access_token_sealed;
  std::string refresh_token_sealed;
  TimePoint token_expires_at{};
  int64_t gitlab_user_id = 0;
  std::string gitlab_username;
  bool gitlab_is_admin = false;
  int64_t connected_by = 0;
  std::string hook_secret_sealed;
};

// An OAuth authorization in flight, from "connect" to the callback. Only the SHA-256 of
// the `state` is stored; the PKCE verifier and the client secret are sealed.
enum class OAuthFlow { kOrganization, kUser };
struct OAuthState {
  std::string state_hash;
  OAuthFlow flow = OAuthFlow::kOrganization;
  int64_t user_id = 0;          // who started it
  std::string session_id_hash;  // the browser session it is bound to (empty: Bearer)
  std::string verifier_sealed;
  std::string base_url;
  std::string client_id;
  std::string client_secret_sealed;
  std::string redirect_uri;
  int64_t generation = 0;  // kUser: the organization connection it ran under
  TimePoint created_at{};
  TimePoint expires_at{};
};

enum class HookStatus {
  kPending,  // not registered yet (a job is on its way)
  kActive,   // a hook of ours exists at GitLab
  kFailed,   // registering failed; `hook_error` says why; polled meanwhile
  kPolling,  // GitLab cannot reach our public URL: polled instead
  kNone,     // not monitored
};
std::string_view HookStatusName(HookStatus status);
Result<HookStatus> ParseHookStatus(std::string_view text);

// A project seen with Owner role through the organization connection.
struct GitlabProject {
  int64_t id = 0;  // the GitLab project id
  std::string path_with_namespace;
  std::string web_url;
  bool monitored = true;
  bool owned = true;  // false: no longer Owner at the last discovery (not monitored)
  std::optional<int64_t> hook_id;
  HookStatus hook_status = HookStatus::kPending;
  std::string hook_error;
  // Events API cursor: every event up to and including this id (created at cursor_at) has
  // been read. 0: nothing read yet (the backfill starts from the configured horizon).
  int64_t cursor_event_id = 0;
  TimePoint cursor_at{};
  bool backfilled = false;
  TimePoint last_polled_at{};
  TimePoint discovered_at{};
};

struct DiscoveredProject {
  int64_t id = 0;
  std::string path_with_namespace;
  std::string web_url;
};

// The link user ⇄ GitLab user.
struct GitlabIdentity {
  int64_t user_id = 0;
  int64_t gitlab_user_id = 0;
  std::string username;
  std::vector<std::string> emails;  // verified e-mails known for the GitLab user, lowercased
  int64_t connected_by = 0;         // users.id; == user_id when the user connected themself
  TimePoint connected_at{};
};

// A commit author e-mail seen in a push by a GitLab user: GitLab ties the pusher to the
// commits it pushed, which lets an administrator match staff whose e-mail is private.
struct EmailSighting {
  std::string email;  // lowercased
  int64_t gitlab_user_id = 0;
  std::string username;
  std::string name;
  TimePoint seen_at{};
};

struct AuditEntry {
  int64_t id = 0;
  TimePoint at{};
  std::optional<int64_t> actor_user_id;  // empty: the system (a worker)
  std::string action;                    // "gitlab.install", "gitlab.organization.connect", ...
  std::string target;                    // "user:7", "project:42", ...
  std::string detail;                    // for people; never a secret
};

// What Disconnect removed, so the caller can clean up at GitLab (revoke, delete hooks).
struct DisconnectedOrg {
  GitlabIntegration integration;
  std::vector<GitlabProject> projects;
};

// The organization's Activity Feed settings (migrations/*/0031_feed_settings.sql): how
// activities become durations (DESIGN §3.4) and a smart commit's day and week (§3.6).
struct FeedSettings {
  int64_t max_gap_minutes = 120;      // a longer gap ends a session
  int64_t lead_in_minutes = 30;       // owned by a session's first activity
  int64_t rounding_minutes = 15;      // per (day, issue key); also the minimum
  int64_t hours_per_day = 8;          // smart commits: 1d
  int64_t days_per_week = 5;          // smart commits: 1w
  std::optional<int64_t> updated_by;  // users.id; none while the defaults stand
  TimePoint updated_at{};
};

class GitlabOrgRepository {
 public:
  GitlabOrgRepository() = default;
  GitlabOrgRepository(const GitlabOrgRepository&) = delete;
  GitlabOrgRepository& operator=(const GitlabOrgRepository&) = delete;
  GitlabOrgRepository(GitlabOrgRepository&&) = delete;
  GitlabOrgRepository& operator=(GitlabOrgRepository&&) = delete;
  virtual ~GitlabOrgRepository() = default;

  virtual Result<GitlabIntegration> Get() = 0;
  // Installs or uninstalls the app; `by` is recorded when installing.
  virtual Status SetInstalled(bool installed, std::optional<int64_t> by) = 0;

  // Stores a new connection (status connected, no projects, no identities) and returns it
  // with its new generation. kConflict when the app is not installed.
  virtual Result<GitlabIntegration> Connect(const OrgConnection& connection) = 0;
  // Stores a rotated token pair, atomically. kConflict when `generation` is not current.
  virtual Status StoreTokens(int64_t generation, std::string_view access_token_sealed,
                             std::string_view refresh_token_sealed, TimePoint expires_at) = 0;
  // Sets the status and the error shown to administrators. kConflict as above, and when
  // the organization is disconnected.
  virtual Status SetStatus(int64_t generation, OrgStatus status, std::string_view last_error) = 0;
  // Forgets the connection, its projects, identities, e-mail sightings and OAuth states, and
  // bumps the generation; returns what was connected (status kDisconnected and no projects
  // when nothing was).
  virtual Result<DisconnectedOrg> Disconnect() = 0;

  virtual Status CreateOAuthState(const OAuthState& state) = 0;
  // Returns and deletes the state: a second use is kNotFound. kNotFound also when expired.
  virtual Result<OAuthState> ConsumeOAuthState(std::string_view state_hash, TimePoint now) = 0;

  // Adds the projects not seen before (monitored, hook pending) and refreshes the paths of
  // the others; projects missing from `seen` are marked not owned. Returns the projects
  // that were added. kConflict when `generation` is not current.
  virtual Result<std::vector<GitlabProject>> SyncProjects(
      int64_t generation, const std::vector<DiscoveredProject>& seen) = 0;
  // Ordered by path_with_namespace.
  virtual Result<std::vector<GitlabProject>> ListProjects() = 0;
  virtual Result<GitlabProject> GetProject(int64_t project_id) = 0;  // kNotFound
  // kNotFound for an unknown project; returns the project as stored.
  virtual Result<GitlabProject> SetMonitored(int64_t project_id, bool monitored) = 0;
  virtual Status SetHook(int64_t generation, int64_t project_id, std::optional<int64_t> hook_id,
                         HookStatus status, std::string_view error) = 0;
  // Moves the Events API cursor forward (never back) and records the poll time.
  virtual Status AdvanceCursor(int64_t generation, int64_t project_id, int64_t event_id,
                               TimePoint event_at, bool backfilled, TimePoint polled_at) = 0;

  // kConflict (field "gitlab_user_id") when that GitLab user is linked to another user;
  // replaces the user's previous link.
  virtual Result<GitlabIdentity> LinkIdentity(const GitlabIdentity& identity) = 0;
  virtual Status UnlinkIdentity(int64_t user_id) = 0;  // kNotFound when not linked
  virtual Result<std::optional<GitlabIdentity>> GetIdentity(int64_t user_id) = 0;
  virtual Result<std::vector<GitlabIdentity>> ListIdentities() = 0;  // by user_id

  // Upserts (newest seen_at wins).
  virtual Status RecordEmailSightings(const std::vector<EmailSighting>& sightings) = 0;
  virtual Result<std::vector<EmailSighting>> FindEmailSightings(std::string_view email) = 0;

  // The one settings row (defaults until changed). Update replaces every value and bumps
  // every user's feed stamp (ActivityRepository::FeedStamp).
  virtual Result<FeedSettings> GetFeedSettings() = 0;
  virtual Result<FeedSettings> UpdateFeedSettings(const FeedSettings& settings) = 0;

  virtual Result<AuditEntry> AppendAudit(const AuditEntry& entry) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<AuditEntry>> ListAudit(int limit) = 0;
};

}  // namespace worklog::store
