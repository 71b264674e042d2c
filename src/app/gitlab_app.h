#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/accounts.h"
#include "app/principal.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"
#include "domain/user.h"
#include "gitlab/base_url.h"
#include "gitlab/client.h"
#include "gitlab/oauth.h"
#include "gitlab/transport.h"
#include "store/store.h"
#include "sync/gitlab_sync.h"
#include "sync/org_gitlab.h"

namespace worklog::app {

inline constexpr std::string_view kGitlabCallbackPath = "/apps/gitlab/oauth/callback";
inline constexpr std::string_view kOrganizationPage = "/apps/gitlab/organization";
inline constexpr std::string_view kMyWorkPage = "/my-work";

struct GitlabAppOptions {
  // `--gitlab-integration=off` switches the integration off for the whole server: the
  // app cannot be installed, every GitLab endpoint answers 404 and no worker runs.
  bool enabled = true;
  // The workers' settings; sync.public_url is filled from AppOptions::public_url.
  sync::SyncOptions sync;
  std::chrono::minutes oauth_state_lifetime{10};
  gitlab::BaseUrlOptions base_url;
  // Outbound HTTP to GitLab; nullptr: a libcurl transport owned by the app.
  gitlab::Transport* transport = nullptr;
  // Caps every GitLab request's timeout (0: the clients' own, 60 s for API calls);
  // `serve --gitlab-timeout`.
  std::chrono::milliseconds request_timeout{0};
};

struct AppTile {
  std::string key;  // "gitlab"
  bool installed = false;
  bool early_access = true;
  bool enabled = true;
};

struct OrganizationView {
  store::OrgStatus status = store::OrgStatus::kDisconnected;
  std::string base_url;
  std::string gitlab_username;
  std::optional<domain::User> connected_by;
  std::optional<TimePoint> connected_at;
  std::string last_error;
};

// A user's link to GitLab as people see it.
struct GitlabLinkView {
  store::GitlabIdentity identity;
  bool self = false;                         // connected through their own consent
  std::optional<domain::User> connected_by;  // the administrator, when not self
};

struct StaffMember {
  domain::User user;
  std::optional<GitlabLinkView> gitlab;
};

struct GitlabCandidate {
  int64_t id = 0;  // GitLab user id
  std::string username;
  std::string name;
  std::string web_url;
  std::string matched_by;  // "public_email", "email" (administrator token), "commit_email"
};

struct StaffConnectResult {
  int64_t user_id = 0;
  std::string result;  // connected | no_match | ambiguous | not_found | disconnected |
                       // not_connected | conflict
  std::string gitlab_username;
  std::vector<GitlabCandidate> candidates;
  std::string detail;
};

struct WebhookInput {
  std::string_view token;            // X-Gitlab-Token
  std::string_view event;            // X-Gitlab-Event
  std::string_view event_uuid;       // X-Gitlab-Event-UUID
  std::string_view idempotency_key;  // Idempotency-Key
  std::string_view body;
};

enum class WebhookOutcome { kStored, kDuplicate, kIgnored };

// Where the OAuth callback sends the browser.
struct CallbackRedirect {
  std::string location;
};

// The GitLab integration's use cases (DESIGN.md §1, §5): install, connect the
// organization, projects, staff, self-connect, disconnect, the webhook receiver, the
// audit log, and the background workers. Administrator checks are the caller's
// (http routes); everything here trusts `caller` for who acts. Thread-safe.
class GitlabApp {
 public:
  GitlabApp(store::Store& store, const Clock& clock, Accounts& accounts, std::string public_url,
            const std::string& data_dir, GitlabAppOptions options);
  GitlabApp(const GitlabApp&) = delete;
  GitlabApp& operator=(const GitlabApp&) = delete;
  GitlabApp(GitlabApp&&) = delete;
  GitlabApp& operator=(GitlabApp&&) = delete;
  ~GitlabApp();

  bool enabled() const { return options_.enabled; }
  std::string public_url() const;
  // `serve` on port 0 learns its URL once bound.
  void SetPublicUrl(std::string url);

  // Apps.
  Result<std::vector<AppTile>> ListApps();
  Status Install(const Principal& caller);
  // Disconnects the organization first when connected.
  Status Uninstall(const Principal& caller);

  // Organization.
  Result<OrganizationView> Organization();
  // The URL to send the administrator's browser to (GitLab's consent page).
  Result<std::string> BeginOrganizationConnect(const Principal& caller, std::string_view base_url,
                                               std::string_view client_id,
                                               std::string_view client_secret);
  // GET /apps/gitlab/oauth/callback for both flows. Errors (as problems): a missing,
  // unknown, expired or replayed state; a state started by another session. Everything
  // after the state checked out ends in a redirect, with ?error= when it failed.
  Result<CallbackRedirect> Callback(const Principal& caller, std::string_view code,
                                    std::string_view state, std::string_view error,
                                    std::string_view error_description);
  // Revokes the tokens at GitLab, removes the hooks worklog created, disconnects every
  // user, deletes every GitLab activity, cancels queued work. Logged worklogs stay.
  Status DisconnectOrganization(const Principal& caller);

  // Projects (only those still owned, by path).
  Result<std::vector<store::GitlabProject>> Projects();
  Result<store::GitlabProject> SetMonitored(const Principal& caller, int64_t project_id,
                                            bool monitored);

  // Staff.
  Result<std::vector<StaffMember>> Staff();
  Result<StaffMember> AddStaff(const Principal& caller, const AddUserInput& input);
  // `choices`: user id -> GitLab user id, resolving an earlier "ambiguous".
  Result<std::vector<StaffConnectResult>> ConnectStaff(const Principal& caller,
                                                       const std::vector<int64_t>& user_ids,
                                                       const std::map<int64_t, int64_t>& choices);
  Result<std::vector<StaffConnectResult>> DisconnectStaff(const Principal& caller,
                                                          const std::vector<int64_t>& user_ids);

  // The caller's own connection.
  Result<std::string> BeginSelfConnect(const Principal& caller);
  Status DisconnectSelf(const Principal& caller);
  Result<std::optional<GitlabLinkView>> LinkOf(int64_t user_id);

  Result<std::vector<store::AuditEntry>> Audit(int limit);

  // POST /hooks/gitlab, first step: `token` (X-Gitlab-Token) against the connected
  // organization's webhook secret, in constant time; kUnauthenticated when it does not
  // match or no organization is connected. Reads nothing of the body.
  //
  // The unsealed secret is kept in memory, so a delivery reads no database row: a token is
  // accepted on a copy at most kHookSecretFresh old, and never refused on a copy (a refusal
  // re-reads the row, so a reconnect on another node, which makes a new secret, is seen at
  // once). A disconnect on this node forgets the copy at once; a disconnect on another node
  // stops this one accepting the old token within kHookSecretFresh, and what it accepts
  // meanwhile is dropped by the inbox workers (the organization is disconnected).
  Status CheckWebhookToken(std::string_view token);
  // Checks the token (CheckWebhookToken), then the event, and stores the raw delivery
  // durably (kStored, kDuplicate for a redelivery, kIgnored for an event worklog does not
  // subscribe to).
  Result<WebhookOutcome> ReceiveWebhook(const WebhookInput& input);

  // Background workers (`worklog serve`); no-op when the integration is off.
  void StartWorkers();
  void StopWorkers();
  sync::GitlabSync& sync() { return *sync_; }

  // The integration's Prometheus series (gitlab_metrics.cc): GitLab requests by status,
  // failed background work, inbox depth, queued jobs, connection and hook states.
  std::string RenderMetrics();

 private:
  Status RequireEnabled() const;
  Status RequireSecrets() const;
  void RecordAudit(std::optional<int64_t> actor, std::string action, std::string target,
                   std::string detail);
  Result<std::string> StartAuthorization(const Principal& caller, store::OAuthFlow flow,
                                         const gitlab::OAuthApp& app, int64_t generation,
                                         std::string_view scopes);
  // Where the callback sends the browser when it fails: `page` with the OAuth error and a
  // description it shows.
  static CallbackRedirect Failed(std::string_view page, std::string_view error,
                                 std::string_view detail);
  // The part of the callback both flows share: the application `state` was made for, and
  // the tokens GitLab gives for `code` with the state's PKCE verifier. Unexpected: the
  // redirect back to `page` that says why not.
  struct CallbackTokens {
    gitlab::BaseUrl base_url;
    gitlab::OAuthClient oauth;  // gives the tokens back (Revoke)
    gitlab::TokenSet tokens;
  };
  tl::expected<CallbackTokens, CallbackRedirect> ExchangeCallbackCode(
      const store::OAuthState& state, std::string_view code, std::string_view page);
  // A GitLab API client acting with `access_token`.
  gitlab::Client ClientFor(const gitlab::BaseUrl& base_url, const std::string& access_token);
  Result<CallbackRedirect> FinishOrganization(const Principal& caller,
                                              const store::OAuthState& state,
                                              std::string_view code);
  Result<CallbackRedirect> FinishUser(const Principal& caller, const store::OAuthState& state,
                                      std::string_view code);
  Result<std::vector<GitlabCandidate>> Candidates(gitlab::Client& client,
                                                  const store::GitlabIntegration& integration,
                                                  const std::string& email);
  void CleanUpAtGitlab(const store::DisconnectedOrg& gone);
  Result<GitlabLinkView> ViewOf(const store::GitlabIdentity& identity);

  void ForgetHookSecret();

  // The webhook secret as last read (see CheckWebhookToken).
  static constexpr std::chrono::seconds kHookSecretFresh{1};
  struct HookSecret {
    bool connected = false;
    std::string secret;  // unsealed
    std::chrono::steady_clock::time_point read_at{};
  };

  store::Store& store_;
  const Clock& clock_;
  Accounts& accounts_;
  std::mutex hook_secret_mutex_;
  HookSecret hook_secret_;          // Guarded by hook_secret_mutex_.
  uint64_t hook_secret_epoch_ = 0;  // Guarded by hook_secret_mutex_; ForgetHookSecret bumps it.
  mutable std::mutex public_url_mutex_;
  std::string public_url_;  // Guarded by public_url_mutex_.
  GitlabAppOptions options_;
  std::unique_ptr<gitlab::Transport> owned_transport_;
  gitlab::Transport* transport_;
  std::unique_ptr<SecretBox> secrets_;
  std::string secrets_error_;  // why the data-dir key could not be loaded
  std::unique_ptr<sync::OrgGitlab> org_;
  std::unique_ptr<sync::GitlabSync> sync_;
};

}  // namespace worklog::app
