#include "store/postgres/pg_inbox_groups.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

namespace worklog::store::postgres {
namespace {

// One statement: each delivery and its body (migrations/postgres/0034_inbox_bodies.sql) are
// stored together or, for a delivery stored before, not at all (affects 0 rows).
constexpr std::string_view kInsertDelivery = R"sql(
  WITH stored AS (
    INSERT INTO webhook_inbox (delivery_id, event_name, received_at_us)
    VALUES ($1, $2, $4)
    ON CONFLICT (delivery_id) DO NOTHING
    RETURNING id)
  INSERT INTO webhook_inbox_bodies (id, body) SELECT id, $3::bytea FROM stored
)sql";

// The same for a group: binary arrays of distinct delivery ids, in arrival order (ids
// follow it, and the workers claim oldest first). Returns the delivery ids stored.
constexpr std::string_view kInsertDeliveries = R"sql(
  WITH input AS MATERIALIZED (
    SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[])
      WITH ORDINALITY AS i (delivery_id, event_name, body, received_at_us, n)),
  stored AS (
    INSERT INTO webhook_inbox (delivery_id, event_name, received_at_us)
    SELECT delivery_id, event_name, received_at_us FROM input ORDER BY n
    ON CONFLICT (delivery_id) DO NOTHING
    RETURNING id, delivery_id),
  bodies AS (
    INSERT INTO webhook_inbox_bodies (id, body)
    SELECT s.id, i.body FROM stored s JOIN input i ON i.delivery_id = s.delivery_id)
  SELECT delivery_id FROM stored
)sql";

}  // namespace

Result<InboxInsertResult> InsertOneDelivery(Connection& db, const InboxRow& row) {
  auto rows = db.Exec(kInsertDelivery, Params()
                                           .Add(row.delivery_id)
                                           .Add(row.event_name)
                                           .AddBinary(row.body)
                                           .Add(row.received_at_us));
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  return rows->Affected() == 1 ? InboxInsertResult::kStored : InboxInsertResult::kDuplicate;
}

Result<InboxInsertResult> InboxInsertGroups::Insert(const InboxRow& row) {
  Waiting me{.row = row};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  pool_.AddWaiting(1);
  while (!me.done) {
    if (running_ >= max_groups_ || queue_.empty()) {
      finished_.wait(lock);
      continue;
    }
    // Lead the next group (ours, or the one ahead of it when the queue is long).
    const std::size_t size = std::min(queue_.size(), kMaxGroup);
    std::vector<Waiting*> group(queue_.begin(), queue_.begin() + static_cast<long>(size));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(size));
    pool_.AddWaiting(-static_cast<int>(size));
    ++running_;
    lock.unlock();
    Store(group);
    lock.lock();
    --running_;
    for (Waiting* one : group) {
      one->done = true;
    }
    finished_.notify_all();
  }
  return std::move(me.result);
}

void InboxInsertGroups::Store(const std::vector<Waiting*>& group) {
  // A delivery id twice in one group: the first is stored, the others are its duplicates.
  std::vector<const InboxRow*> distinct;
  std::unordered_map<std::string_view, Waiting*> first;
  std::vector<std::pair<Waiting*, Waiting*>> repeats;  // (repeat, first)
  for (Waiting* one : group) {
    auto [at, inserted] = first.try_emplace(one->row.delivery_id, one);
    if (inserted) {
      distinct.push_back(&one->row);
    } else {
      repeats.emplace_back(one, at->second);
    }
  }
  auto stored = distinct.size() == 1 ? Result<std::vector<std::string>>{} : StoreTogether(distinct);
  if (!stored && stored.error().code == ErrorCode::kUnavailable) {
    for (const InboxRow* row : distinct) {
      first.at(row->delivery_id)->result = tl::unexpected(stored.error());
    }
  } else if (distinct.size() == 1 || !stored) {
    // Alone (a group of one, or the group failed: a malformed delivery fails only itself).
    for (const InboxRow* row : distinct) {
      first.at(row->delivery_id)->result = pool_.Run(
          [&](Connection& db) -> Result<InboxInsertResult> { return InsertOneDelivery(db, *row); });
    }
  } else {
    for (const InboxRow* row : distinct) {
      first.at(row->delivery_id)->result = InboxInsertResult::kDuplicate;
    }
    for (const std::string& id : *stored) {
      if (auto at = first.find(id); at != first.end()) {
        at->second->result = InboxInsertResult::kStored;
      }
    }
  }
  for (auto& [repeat, original] : repeats) {
    repeat->result = original->result ? Result<InboxInsertResult>{InboxInsertResult::kDuplicate}
                                      : original->result;
  }
}

Result<std::vector<std::string>> InboxInsertGroups::StoreTogether(
    const std::vector<const InboxRow*>& rows) {
  std::vector<std::string_view> ids, events, bodies;
  std::vector<int64_t> received;
  for (const InboxRow* row : rows) {
    ids.push_back(row->delivery_id);
    events.push_back(row->event_name);
    bodies.push_back(row->body);
    received.push_back(row->received_at_us);
  }
  Params params;
  params.AddBinary(PgBinaryArray(PgType::kText, ids))
      .AddBinary(PgBinaryArray(PgType::kText, events))
      .AddBinary(PgBinaryArray(PgType::kBytea, bodies))
      .AddBinary(PgBinaryArray(received));
  // Safe to repeat: after a lost connection, the deliveries a first attempt committed are
  // duplicates, which still means "stored".
  return pool_.Run([&](Connection& db) -> Result<std::vector<std::string>> {
    auto result = db.Exec(kInsertDeliveries, params);
    if (!result) {
      return tl::unexpected(result.error());
    }
    std::vector<std::string> stored;
    stored.reserve(static_cast<std::size_t>(result->size()));
    for (int i = 0; i < result->size(); ++i) {
      stored.push_back(result->Text(i, 0));
    }
    return stored;
  });
}

}  // namespace worklog::store::postgres
