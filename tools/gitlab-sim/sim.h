#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::gitlab_sim {

enum class Seed {
  kEmpty,  // the root administrator alone
  kDemo,   // 3 groups, 8 projects, 12 users, 30 days of activity, one OAuth application
};

struct SimOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks one; GitLabSim::port() tells which
  Seed seed = Seed::kEmpty;
  // The administrator's personal access token (scopes api, read_user, sudo, admin_mode).
  // Empty: a random one (see GitLabSim::root_token()).
  std::string root_token;
  // Redirect URI of the demo OAuth application (Seed::kDemo only).
  std::string oauth_redirect_uri = "http://127.0.0.1:8080/apps/gitlab/oauth/callback";
  // The URL GitLab believes it lives at (web_url, X-Gitlab-Instance, ...). Empty: http://host:port.
  std::string external_url;
  // Time source for timestamps, token lifetimes and hook back-off. nullptr: the system clock.
  const Clock* clock = nullptr;
  // Webhook delivery: per-attempt timeout, and the pauses before each retry (their count is
  // the number of retries).
  std::chrono::milliseconds hook_timeout{10000};
  std::vector<std::chrono::milliseconds> hook_retry_delays{std::chrono::milliseconds{200},
                                                           std::chrono::milliseconds{1000}};
  int threads = 16;  // HTTP worker threads
};

// A sign-in the demo seed made.
struct DemoAccount {
  std::string username;
  std::string email;
  std::string password;
  std::string role;  // what the account is for in the demo, for people
};

struct DemoInfo {
  std::string oauth_application_id;  // client_id
  std::string oauth_secret;          // client_secret
  std::string oauth_redirect_uri;
  std::vector<DemoAccount> accounts;
};

// An in-memory GitLab stand-in speaking GitLab's wire format (see tools/gitlab-sim/README.md).
// Start() seeds it and serves on a background thread; Stop() (or the destructor) ends it.
class GitLabSim {
 public:
  explicit GitLabSim(SimOptions options);
  GitLabSim(const GitLabSim&) = delete;
  GitLabSim& operator=(const GitLabSim&) = delete;
  GitLabSim(GitLabSim&&) = delete;
  GitLabSim& operator=(GitLabSim&&) = delete;
  ~GitLabSim();

  // Seeds, binds and starts serving. Fails when the address cannot be bound.
  Status Start();
  // Stops serving and delivering webhooks; idempotent.
  void Stop();
  // Blocks until Stop() is called from another thread (the standalone command).
  void Wait();

  int port() const;
  std::string url() const;  // external URL, e.g. "http://127.0.0.1:41234"
  const std::string& root_token() const;
  const DemoInfo& demo() const;

  // Waits until every queued webhook delivery has finished (delivered, failed or dropped).
  bool WaitForDeliveries(std::chrono::milliseconds timeout);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace worklog::gitlab_sim
