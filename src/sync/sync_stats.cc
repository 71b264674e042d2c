#include "sync/sync_stats.h"

#include <algorithm>

namespace worklog::sync {

void SyncStats::RecordRequest(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++requests_[std::string(outcome)];
}

void SyncStats::RecordSyncError(std::string_view kind, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++sync_errors_[{std::string(kind), std::string(outcome)}];
}

std::map<std::string, uint64_t> SyncStats::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::map<std::pair<std::string, std::string>, uint64_t> SyncStats::SyncErrors() const {
  std::lock_guard lock(mutex_);
  return sync_errors_;
}

Result<gitlab::HttpResponse> CountingTransport::Send(const gitlab::HttpRequest& request) {
  Result<gitlab::HttpResponse> response;
  if (timeout_.count() > 0 &&
      (request.total_timeout > timeout_ || request.connect_timeout > timeout_)) {
    gitlab::HttpRequest capped = request;
    capped.total_timeout = std::min(capped.total_timeout, timeout_);
    capped.connect_timeout = std::min(capped.connect_timeout, timeout_);
    response = inner_.Send(capped);
  } else {
    response = inner_.Send(request);
  }
  if (response) {
    stats_.RecordRequest(std::to_string(response->status));
  } else {
    stats_.RecordRequest(response.error().field.empty() ? std::string("transport")
                                                        : response.error().field);
  }
  return response;
}

}  // namespace worklog::sync
