#pragma once

// Webhook delivery: a background thread POSTs queued deliveries with GitLab's headers,
// retries failures after the configured pauses, and keeps a log tests can read.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "gitlab-sim/state.h"

namespace worklog::gitlab_sim {

struct DeliveryAttempt {
  int status = 0;     // HTTP status; 0 when no response came
  std::string error;  // "" on a response
  TimePoint at;
};

struct DeliveryRecord {
  Id id = 0;
  OutgoingHook hook;
  std::string idempotency_key;
  // pending | delivered | failed | dropped (fault) | skipped (hook disabled)
  std::string outcome = "pending";
  std::vector<DeliveryAttempt> attempts;
};

struct DispatcherOptions {
  std::string instance_url;  // X-Gitlab-Instance
  std::string version;       // User-Agent: GitLab/<version>
  std::chrono::milliseconds timeout{10000};
  std::vector<std::chrono::milliseconds> retry_delays;
};

class Dispatcher {
 public:
  // `executable(hook_id)` tells whether the hook may fire now; `outcome(hook_id, ok)` is told
  // each delivery's final result. Both are called without the dispatcher's lock held.
  Dispatcher(const Clock& clock, DispatcherOptions options, std::function<bool(Id)> executable,
             std::function<void(Id, bool)> outcome);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;
  Dispatcher(Dispatcher&&) = delete;
  Dispatcher& operator=(Dispatcher&&) = delete;
  ~Dispatcher();

  void Start();
  void Stop();
  void set_instance_url(std::string url);

  void Enqueue(OutgoingHook hook);
  // Sends now on the caller's thread (the hook test endpoint); returns the HTTP status or 0.
  int SendNow(const OutgoingHook& hook);

  // Faults: the next `count` delivery attempts fail (with `status`, or 0 for a connection
  // error), or the next `count` deliveries are silently dropped.
  void FailNext(int count, int status);
  void DropNext(int count);
  void ClearFaults();

  std::vector<DeliveryRecord> Log() const;
  void ClearLog();
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  struct Pending {
    Id record_id = 0;
    std::chrono::steady_clock::time_point due;
  };
  void Run();
  DeliveryAttempt Attempt(const OutgoingHook& hook, const std::string& idempotency_key);
  DeliveryRecord* FindRecord(Id id);

  const Clock& clock_;
  DispatcherOptions options_;  // instance_url guarded by mutex_
  std::function<bool(Id)> executable_;
  std::function<void(Id, bool)> outcome_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Pending> queue_;        // Guarded by mutex_.
  std::vector<DeliveryRecord> log_;  // Guarded by mutex_.
  Id next_id_ = 1;                   // Guarded by mutex_.
  int in_flight_ = 0;                // Guarded by mutex_.
  int fail_next_ = 0;                // Guarded by mutex_.
  int fail_status_ = 0;              // Guarded by mutex_.
  int drop_next_ = 0;                // Guarded by mutex_.
  bool stopping_ = false;            // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace worklog::gitlab_sim
