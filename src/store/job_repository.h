#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::store {

struct NewJob {
  std::string kind;          // "backfill_project", "register_hook", ...
  std::string payload_json;  // opaque to the store
  TimePoint run_at{};        // not claimed before this instant
  // While a job with this key is queued (not yet claimed), enqueuing another one with the
  // same key queues nothing and returns the queued job's id. A running job does not
  // count: work requested while it runs gets a fresh job.
  std::optional<std::string> unique_key;
};

enum class JobState { kQueued, kRunning, kFailed };

struct Job {
  int64_t id = 0;
  JobState state = JobState::kQueued;
  std::string kind;
  std::string payload_json;
  TimePoint run_at{};
  std::optional<std::string> unique_key;
  int64_t attempts = 0;    // claims so far, this one included
  std::string last_error;  // from the latest Retry
  std::string claimed_by;  // worker id
  TimePoint lease_until{};
  TimePoint created_at{};
};

// A durable job queue shared by every node. Claim hands each due job to one worker at a
// time (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite); a job whose
// lease ran out (its worker crashed) is due again. Complete, Retry and Fail do not check
// who holds the lease, so a job may run twice when a worker outlives its lease: handlers
// must be idempotent, and should take a lease longer than the work.
class JobRepository {
 public:
  JobRepository() = default;
  JobRepository(const JobRepository&) = delete;
  JobRepository& operator=(const JobRepository&) = delete;
  JobRepository(JobRepository&&) = delete;
  JobRepository& operator=(JobRepository&&) = delete;
  virtual ~JobRepository() = default;

  // The new (or, see NewJob::unique_key, the already queued) job's id. Durable on return.
  virtual Result<int64_t> Enqueue(const NewJob& job) = 0;
  // The most overdue job (run_at <= now, or a lease expired by now), leased to
  // `worker_id` until now + lease with attempts incremented; nullopt when none is due.
  virtual Result<std::optional<Job>> Claim(std::string_view worker_id, TimePoint now,
                                           std::chrono::microseconds lease) = 0;
  // Done: the job is removed. kNotFound when absent.
  virtual Status Complete(int64_t id) = 0;
  // Failed this time: queued again for `at` with `error` recorded (attempts are kept). If
  // an equal job (same unique_key) was queued meanwhile, that one stays and this one is
  // removed. kNotFound when absent.
  virtual Status Retry(int64_t id, TimePoint at, std::string_view error) = 0;
  // Gave up: kept with `error` for the operator, never claimed again. kNotFound when absent.
  virtual Status Fail(int64_t id, std::string_view error) = 0;
  virtual Result<Job> Get(int64_t id) = 0;  // kNotFound
  // Jobs queued or running (not failed).
  virtual Result<int64_t> CountActive() = 0;
};

}  // namespace worklog::store
