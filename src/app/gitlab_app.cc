// The GitLab integration: apps, organization connection, OAuth callback, disconnect,
// projects, audit log, workers. Staff and webhooks are in gitlab_staff.cc and
// gitlab_webhook.cc.
#include "app/gitlab_app.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gitlab/client.h"
#include "gitlab/curl_transport.h"
#include "gitlab/oauth.h"

namespace worklog::app {
namespace {

Result<SecretBox> LoadSecrets(const std::string& data_dir) {
  // Read at start; nothing in worklog sets the environment.
  const char* env = std::getenv("WORKLOG_SECRET_KEY");  // NOLINT(concurrency-mt-unsafe)
  if ((env == nullptr || *env == '\0') && data_dir.empty()) {
    // In-process use without a data directory (tests, benchmarks): a key for this process
    // only; tokens stored with it cannot be read after a restart.
    std::string key(SecretBox::kKeyBytes, '\0');
    const std::string random = RandomToken(SecretBox::kKeyBytes * 2);
    std::copy_n(random.begin(), key.size(), key.begin());
    return SecretBox::FromKey(key);
  }
  return SecretBox::FromEnvironmentOrFile(data_dir);
}

}  // namespace

GitlabApp::GitlabApp(store::Store& store, const Clock& clock, Accounts& accounts,
                     std::string public_url, const std::string& data_dir, GitlabAppOptions options)
    : store_(store),
      clock_(clock),
      accounts_(accounts),
      public_url_(std::move(public_url)),
      options_(std::move(options)) {
  if (options_.transport == nullptr) {
    owned_transport_ = std::make_unique<gitlab::CurlTransport>();
    transport_ = owned_transport_.get();
  } else {
    transport_ = options_.transport;
  }
  auto secrets = LoadSecrets(data_dir);
  if (!secrets) {
    secrets_error_ = secrets.error().message;
    spdlog::error("GitLab tokens cannot be stored: the secret key is unavailable: {}",
                  secrets_error_);
    std::string key(SecretBox::kKeyBytes, 'x');
    secrets = SecretBox::FromKey(key);
  }
  secrets_ = std::make_unique<SecretBox>(*secrets);
  options_.sync.public_url = public_url_;
  org_ = std::make_unique<sync::OrgGitlab>(store_, clock_, *transport_, *secrets_,
                                           gitlab::ClientOptions{}, options_.base_url,
                                           options_.request_timeout);
  transport_ = &org_->transport();  // counted, timeouts capped
  sync_ = std::make_unique<sync::GitlabSync>(store_, clock_, *org_, options_.sync);
}

GitlabApp::~GitlabApp() { StopWorkers(); }

std::string GitlabApp::public_url() const {
  std::lock_guard lock(public_url_mutex_);
  return public_url_;
}

void GitlabApp::SetPublicUrl(std::string url) {
  sync_->SetPublicUrl(url);
  std::lock_guard lock(public_url_mutex_);
  public_url_ = std::move(url);
}

Status GitlabApp::RequireEnabled() const {
  if (!options_.enabled) {
    return NotFound("the GitLab integration is switched off on this server");
  }
  return {};
}

Status GitlabApp::RequireSecrets() const {
  if (!secrets_error_.empty()) {
    return Internal("the secret key for GitLab tokens is unavailable: " + secrets_error_);
  }
  return {};
}

void GitlabApp::RecordAudit(std::optional<int64_t> actor, std::string action, std::string target,
                            std::string detail) {
  auto appended = store_.GitlabOrg().AppendAudit({.id = 0,
                                                  .at = clock_.Now(),
                                                  .actor_user_id = actor,
                                                  .action = std::move(action),
                                                  .target = std::move(target),
                                                  .detail = std::move(detail)});
  if (!appended) {
    spdlog::error("audit log write failed: {}", appended.error().message);
  }
}

Result<std::vector<AppTile>> GitlabApp::ListApps() {
  AppTile tile{
      .key = "gitlab", .installed = false, .early_access = true, .enabled = options_.enabled};
  if (options_.enabled) {
    auto integration = store_.GitlabOrg().Get();
    if (!integration) {
      return tl::unexpected(integration.error());
    }
    tile.installed = integration->installed;
  }
  return std::vector<AppTile>{tile};
}

Status GitlabApp::Install(const Principal& caller) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return enabled;
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->installed) {
    return {};
  }
  if (auto installed = store_.GitlabOrg().SetInstalled(true, caller.user.id); !installed) {
    return installed;
  }
  RecordAudit(caller.user.id, "gitlab.install", "app:gitlab", "installed the GitLab app");
  return {};
}

Status GitlabApp::Uninstall(const Principal& caller) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return enabled;
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (!integration->installed) {
    return NotFound("the GitLab app is not installed");
  }
  if (integration->status != store::OrgStatus::kDisconnected) {
    if (auto disconnected = DisconnectOrganization(caller); !disconnected) {
      return disconnected;
    }
  }
  if (auto uninstalled = store_.GitlabOrg().SetInstalled(false, std::nullopt); !uninstalled) {
    return uninstalled;
  }
  RecordAudit(caller.user.id, "gitlab.uninstall", "app:gitlab", "uninstalled the GitLab app");
  return {};
}

Result<OrganizationView> GitlabApp::Organization() {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  OrganizationView view;
  view.status = integration->status;
  view.last_error = integration->last_error;
  if (integration->status != store::OrgStatus::kDisconnected) {
    view.base_url = integration->base_url;
    view.gitlab_username = integration->gitlab_username;
    view.connected_at = integration->connected_at;
    if (integration->connected_by) {
      if (auto user = store_.Users().Get(*integration->connected_by)) {
        view.connected_by = std::move(*user);
      }
    }
  }
  return view;
}

Result<std::string> GitlabApp::StartAuthorization(const Principal& caller, store::OAuthFlow flow,
                                                  const gitlab::OAuthApp& app, int64_t generation,
                                                  std::string_view scopes) {
  const gitlab::AuthorizationRequest request = gitlab::BeginAuthorization(app, scopes);
  const TimePoint now = clock_.Now();
  store::OAuthState state;
  state.state_hash = Sha256Hex(request.state);
  state.flow = flow;
  state.user_id = caller.user.id;
  state.session_id_hash = caller.method == AuthMethod::kSession ? caller.session_id_hash : "";
  state.verifier_sealed = secrets_->Seal(request.code_verifier);
  state.base_url = app.base_url.str();
  state.client_id = app.client_id;
  state.client_secret_sealed = secrets_->Seal(app.client_secret);
  state.redirect_uri = app.redirect_uri;
  state.generation = generation;
  state.created_at = now;
  state.expires_at =
      now + std::chrono::duration_cast<std::chrono::microseconds>(options_.oauth_state_lifetime);
  if (auto stored = store_.GitlabOrg().CreateOAuthState(state); !stored) {
    return tl::unexpected(stored.error());
  }
  return request.authorize_url;
}

Result<std::string> GitlabApp::BeginOrganizationConnect(const Principal& caller,
                                                        std::string_view base_url,
                                                        std::string_view client_id,
                                                        std::string_view client_secret) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  if (auto secrets = RequireSecrets(); !secrets) {
    return tl::unexpected(secrets.error());
  }
  auto parsed = gitlab::BaseUrl::Parse(base_url, options_.base_url, "base_url");
  if (!parsed) {
    return tl::unexpected(parsed.error());
  }
  const auto trimmed = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    }
    return std::string(text);
  };
  const std::string id = trimmed(client_id);
  const std::string secret = trimmed(client_secret);
  if (id.empty()) {
    return InvalidArgument("client_id", "enter the Application ID of the GitLab OAuth application");
  }
  if (id.size() > 512) {
    return InvalidArgument("client_id", "is longer than 512 characters");
  }
  if (secret.empty()) {
    return InvalidArgument("client_secret", "enter the Secret of the GitLab OAuth application");
  }
  if (secret.size() > 512) {
    return InvalidArgument("client_secret", "is longer than 512 characters");
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (!integration->installed) {
    return Conflict("install the GitLab app before connecting the organization");
  }
  if (integration->status == store::OrgStatus::kConnected) {
    return Conflict("the organization is already connected to GitLab; disconnect it first");
  }
  gitlab::OAuthApp app{.base_url = std::move(*parsed),
                       .client_id = id,
                       .client_secret = secret,
                       .redirect_uri = public_url() + std::string(kGitlabCallbackPath)};
  return StartAuthorization(caller, store::OAuthFlow::kOrganization, app, integration->generation,
                            gitlab::kDefaultScopes);
}

Result<CallbackRedirect> GitlabApp::Callback(const Principal& caller, std::string_view code,
                                             std::string_view state, std::string_view error,
                                             std::string_view error_description) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  if (state.empty()) {
    return InvalidArgument("state", "the GitLab callback carries no state");
  }
  auto stored = store_.GitlabOrg().ConsumeOAuthState(Sha256Hex(state), clock_.Now());
  if (!stored) {
    if (stored.error().code == ErrorCode::kNotFound) {
      return InvalidArgument("state",
                             "this GitLab sign-in is unknown, already used or expired; start "
                             "the connection again");
    }
    return tl::unexpected(stored.error());
  }
  if (stored->user_id != caller.user.id ||
      (!stored->session_id_hash.empty() && stored->session_id_hash != caller.session_id_hash)) {
    spdlog::warn("gitlab oauth state presented by another session user_id={}", caller.user.id);
    return PermissionDenied("this GitLab sign-in was started in another session");
  }
  const std::string_view page =
      stored->flow == store::OAuthFlow::kOrganization ? kOrganizationPage : kMyWorkPage;
  if (!error.empty()) {
    return Failed(
        page, error,
        error_description.empty() ? "GitLab did not authorize the app" : error_description);
  }
  if (code.empty()) {
    return Failed(page, "invalid_request", "GitLab sent no authorization code");
  }
  if (stored->flow == store::OAuthFlow::kOrganization) {
    return FinishOrganization(caller, *stored, code);
  }
  return FinishUser(caller, *stored, code);
}

CallbackRedirect GitlabApp::Failed(std::string_view page, std::string_view error,
                                   std::string_view detail) {
  return {fmt::format("{}?error={}&error_description={}", page, gitlab::PercentEncode(error),
                      gitlab::PercentEncode(detail))};
}

tl::expected<GitlabApp::CallbackTokens, CallbackRedirect> GitlabApp::ExchangeCallbackCode(
    const store::OAuthState& state, std::string_view code, std::string_view page) {
  auto base_url = gitlab::BaseUrl::Parse(state.base_url, options_.base_url);
  auto verifier = secrets_->Open(state.verifier_sealed);
  auto client_secret = secrets_->Open(state.client_secret_sealed);
  if (!base_url || !verifier || !client_secret) {
    return tl::unexpected(
        Failed(page, "server_error", "the sign-in could not be read back; start again"));
  }
  gitlab::OAuthClientOptions oauth_options;
  oauth_options.clock = &clock_;
  gitlab::OAuthClient oauth(*transport_,
                            gitlab::OAuthApp{.base_url = *base_url,
                                             .client_id = state.client_id,
                                             .client_secret = *client_secret,
                                             .redirect_uri = state.redirect_uri},
                            oauth_options);
  auto tokens = oauth.ExchangeCode(code, *verifier);
  if (!tokens) {
    return tl::unexpected(Failed(page, "token_exchange_failed", tokens.error().message));
  }
  return CallbackTokens{
      .base_url = std::move(*base_url), .oauth = std::move(oauth), .tokens = std::move(*tokens)};
}

gitlab::Client GitlabApp::ClientFor(const gitlab::BaseUrl& base_url,
                                    const std::string& access_token) {
  gitlab::ClientOptions client_options;
  client_options.clock = &clock_;
  return {*transport_, base_url, access_token, client_options};
}

Result<CallbackRedirect> GitlabApp::FinishOrganization(const Principal& caller,
                                                       const store::OAuthState& state,
                                                       std::string_view code) {
  const std::string_view page = kOrganizationPage;
  auto exchanged = ExchangeCallbackCode(state, code, page);
  if (!exchanged) {
    return exchanged.error();
  }
  const gitlab::BaseUrl& base_url = exchanged->base_url;
  const gitlab::OAuthClient& oauth = exchanged->oauth;
  const gitlab::TokenSet& tokens = exchanged->tokens;
  gitlab::Client client = ClientFor(base_url, tokens.access_token);
  auto me = client.CurrentUser();
  if (!me) {
    (void)oauth.Revoke(tokens.access_token);
    return Failed(page, "gitlab_error", me.error().message);
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  const auto expires_at =
      tokens.expires_in.count() > 0 ? tokens.ExpiresAt() : clock_.Now() + std::chrono::hours(2);
  int64_t generation = 0;
  if (integration->status == store::OrgStatus::kNeedsReauthorization &&
      integration->base_url == base_url.str() && integration->gitlab_user_id == me->id &&
      integration->client_id == state.client_id) {
    // Re-authorization of the same account: keep projects, hooks and staff links.
    generation = integration->generation;
    if (auto stored =
            store_.GitlabOrg().StoreTokens(generation, secrets_->Seal(tokens.access_token),
                                           secrets_->Seal(tokens.refresh_token), expires_at);
        !stored) {
      return tl::unexpected(stored.error());
    }
    if (auto set = store_.GitlabOrg().SetStatus(generation, store::OrgStatus::kConnected, "");
        !set) {
      return tl::unexpected(set.error());
    }
    RecordAudit(caller.user.id, "gitlab.organization.reauthorize", "organization",
                fmt::format("re-authorized as {} at {}", me->username, base_url.str()));
  } else {
    if (integration->status != store::OrgStatus::kDisconnected) {
      // Someone connected meanwhile: keep theirs.
      (void)oauth.Revoke(tokens.access_token);
      return Failed(page, "already_connected",
                    "the organization was connected meanwhile; disconnect it first");
    }
    store::OrgConnection connection{.base_url = base_url.str(),
                                    .client_id = state.client_id,
                                    .client_secret_sealed = state.client_secret_sealed,
                                    .redirect_uri = state.redirect_uri,
                                    .access_token_sealed = secrets_->Seal(tokens.access_token),
                                    .refresh_token_sealed = secrets_->Seal(tokens.refresh_token),
                                    .token_expires_at = expires_at,
                                    .gitlab_user_id = me->id,
                                    .gitlab_username = me->username,
                                    .gitlab_is_admin = me->is_admin,
                                    .connected_by = caller.user.id,
                                    .hook_secret_sealed = secrets_->Seal(RandomToken(32))};
    auto connected = store_.GitlabOrg().Connect(connection);
    if (!connected) {
      (void)oauth.Revoke(tokens.access_token);
      if (connected.error().code == ErrorCode::kConflict) {
        return Failed(page, "not_installed", connected.error().message);
      }
      return tl::unexpected(connected.error());
    }
    generation = connected->generation;
    RecordAudit(caller.user.id, "gitlab.organization.connect", "organization",
                fmt::format("connected as {} at {}", me->username, base_url.str()));
  }
  spdlog::info("gitlab organization connected base_url={} gitlab_user={} generation={}",
               base_url.str(), me->username, generation);
  // Discover the projects now so the Projects tab is filled when the browser lands; the
  // hooks and the backfill follow in the background.
  auto discovered = sync_->DiscoverProjects(generation);
  if (!discovered) {
    spdlog::warn("project discovery after connecting failed, queued for later: {}",
                 discovered.error().message);
    (void)sync_->EnqueueDiscover(generation);
  }
  sync_->Wake();
  return CallbackRedirect{std::string(page) + "?connected=1"};
}

Status GitlabApp::DisconnectOrganization(const Principal& caller) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return enabled;
  }
  auto identities = store_.GitlabOrg().ListIdentities();
  auto gone = store_.GitlabOrg().Disconnect();
  ForgetHookSecret();
  if (!gone) {
    return tl::unexpected(gone.error());
  }
  if (gone->integration.status == store::OrgStatus::kDisconnected) {
    return NotFound("the organization is not connected to GitLab");
  }
  if (auto deleted = store_.Activities().DeleteAll(); !deleted) {
    spdlog::error("deleting GitLab activities failed (the scheduler retries): {}",
                  deleted.error().message);
  }
  RecordAudit(caller.user.id, "gitlab.organization.disconnect", "organization",
              fmt::format("disconnected {} at {}", gone->integration.gitlab_username,
                          gone->integration.base_url));
  if (identities) {
    for (const auto& identity : *identities) {
      RecordAudit(caller.user.id, "gitlab.user.disconnect",
                  fmt::format("user:{}", identity.user_id),
                  fmt::format("{} (organization disconnected)", identity.username));
    }
  }
  CleanUpAtGitlab(*gone);
  sync_->Wake();
  return {};
}

void GitlabApp::CleanUpAtGitlab(const store::DisconnectedOrg& gone) {
  const store::GitlabIntegration& integration = gone.integration;
  auto app = org_->AppOf(integration);
  auto access = secrets_->Open(integration.access_token_sealed);
  auto refresh = secrets_->Open(integration.refresh_token_sealed);
  if (!app || !access || !refresh) {
    spdlog::warn("gitlab cleanup skipped: the stored connection cannot be read back");
    return;
  }
  gitlab::OAuthClient oauth = org_->OAuth(*app);
  // A token pair of our own for the cleanup: the stored connection is gone, so a refresh
  // must not write back.
  auto tokens = std::make_shared<std::pair<std::string, std::string>>(*access, *refresh);
  gitlab::ClientOptions options;
  options.clock = &clock_;
  options.refresh = [&oauth, tokens]() -> Result<std::string> {
    auto refreshed = oauth.Refresh(tokens->second);
    if (!refreshed) {
      return tl::unexpected(refreshed.error());
    }
    *tokens = {refreshed->access_token, refreshed->refresh_token};
    return refreshed->access_token;
  };
  gitlab::Client client(*transport_, app->base_url, *access, options);
  const std::string hook_url = sync::HookUrl(public_url());
  int removed = 0;
  for (const auto& project : gone.projects) {
    std::set<int64_t> ours;
    if (project.hook_id) {
      ours.insert(*project.hook_id);
    }
    if (auto hooks = client.ListProjectHooks(project.id)) {
      for (const auto& hook : *hooks) {
        if (hook.url == hook_url) {
          ours.insert(hook.id);
        }
      }
    }
    for (int64_t hook_id : ours) {
      if (auto deleted = client.DeleteProjectHook(project.id, hook_id); !deleted) {
        spdlog::warn("gitlab hook removal failed project_id={} hook_id={} error={}", project.id,
                     hook_id, deleted.error().message);
      } else {
        ++removed;
      }
    }
  }
  Status revoked_access = oauth.Revoke(tokens->first);
  Status revoked_refresh = oauth.Revoke(tokens->second);
  if (!revoked_access || !revoked_refresh) {
    spdlog::warn("gitlab token revocation failed: {}",
                 (!revoked_access ? revoked_access : revoked_refresh).error().message);
  }
  RecordAudit(std::nullopt, "gitlab.organization.cleanup", "organization",
              fmt::format("removed {} hook(s); tokens {}", removed,
                          revoked_access && revoked_refresh ? "revoked" : "NOT revoked"));
}

Result<std::vector<store::GitlabProject>> GitlabApp::Projects() {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto projects = store_.GitlabOrg().ListProjects();
  if (!projects) {
    return tl::unexpected(projects.error());
  }
  std::erase_if(*projects, [](const store::GitlabProject& p) { return !p.owned; });
  return projects;
}

Result<store::GitlabProject> GitlabApp::SetMonitored(const Principal& caller, int64_t project_id,
                                                     bool monitored) {
  if (auto enabled = RequireEnabled(); !enabled) {
    return tl::unexpected(enabled.error());
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  auto before = store_.GitlabOrg().GetProject(project_id);
  if (!before || !before->owned) {
    return NotFound(fmt::format("project {} not found", project_id));
  }
  auto changed = store_.GitlabOrg().SetMonitored(project_id, monitored);
  if (!changed) {
    return tl::unexpected(changed.error());
  }
  if (before->monitored != monitored) {
    RecordAudit(caller.user.id, monitored ? "gitlab.project.monitor" : "gitlab.project.unmonitor",
                fmt::format("project:{}", project_id), before->path_with_namespace);
    if (integration->status != store::OrgStatus::kDisconnected) {
      if (auto queued = sync_->EnqueueHook(integration->generation, project_id); !queued) {
        return tl::unexpected(queued.error());
      }
      if (monitored) {
        (void)sync_->EnqueuePoll(integration->generation, project_id);
      }
      sync_->Wake();
    }
  }
  return changed;
}

Result<std::vector<store::AuditEntry>> GitlabApp::Audit(int limit) {
  return store_.GitlabOrg().ListAudit(std::clamp(limit, 1, 1000));
}

void GitlabApp::StartWorkers() {
  if (options_.enabled) {
    sync_->Start();
  }
}

void GitlabApp::StopWorkers() {
  if (sync_) {
    sync_->Stop();
  }
}

}  // namespace worklog::app
