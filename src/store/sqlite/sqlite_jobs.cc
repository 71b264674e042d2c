// The job queue on SQLite. Every write runs in BEGIN IMMEDIATE (SqliteStore::Write), so a
// claim's SELECT and UPDATE see no other writer in between, across processes too.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

constexpr std::string_view kInsertJob = R"sql(
  INSERT INTO jobs (kind, payload_json, run_at_us, unique_key, created_at_us)
  VALUES (?1, ?2, ?3, ?4, ?5)
  ON CONFLICT (unique_key) WHERE state = 'queued' DO NOTHING
  RETURNING id
)sql";

constexpr std::string_view kSelectQueuedByKey = R"sql(
  SELECT id FROM jobs WHERE unique_key = ?1 AND state = 'queued'
)sql";

// The most overdue of: queued jobs due by ?2, running jobs whose lease ended by ?2.
constexpr std::string_view kClaimJob = R"sql(
  UPDATE jobs
  SET state = 'running', claimed_by = ?1, lease_until_us = ?3, attempts = attempts + 1
  WHERE id = (SELECT id FROM (SELECT id, run_at_us AS due_us FROM jobs
                              WHERE state = 'queued' AND run_at_us <= ?2
                              UNION ALL
                              SELECT id, lease_until_us AS due_us FROM jobs
                              WHERE state = 'running' AND lease_until_us <= ?2)
              ORDER BY due_us, id LIMIT 1)
  RETURNING id, state, kind, payload_json, run_at_us, unique_key, attempts, last_error,
            claimed_by, lease_until_us, created_at_us
)sql";

constexpr std::string_view kSelectJob = R"sql(
  SELECT id, state, kind, payload_json, run_at_us, unique_key, attempts, last_error,
         claimed_by, lease_until_us, created_at_us
  FROM jobs WHERE id = ?1
)sql";

constexpr std::string_view kDeleteJob = "DELETE FROM jobs WHERE id = ?1";

constexpr std::string_view kRequeueJob = R"sql(
  UPDATE jobs SET state = 'queued', run_at_us = ?2, last_error = ?3, claimed_by = '',
                  lease_until_us = 0
  WHERE id = ?1
)sql";

constexpr std::string_view kFailJob = R"sql(
  UPDATE jobs SET state = 'failed', last_error = ?2, claimed_by = '', lease_until_us = 0
  WHERE id = ?1
)sql";

constexpr std::string_view kCountActiveJobs = "SELECT count(*) FROM jobs WHERE state <> 'failed'";

JobState ParseState(std::string_view text) {
  if (text == "running") {
    return JobState::kRunning;
  }
  return text == "failed" ? JobState::kFailed : JobState::kQueued;
}

Job ReadJob(const Statement& row) {
  return Job{.id = row.Int(0),
             .state = ParseState(row.Text(1)),
             .kind = row.Text(2),
             .payload_json = row.Text(3),
             .run_at = FromMicros(row.Int(4)),
             .unique_key = row.OptionalText(5),
             .attempts = row.Int(6),
             .last_error = row.Text(7),
             .claimed_by = row.Text(8),
             .lease_until = FromMicros(row.Int(9)),
             .created_at = FromMicros(row.Int(10))};
}

Status ExpectOneRow(const Result<int64_t>& changed, int64_t id) {
  if (!changed) {
    return tl::unexpected(changed.error());
  }
  if (*changed == 0) {
    return NotFound(fmt::format("job {} not found", id));
  }
  return {};
}

}  // namespace

Result<int64_t> SqliteJobs::Enqueue(const NewJob& job) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<int64_t> {
    {
      auto insert = db.Prepare(kInsertJob);
      if (!insert) {
        return tl::unexpected(insert.error());
      }
      insert->Bind(1, job.kind)
          .Bind(2, job.payload_json)
          .Bind(3, ToMicros(job.run_at))
          .Bind(4, job.unique_key)
          .Bind(5, now);
      auto row = insert->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (*row) {
        return insert->Int(0);
      }
    }
    auto select = db.Prepare(kSelectQueuedByKey);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, job.unique_key);
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return Internal("job insert was skipped but no queued job has its unique key");
    }
    return select->Int(0);
  });
}

Result<std::optional<Job>> SqliteJobs::Claim(std::string_view worker_id, TimePoint now,
                                             std::chrono::microseconds lease) {
  return store_.Write([&](Connection& db) -> Result<std::optional<Job>> {
    auto claim = db.Prepare(kClaimJob);
    if (!claim) {
      return tl::unexpected(claim.error());
    }
    claim->Bind(1, worker_id).Bind(2, ToMicros(now)).Bind(3, ToMicros(now + lease));
    auto row = claim->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return std::optional<Job>();
    }
    return std::optional<Job>(ReadJob(*claim));
  });
}

Status SqliteJobs::Complete(int64_t id) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteJob);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, id);
    return ExpectOneRow(remove->Run(), id);
  });
}

Status SqliteJobs::Retry(int64_t id, TimePoint at, std::string_view error) {
  return store_.Write([&](Connection& db) -> Status {
    Result<int64_t> changed = [&]() -> Result<int64_t> {
      auto requeue = db.Prepare(kRequeueJob);
      if (!requeue) {
        return tl::unexpected(requeue.error());
      }
      requeue->Bind(1, id).Bind(2, ToMicros(at)).Bind(3, error);
      return requeue->Run();
    }();
    if (!changed && changed.error().code == ErrorCode::kConflict) {
      // An equal job was queued while this one ran: that one covers this retry.
      auto remove = db.Prepare(kDeleteJob);
      if (!remove) {
        return tl::unexpected(remove.error());
      }
      remove->Bind(1, id);
      return ExpectOneRow(remove->Run(), id);
    }
    return ExpectOneRow(changed, id);
  });
}

Status SqliteJobs::Fail(int64_t id, std::string_view error) {
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kFailJob);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, id).Bind(2, error);
    return ExpectOneRow(update->Run(), id);
  });
}

Result<Job> SqliteJobs::Get(int64_t id) {
  return store_.Read([&](Connection& db) -> Result<Job> {
    auto select = db.Prepare(kSelectJob);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, id);
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return NotFound(fmt::format("job {} not found", id));
    }
    return ReadJob(*select);
  });
}

Result<int64_t> SqliteJobs::CountActive() {
  return store_.Read([&](Connection& db) -> Result<int64_t> {
    auto select = db.Prepare(kCountActiveJobs);
    if (!select) {
      return tl::unexpected(select.error());
    }
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    return select->Int(0);
  });
}

}  // namespace worklog::store::sqlite
