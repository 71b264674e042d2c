#include "sync/org_gitlab.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace worklog::sync {

OrgGitlab::OrgGitlab(store::Store& store, const Clock& clock, gitlab::Transport& transport,
                     const SecretBox& secrets, gitlab::ClientOptions client_options,
                     gitlab::BaseUrlOptions base_url_options,
                     std::chrono::milliseconds request_timeout)
    : store_(store),
      clock_(clock),
      transport_(transport, stats_, request_timeout),
      secrets_(secrets),
      client_options_(std::move(client_options)),
      base_url_options_(base_url_options) {}

Result<OrgGitlab::Session> OrgGitlab::Open() {
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->status != store::OrgStatus::kConnected) {
    return Conflict(integration->status == store::OrgStatus::kNeedsReauthorization
                        ? "the GitLab organization connection needs re-authorization"
                        : "the GitLab organization is not connected");
  }
  auto client = ClientFor(*integration);
  if (!client) {
    return tl::unexpected(client.error());
  }
  return Session{std::move(*integration), std::move(*client)};
}

Result<std::unique_ptr<gitlab::Client>> OrgGitlab::ClientFor(
    const store::GitlabIntegration& integration) {
  auto base_url = gitlab::BaseUrl::Parse(integration.base_url, base_url_options_);
  if (!base_url) {
    return tl::unexpected(base_url.error());
  }
  auto access_token = secrets_.Open(integration.access_token_sealed);
  if (!access_token) {
    return Internal(
        "the stored GitLab access token cannot be decrypted (was the secret key "
        "changed?)");
  }
  gitlab::ClientOptions options = client_options_;
  if (options.clock == nullptr) {
    options.clock = &clock_;
  }
  const int64_t generation = integration.generation;
  options.refresh = [this, generation]() { return Refresh(generation); };
  return std::make_unique<gitlab::Client>(transport_, std::move(*base_url),
                                          std::move(*access_token), std::move(options));
}

Result<gitlab::OAuthApp> OrgGitlab::AppOf(const store::GitlabIntegration& integration) const {
  auto base_url = gitlab::BaseUrl::Parse(integration.base_url, base_url_options_);
  if (!base_url) {
    return tl::unexpected(base_url.error());
  }
  auto secret = secrets_.Open(integration.client_secret_sealed);
  if (!secret) {
    return Internal("the stored GitLab client secret cannot be decrypted");
  }
  return gitlab::OAuthApp{.base_url = std::move(*base_url),
                          .client_id = integration.client_id,
                          .client_secret = std::move(*secret),
                          .redirect_uri = integration.redirect_uri};
}

gitlab::OAuthClient OrgGitlab::OAuth(gitlab::OAuthApp app) const {
  gitlab::OAuthClientOptions options;
  options.clock = &clock_;
  options.retry = client_options_.retry;
  options.sleeper = client_options_.sleeper;
  return {transport_, std::move(app), options};
}

void OrgGitlab::RecordSyncError(int64_t generation, std::string_view message) {
  {
    std::lock_guard lock(error_mutex_);
    if (last_sync_error_ == message) {
      return;  // already shown
    }
    last_sync_error_ = std::string(message);
  }
  // Only a connected connection takes the note: needs_reauthorization keeps its own text.
  auto integration = store_.GitlabOrg().Get();
  if (!integration || integration->generation != generation ||
      integration->status != store::OrgStatus::kConnected) {
    return;
  }
  (void)store_.GitlabOrg().SetStatus(generation, store::OrgStatus::kConnected, message);
}

void OrgGitlab::ClearSyncError(int64_t generation) {
  {
    std::lock_guard lock(error_mutex_);
    last_sync_error_.clear();
  }
  auto integration = store_.GitlabOrg().Get();
  if (!integration || integration->generation != generation ||
      integration->status != store::OrgStatus::kConnected || integration->last_error.empty()) {
    return;
  }
  (void)store_.GitlabOrg().SetStatus(generation, store::OrgStatus::kConnected, "");
}

Result<std::string> OrgGitlab::Refresh(int64_t generation) {
  std::lock_guard lock(refresh_mutex_);
  auto integration = store_.GitlabOrg().Get();
  if (!integration) {
    return tl::unexpected(integration.error());
  }
  if (integration->generation != generation ||
      integration->status == store::OrgStatus::kDisconnected) {
    return Unauthenticated("the GitLab organization was disconnected");
  }
  auto app = AppOf(*integration);
  if (!app) {
    return tl::unexpected(app.error());
  }
  auto refresh_token = secrets_.Open(integration->refresh_token_sealed);
  if (!refresh_token) {
    return Internal("the stored GitLab refresh token cannot be decrypted");
  }
  auto refreshed = OAuth(*app).Refresh(*refresh_token);
  if (!refreshed) {
    const Error error = refreshed.error();
    if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kRateLimited) {
      return tl::unexpected(error);  // try again later; tokens unchanged
    }
    // Another node may have rotated the pair a moment ago: then our refresh token is stale
    // but the connection is fine.
    auto now_stored = store_.GitlabOrg().Get();
    if (now_stored && now_stored->generation == generation &&
        now_stored->refresh_token_sealed != integration->refresh_token_sealed) {
      auto adopted = secrets_.Open(now_stored->access_token_sealed);
      if (adopted) {
        return *adopted;
      }
    }
    spdlog::warn("gitlab organization token refresh rejected; needs re-authorization: {}",
                 error.message);
    (void)store_.GitlabOrg().SetStatus(
        generation, store::OrgStatus::kNeedsReauthorization,
        "GitLab rejected the stored authorization (revoked or expired). Connect the "
        "organization again.");
    (void)store_.GitlabOrg().AppendAudit({.id = 0,
                                          .at = clock_.Now(),
                                          .actor_user_id = std::nullopt,
                                          .action = "gitlab.organization.needs_reauthorization",
                                          .target = "organization",
                                          .detail = "token refresh rejected by GitLab"});
    return Unauthenticated("GitLab re-authorization needed");
  }
  const auto expires_at = refreshed->expires_in.count() > 0 ? refreshed->ExpiresAt()
                                                            : clock_.Now() + std::chrono::hours(2);
  if (auto stored =
          store_.GitlabOrg().StoreTokens(generation, secrets_.Seal(refreshed->access_token),
                                         secrets_.Seal(refreshed->refresh_token), expires_at);
      !stored) {
    return tl::unexpected(stored.error());
  }
  spdlog::info("gitlab organization tokens refreshed generation={}", generation);
  return refreshed->access_token;
}

}  // namespace worklog::sync
