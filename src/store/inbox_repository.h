#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::store {

// One raw webhook delivery as GitLab sent it.
struct InboxDelivery {
  int64_t id = 0;
  std::string delivery_id;  // X-Gitlab-Event-UUID, else Idempotency-Key, else body hash
  std::string event_name;   // X-Gitlab-Event, e.g. "Push Hook"
  std::string body;         // raw bytes
  TimePoint received_at{};
  int64_t attempts = 0;  // claims so far, this one included
  std::string last_error;
};

enum class InboxInsertResult { kStored, kDuplicate };

enum class InboxStatus { kPending, kDone, kFailed };

// The webhook inbox: the receiver stores each delivery durably before answering GitLab,
// workers normalize from here. A delivery is pending until marked done or failed; a
// claimed one whose lease ran out (its worker died) is claimable again.
class InboxRepository {
 public:
  InboxRepository() = default;
  InboxRepository(const InboxRepository&) = delete;
  InboxRepository& operator=(const InboxRepository&) = delete;
  InboxRepository(InboxRepository&&) = delete;
  InboxRepository& operator=(InboxRepository&&) = delete;
  virtual ~InboxRepository() = default;

  // Durable when it returns kStored; kDuplicate (nothing written) when `delivery_id` was
  // stored before, whatever became of it.
  virtual Result<InboxInsertResult> Insert(std::string_view delivery_id,
                                           std::string_view event_name, std::string_view body,
                                           TimePoint received_at) = 0;
  // Up to `limit` pending deliveries, oldest first, that nobody holds (never claimed, or
  // lease expired by the store clock's now), leased to `worker` until `lease_until`.
  // Concurrent claimers never get the same delivery while its lease runs.
  virtual Result<std::vector<InboxDelivery>> ClaimPending(int limit, std::string_view worker,
                                                          TimePoint lease_until) = 0;
  // Processed: never claimed again. kNotFound when absent.
  virtual Status MarkDone(int64_t id) = 0;
  // MarkDone for a worker's batch in one durable write: all of them or, when one is
  // absent (kNotFound), none.
  virtual Status MarkAllDone(const std::vector<int64_t>& ids) = 0;
  // Gave up on it (e.g. a payload that cannot be parsed): kept with `error` for the
  // operator, never claimed again. kNotFound when absent.
  virtual Status MarkFailed(int64_t id, std::string_view error) = 0;
  // kNotFound when absent.
  virtual Result<InboxStatus> GetStatus(int64_t id) = 0;
  // Deliveries still pending (for /metrics and tests).
  virtual Result<int64_t> CountPending() = 0;
  // Retention: removes up to `limit` done deliveries received before `before`, oldest
  // first, with their bodies; returns how many. Pending and failed ones stay.
  virtual Result<int64_t> DeleteDoneBefore(TimePoint before, int64_t limit) = 0;
};

}  // namespace worklog::store
