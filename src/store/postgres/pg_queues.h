#pragma once

#include "store/activity_repository.h"
#include "store/inbox_repository.h"
#include "store/job_repository.h"

// Activities, the webhook inbox and the job queue on PostgreSQL.
namespace worklog::store::postgres {

class PgStore;

class PgActivities final : public ActivityRepository {
 public:
  explicit PgActivities(PgStore& store) : store_(store) {}
  Result<int64_t> InsertBatch(const std::vector<domain::Activity>& activities) override;
  Result<std::vector<domain::Activity>> ListForUser(const ActivityQuery& query) override;
  Result<std::vector<domain::Activity>> GetByKeys(const std::vector<std::string>& keys) override;
  Status DeleteAll() override;
  Result<int64_t> Count() override;
  Result<std::string> FeedStamp(int64_t user_id) override;
  Result<FeedDayMarks> DayMarks(int64_t user_id, int64_t first_day, int64_t last_day) override;

 private:
  PgStore& store_;
};

class PgInbox final : public InboxRepository {
 public:
  explicit PgInbox(PgStore& store) : store_(store) {}
  Result<InboxInsertResult> Insert(std::string_view delivery_id, std::string_view event_name,
                                   std::string_view body, TimePoint received_at) override;
  Result<std::vector<InboxDelivery>> ClaimPending(int limit, std::string_view worker,
                                                  TimePoint lease_until) override;
  Status MarkDone(int64_t id) override;
  Status MarkAllDone(const std::vector<int64_t>& ids) override;
  Status MarkFailed(int64_t id, std::string_view error) override;
  Result<InboxStatus> GetStatus(int64_t id) override;
  Result<int64_t> CountPending() override;
  Result<int64_t> DeleteDoneBefore(TimePoint before, int64_t limit) override;

 private:
  PgStore& store_;
};

class PgJobs final : public JobRepository {
 public:
  explicit PgJobs(PgStore& store) : store_(store) {}
  Result<int64_t> Enqueue(const NewJob& job) override;
  Result<std::optional<Job>> Claim(std::string_view worker_id, TimePoint now,
                                   std::chrono::microseconds lease) override;
  Status Complete(int64_t id) override;
  Status Retry(int64_t id, TimePoint at, std::string_view error) override;
  Status Fail(int64_t id, std::string_view error) override;
  Result<Job> Get(int64_t id) override;
  Result<int64_t> CountActive() override;

 private:
  PgStore& store_;
};

}  // namespace worklog::store::postgres
