#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "gitlab/transport.h"

namespace worklog::sync {

// Counters of the GitLab integration on this node, for GET /metrics: GitLab requests by
// outcome, and background work that failed. Thread-safe.
class SyncStats {
 public:
  // `outcome`: the HTTP status ("200", "429", ...) or the transport failure ("timeout",
  // "connect", "transport").
  void RecordRequest(std::string_view outcome);
  // A background job (or webhook delivery: kind "inbox") that failed this time: retried
  // later, or given up ("failed") or dropped.
  void RecordSyncError(std::string_view kind, std::string_view outcome);

  std::map<std::string, uint64_t> Requests() const;
  std::map<std::pair<std::string, std::string>, uint64_t> SyncErrors() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> requests_;                             // Guarded by mutex_.
  std::map<std::pair<std::string, std::string>, uint64_t> sync_errors_;  // Guarded by mutex_.
};

// A Transport that counts every request's outcome in `stats` and caps its timeouts at
// `timeout` (0: the caller's own), then hands it to `inner`. `worklog serve --gitlab-timeout`.
class CountingTransport final : public gitlab::Transport {
 public:
  CountingTransport(gitlab::Transport& inner, SyncStats& stats,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(0))
      : inner_(inner), stats_(stats), timeout_(timeout) {}

  Result<gitlab::HttpResponse> Send(const gitlab::HttpRequest& request) override;

 private:
  gitlab::Transport& inner_;
  SyncStats& stats_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace worklog::sync
