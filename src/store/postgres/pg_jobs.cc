// The job queue on PostgreSQL, shared by every node.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

constexpr int kEnqueueAttempts = 3;

constexpr std::string_view kInsertJob = R"sql(
  INSERT INTO jobs (kind, payload_json, run_at_us, unique_key, created_at_us)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (unique_key) WHERE state = 'queued' DO NOTHING
  RETURNING id
)sql";

constexpr std::string_view kSelectQueuedByKey = R"sql(
  SELECT id FROM jobs WHERE unique_key = $1 AND state = 'queued'
)sql";

// The most overdue of: queued jobs due by $2, running jobs whose lease ended by $2.
// SKIP LOCKED lets claimers on every node pass over a row another one is taking; a row
// claimed and committed meanwhile no longer matches when re-checked, so no job is handed
// out twice.
constexpr std::string_view kClaimJob = R"sql(
  UPDATE jobs
  SET state = 'running', claimed_by = $1, lease_until_us = $3, attempts = attempts + 1
  WHERE id = (SELECT id FROM jobs
              WHERE (state = 'queued' AND run_at_us <= $2)
                 OR (state = 'running' AND lease_until_us <= $2)
              ORDER BY CASE WHEN state = 'queued' THEN run_at_us ELSE lease_until_us END, id
              LIMIT 1
              FOR UPDATE SKIP LOCKED)
  RETURNING id, state, kind, payload_json, run_at_us, unique_key, attempts, last_error,
            claimed_by, lease_until_us, created_at_us
)sql";

constexpr std::string_view kSelectJob = R"sql(
  SELECT id, state, kind, payload_json, run_at_us, unique_key, attempts, last_error,
         claimed_by, lease_until_us, created_at_us
  FROM jobs WHERE id = $1
)sql";

constexpr std::string_view kDeleteJob = "DELETE FROM jobs WHERE id = $1";

constexpr std::string_view kRequeueJob = R"sql(
  UPDATE jobs SET state = 'queued', run_at_us = $2, last_error = $3, claimed_by = '',
                  lease_until_us = 0
  WHERE id = $1
)sql";

constexpr std::string_view kFailJob = R"sql(
  UPDATE jobs SET state = 'failed', last_error = $2, claimed_by = '', lease_until_us = 0
  WHERE id = $1
)sql";

constexpr std::string_view kCountActiveJobs = "SELECT count(*) FROM jobs WHERE state <> 'failed'";

JobState ParseState(std::string_view text) {
  if (text == "running") {
    return JobState::kRunning;
  }
  return text == "failed" ? JobState::kFailed : JobState::kQueued;
}

Job ReadJob(const Rows& rows, int row) {
  return Job{.id = rows.Int(row, 0),
             .state = ParseState(rows.Text(row, 1)),
             .kind = rows.Text(row, 2),
             .payload_json = rows.Text(row, 3),
             .run_at = FromMicros(rows.Int(row, 4)),
             .unique_key = rows.OptionalText(row, 5),
             .attempts = rows.Int(row, 6),
             .last_error = rows.Text(row, 7),
             .claimed_by = rows.Text(row, 8),
             .lease_until = FromMicros(rows.Int(row, 9)),
             .created_at = FromMicros(rows.Int(row, 10))};
}

Status ExpectOneRow(const Result<Rows>& rows, int64_t id) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->Affected() == 0) {
    return NotFound(fmt::format("job {} not found", id));
  }
  return {};
}

}  // namespace

Result<int64_t> PgJobs::Enqueue(const NewJob& job) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run(
      [&](Connection& db) -> Result<int64_t> {
        // The queued twin may be claimed between our skipped insert and the lookup; then
        // the next insert goes through.
        for (int attempt = 0; attempt < kEnqueueAttempts; ++attempt) {
          auto inserted = db.Exec(kInsertJob, Params()
                                                  .Add(job.kind)
                                                  .Add(job.payload_json)
                                                  .Add(ToMicros(job.run_at))
                                                  .Add(job.unique_key)
                                                  .Add(now));
          if (!inserted) {
            return tl::unexpected(inserted.error());
          }
          if (!inserted->empty()) {
            return inserted->Int(0, 0);
          }
          auto existing = db.Exec(kSelectQueuedByKey, Params().Add(job.unique_key));
          if (!existing) {
            return tl::unexpected(existing.error());
          }
          if (!existing->empty()) {
            return existing->Int(0, 0);
          }
        }
        return Unavailable("job queue is too busy: the unique job kept changing");
      },
      /*retry_on_lost_connection=*/job.unique_key.has_value());
}

Result<std::optional<Job>> PgJobs::Claim(std::string_view worker_id, TimePoint now,
                                         std::chrono::microseconds lease) {
  return store_.pool().Run(
      [&](Connection& db) -> Result<std::optional<Job>> {
        auto rows = db.Exec(kClaimJob,
                            Params().Add(worker_id).Add(ToMicros(now)).Add(ToMicros(now + lease)));
        if (!rows) {
          return tl::unexpected(rows.error());
        }
        if (rows->empty()) {
          return std::optional<Job>();
        }
        return std::optional<Job>(ReadJob(*rows, 0));
      },
      // A claim lost with its connection is not repeated; its lease simply runs out.
      /*retry_on_lost_connection=*/false);
}

Status PgJobs::Complete(int64_t id) {
  return store_.pool().Run(
      [&](Connection& db) { return ExpectOneRow(db.Exec(kDeleteJob, Params().Add(id)), id); },
      /*retry_on_lost_connection=*/false);
}

Status PgJobs::Retry(int64_t id, TimePoint at, std::string_view error) {
  return store_.pool().Run([&](Connection& db) -> Status {
    auto requeued = db.Exec(kRequeueJob, Params().Add(id).Add(ToMicros(at)).Add(error));
    if (!requeued && requeued.error().code == ErrorCode::kConflict) {
      // An equal job was queued while this one ran: that one covers this retry.
      return ExpectOneRow(db.Exec(kDeleteJob, Params().Add(id)), id);
    }
    return ExpectOneRow(requeued, id);
  });
}

Status PgJobs::Fail(int64_t id, std::string_view error) {
  return store_.pool().Run([&](Connection& db) {
    return ExpectOneRow(db.Exec(kFailJob, Params().Add(id).Add(error)), id);
  });
}

Result<Job> PgJobs::Get(int64_t id) {
  return store_.pool().Run([&](Connection& db) -> Result<Job> {
    auto rows = db.Exec(kSelectJob, Params().Add(id));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound(fmt::format("job {} not found", id));
    }
    return ReadJob(*rows, 0);
  });
}

Result<int64_t> PgJobs::CountActive() {
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto rows = db.Exec(kCountActiveJobs);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return rows->Int(0, 0);
  });
}

}  // namespace worklog::store::postgres
