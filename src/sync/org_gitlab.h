#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"
#include "gitlab/base_url.h"
#include "gitlab/client.h"
#include "gitlab/oauth.h"
#include "gitlab/transport.h"
#include "store/store.h"
#include "sync/sync_stats.h"

namespace worklog::sync {

// GitLab clients for the organization connection: decrypts the stored tokens, refreshes
// them when GitLab rejects them or they are about to expire, stores every rotated pair
// atomically (GitLab invalidates the old pair on refresh), and marks the connection
// `needs_reauthorization` when the grant is gone. Thread-safe.
class OrgGitlab {
 public:
  OrgGitlab(store::Store& store, const Clock& clock, gitlab::Transport& transport,
            const SecretBox& secrets, gitlab::ClientOptions client_options = {},
            gitlab::BaseUrlOptions base_url_options = {},
            std::chrono::milliseconds request_timeout = std::chrono::milliseconds(0));

  struct Session {
    store::GitlabIntegration integration;
    std::unique_ptr<gitlab::Client> client;
  };
  // A client for the current connection. kConflict when the organization is not connected
  // (or needs re-authorization).
  Result<Session> Open();
  // A client for an explicit connection row (already loaded).
  Result<std::unique_ptr<gitlab::Client>> ClientFor(const store::GitlabIntegration& integration);

  // Refreshes the tokens of `generation` now. When another node rotated them meanwhile,
  // adopts its pair instead. Returns the new access token. A rejected grant marks the
  // connection needs_reauthorization and answers kUnauthenticated.
  Result<std::string> Refresh(int64_t generation);

  // The OAuth application of a stored connection (client secret decrypted).
  Result<gitlab::OAuthApp> AppOf(const store::GitlabIntegration& integration) const;
  gitlab::OAuthClient OAuth(gitlab::OAuthApp app) const;

  // What the administrator sees while GitLab misbehaves: the latest failure of background
  // work is kept as the connection's last_error (status unchanged) until work succeeds.
  void RecordSyncError(int64_t generation, std::string_view message);
  void ClearSyncError(int64_t generation);

  const SecretBox& secrets() const { return secrets_; }
  // Every request to GitLab goes through this transport: counted in stats(), timeouts
  // capped at `request_timeout` when it is set.
  gitlab::Transport& transport() { return transport_; }
  SyncStats& stats() { return stats_; }
  const gitlab::BaseUrlOptions& base_url_options() const { return base_url_options_; }

 private:
  store::Store& store_;
  const Clock& clock_;
  SyncStats stats_;
  mutable CountingTransport transport_;
  const SecretBox& secrets_;
  const gitlab::ClientOptions client_options_;
  const gitlab::BaseUrlOptions base_url_options_;
  std::mutex refresh_mutex_;  // one refresh at a time in this process
  std::mutex error_mutex_;
  std::string last_sync_error_;  // Guarded by error_mutex_: what this node last wrote.
};

}  // namespace worklog::sync
