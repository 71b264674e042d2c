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

namespace worklog::sync {

// GitLab clients for the organization connection: decrypts the stored tokens, refreshes
// them when GitLab rejects them or they are about to expire, stores every rotated pair
// atomically (GitLab invalidates the old pair on refresh), and marks the connection
// `needs_reauthorization` when the grant is gone. Thread-safe.
class OrgGitlab {
 public:
  OrgGitlab(store::Store& store, const Clock& clock, gitlab::Transport& transport,
            const SecretBox& secrets, gitlab::ClientOptions client_options = {},
            gitlab::BaseUrlOptions base_url_options = {});

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

  const SecretBox& secrets() const { return secrets_; }
  gitlab::Transport& transport() { return transport_; }
  const gitlab::BaseUrlOptions& base_url_options() const { return base_url_options_; }

 private:
  store::Store& store_;
  const Clock& clock_;
  gitlab::Transport& transport_;
  const SecretBox& secrets_;
  const gitlab::ClientOptions client_options_;
  const gitlab::BaseUrlOptions base_url_options_;
  std::mutex refresh_mutex_;  // one refresh at a time in this process
};

}  // namespace worklog::sync
