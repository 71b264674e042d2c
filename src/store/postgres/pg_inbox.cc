// The webhook inbox on PostgreSQL.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

// SKIP LOCKED: concurrent claimers on any node pass over rows another one is claiming.
// The claim updates the small inbox rows only; the bodies are read beside them.
constexpr std::string_view kClaimDeliveries = R"sql(
  WITH claimed AS (
    UPDATE webhook_inbox
    SET claimed_by = $1, lease_until_us = $2, attempts = attempts + 1
    WHERE id IN (SELECT id FROM webhook_inbox
                 WHERE status = 'pending' AND lease_until_us <= $3
                 ORDER BY id LIMIT $4
                 FOR UPDATE SKIP LOCKED)
    RETURNING id, delivery_id, event_name, received_at_us, attempts, last_error)
  SELECT c.id, c.delivery_id, c.event_name, coalesce(b.body, ''::bytea), c.received_at_us,
         c.attempts, c.last_error
  FROM claimed c LEFT JOIN webhook_inbox_bodies b ON b.id = c.id
)sql";

constexpr std::string_view kMarkDone = R"sql(
  UPDATE webhook_inbox SET status = 'done', processed_at_us = $2 WHERE id = $1
)sql";

constexpr std::string_view kMarkAllDone = R"sql(
  UPDATE webhook_inbox SET status = 'done', processed_at_us = $2 WHERE id = ANY ($1::bigint[])
)sql";

constexpr std::string_view kMarkFailed = R"sql(
  UPDATE webhook_inbox SET status = 'failed', processed_at_us = $2, last_error = $3
  WHERE id = $1
)sql";

constexpr std::string_view kSelectStatus = "SELECT status FROM webhook_inbox WHERE id = $1";

constexpr std::string_view kCountPending =
    "SELECT count(*) FROM webhook_inbox WHERE status = 'pending'";

// Returns how many deliveries went, their bodies with them.
constexpr std::string_view kDeleteDone = R"sql(
  WITH gone AS (
    DELETE FROM webhook_inbox
    WHERE id IN (SELECT id FROM webhook_inbox WHERE status = 'done' AND received_at_us < $1
                 ORDER BY id LIMIT $2)
    RETURNING id),
  bodies AS (
    DELETE FROM webhook_inbox_bodies WHERE id IN (SELECT id FROM gone))
  SELECT count(*) FROM gone
)sql";

Status ExpectOneRow(const Result<Rows>& rows, int64_t id) {
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->Affected() == 0) {
    return NotFound(fmt::format("inbox delivery {} not found", id));
  }
  return {};
}

}  // namespace

Result<InboxInsertResult> PgInbox::Insert(std::string_view delivery_id, std::string_view event_name,
                                          std::string_view body, TimePoint received_at) {
  // Grouped with the deliveries arriving at the same time: one statement and one commit.
  return store_.inbox_inserts().Insert({.delivery_id = delivery_id,
                                        .event_name = event_name,
                                        .body = body,
                                        .received_at_us = ToMicros(received_at)});
}

Result<std::vector<InboxDelivery>> PgInbox::ClaimPending(int limit, std::string_view worker,
                                                         TimePoint lease_until) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<InboxDelivery>> {
    auto rows =
        db.Exec(kClaimDeliveries,
                Params().Add(worker).Add(ToMicros(lease_until)).Add(now).Add(int64_t{limit}));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    std::vector<InboxDelivery> claimed;
    claimed.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i) {
      claimed.push_back(InboxDelivery{.id = rows->Int(i, 0),
                                      .delivery_id = rows->Text(i, 1),
                                      .event_name = rows->Text(i, 2),
                                      .body = rows->Bytea(i, 3),
                                      .received_at = FromMicros(rows->Int(i, 4)),
                                      .attempts = rows->Int(i, 5),
                                      .last_error = rows->Text(i, 6)});
    }
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    return claimed;
  });
}

Status PgInbox::MarkDone(int64_t id) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) {
    return ExpectOneRow(db.Exec(kMarkDone, Params().Add(id).Add(now)), id);
  });
}

Status PgInbox::MarkAllDone(const std::vector<int64_t>& ids) {
  if (ids.empty()) {
    return {};
  }
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) -> Status {
    auto transaction = Transaction::Begin(db);
    if (!transaction) {
      return tl::unexpected(transaction.error());
    }
    auto rows = db.Exec(kMarkAllDone, Params().Add(PgIntArray(ids)).Add(now));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->Affected() !=
        static_cast<int64_t>(std::set<int64_t>(ids.begin(), ids.end()).size())) {
      return NotFound("an inbox delivery of the batch was not found");  // rolled back
    }
    return transaction->Commit();
  });
}

Status PgInbox::MarkFailed(int64_t id, std::string_view error) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) {
    return ExpectOneRow(db.Exec(kMarkFailed, Params().Add(id).Add(now).Add(error)), id);
  });
}

Result<InboxStatus> PgInbox::GetStatus(int64_t id) {
  return store_.pool().Run([&](Connection& db) -> Result<InboxStatus> {
    auto rows = db.Exec(kSelectStatus, Params().Add(id));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound(fmt::format("inbox delivery {} not found", id));
    }
    const std::string status = rows->Text(0, 0);
    if (status == "done") {
      return InboxStatus::kDone;
    }
    return status == "failed" ? InboxStatus::kFailed : InboxStatus::kPending;
  });
}

Result<int64_t> PgInbox::CountPending() {
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto rows = db.Exec(kCountPending);
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return rows->Int(0, 0);
  });
}

Result<int64_t> PgInbox::DeleteDoneBefore(TimePoint before, int64_t limit) {
  return store_.pool().Run([&](Connection& db) -> Result<int64_t> {
    auto rows = db.Exec(kDeleteDone, Params().Add(ToMicros(before)).Add(limit));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return rows->Int(0, 0);
  });
}

}  // namespace worklog::store::postgres
