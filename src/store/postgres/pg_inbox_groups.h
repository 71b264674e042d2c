#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/inbox_repository.h"
#include "store/postgres/pg_db.h"

namespace worklog::store::postgres {

// One webhook delivery to store in the inbox.
struct InboxRow {
  std::string_view delivery_id;
  std::string_view event_name;
  std::string_view body;
  int64_t received_at_us = 0;
};

// Group commit of the webhook inbox's inserts (issue #5). Each acknowledgement used to be
// one INSERT and one commit on a connection of its own: PostgreSQL parsed, planned and
// committed every delivery apart, and its backends took twice serve's CPU per delivery. Now
// the deliveries that arrive while a group is being stored wait, and the next group stores
// them all with one statement (arrays of the rows, in binary) and one commit, which makes
// them all durable at once; every caller returns once its own delivery is. At most
// `max_groups` groups run at a time, each on a connection of the pool. The deliveries
// queued for the next group count as waiting for the pool: the GitLab workers' background
// writes wait for them (Pool), as they waited for the acknowledgements that each held a
// connection, so that a burst of webhooks is acknowledged first and normalized after.
class InboxInsertGroups {
 public:
  static constexpr std::size_t kMaxGroup = 256;

  InboxInsertGroups(Pool& pool, int max_groups) : pool_(pool), max_groups_(max_groups) {}
  InboxInsertGroups(const InboxInsertGroups&) = delete;
  InboxInsertGroups& operator=(const InboxInsertGroups&) = delete;
  InboxInsertGroups(InboxInsertGroups&&) = delete;
  InboxInsertGroups& operator=(InboxInsertGroups&&) = delete;
  ~InboxInsertGroups() = default;

  // Stored (durably, committed) or a duplicate of a delivery stored before, like
  // InboxRepository::Insert.
  Result<InboxInsertResult> Insert(const InboxRow& row);

 private:
  struct Waiting {
    InboxRow row;
    Result<InboxInsertResult> result = InboxInsertResult::kStored;
    bool done = false;  // guarded by mutex_
  };

  // Stores `group` and sets each one's result (not under mutex_).
  void Store(const std::vector<Waiting*>& group);
  // One statement for the whole group: the delivery ids that were stored.
  Result<std::vector<std::string>> StoreTogether(const std::vector<const InboxRow*>& rows);

  Pool& pool_;
  const int max_groups_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::deque<Waiting*> queue_;  // Guarded by mutex_.
  int running_ = 0;             // Guarded by mutex_: groups being stored
};

// The single-delivery statement (also the fallback when a group's statement fails: one
// malformed delivery must not fail the others).
Result<InboxInsertResult> InsertOneDelivery(Connection& db, const InboxRow& row);

}  // namespace worklog::store::postgres
