// The webhook inbox on SQLite.
#include <algorithm>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

// The delivery's record, then (when new) its body under the same id, in one write: the
// claim and the done touch only the small record (migrations/sqlite/0034_inbox_bodies.sql).
constexpr std::string_view kInsertDelivery = R"sql(
  INSERT INTO webhook_inbox (delivery_id, event_name, received_at_us)
  VALUES (?1, ?2, ?3)
  ON CONFLICT (delivery_id) DO NOTHING
  RETURNING id
)sql";

constexpr std::string_view kInsertBody = R"sql(
  INSERT INTO webhook_inbox_bodies (id, body) VALUES (?1, ?2)
)sql";

// Runs inside BEGIN IMMEDIATE: no other writer can claim between the SELECT and the UPDATE.
constexpr std::string_view kClaimDeliveries = R"sql(
  UPDATE webhook_inbox
  SET claimed_by = ?1, lease_until_us = ?2, attempts = attempts + 1
  WHERE id IN (SELECT id FROM webhook_inbox
               WHERE status = 'pending' AND lease_until_us <= ?3
               ORDER BY id LIMIT ?4)
  RETURNING id, delivery_id, event_name, received_at_us, attempts, last_error
)sql";

constexpr std::string_view kSelectBody = "SELECT body FROM webhook_inbox_bodies WHERE id = ?1";

constexpr std::string_view kMarkDone = R"sql(
  UPDATE webhook_inbox SET status = 'done', processed_at_us = ?2 WHERE id = ?1
)sql";

constexpr std::string_view kMarkFailed = R"sql(
  UPDATE webhook_inbox SET status = 'failed', processed_at_us = ?2, last_error = ?3
  WHERE id = ?1
)sql";

constexpr std::string_view kSelectStatus = "SELECT status FROM webhook_inbox WHERE id = ?1";

constexpr std::string_view kCountPending =
    "SELECT count(*) FROM webhook_inbox WHERE status = 'pending'";

// The bodies first, while their deliveries still say which they are. Oldest first, a
// bounded number at a time: one retention write never holds the writer for long.
constexpr std::string_view kDeleteDoneBodies = R"sql(
  DELETE FROM webhook_inbox_bodies
  WHERE id IN (SELECT id FROM webhook_inbox WHERE status = 'done' AND received_at_us < ?1
               ORDER BY id LIMIT ?2)
)sql";

constexpr std::string_view kDeleteDone = R"sql(
  DELETE FROM webhook_inbox
  WHERE id IN (SELECT id FROM webhook_inbox WHERE status = 'done' AND received_at_us < ?1
               ORDER BY id LIMIT ?2)
)sql";

Status ExpectOneRow(const Result<int64_t>& changed, int64_t id) {
  if (!changed) {
    return tl::unexpected(changed.error());
  }
  if (*changed == 0) {
    return NotFound(fmt::format("inbox delivery {} not found", id));
  }
  return {};
}

}  // namespace

Result<InboxInsertResult> SqliteInbox::Insert(std::string_view delivery_id,
                                              std::string_view event_name, std::string_view body,
                                              TimePoint received_at) {
  return store_.Write([&](Connection& db) -> Result<InboxInsertResult> {
    auto insert = db.Prepare(kInsertDelivery);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, delivery_id).Bind(2, event_name).Bind(3, ToMicros(received_at));
    auto row = insert->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return InboxInsertResult::kDuplicate;
    }
    const int64_t id = insert->Int(0);
    insert->Reset();
    auto insert_body = db.Prepare(kInsertBody);
    if (!insert_body) {
      return tl::unexpected(insert_body.error());
    }
    insert_body->Bind(1, id).BindBlob(2, body);
    if (auto stored = insert_body->Run(); !stored) {
      return tl::unexpected(stored.error());
    }
    return InboxInsertResult::kStored;
  });
}

Result<std::vector<InboxDelivery>> SqliteInbox::ClaimPending(int limit, std::string_view worker,
                                                             TimePoint lease_until) {
  const int64_t now = ToMicros(store_.clock().Now());
  // A lease: a power loss that takes it back leaves the deliveries claimable again.
  return store_.WriteLease([&](Connection& db) -> Result<std::vector<InboxDelivery>> {
    auto claim = db.Prepare(kClaimDeliveries);
    if (!claim) {
      return tl::unexpected(claim.error());
    }
    claim->Bind(1, worker).Bind(2, ToMicros(lease_until)).Bind(3, now).Bind(4, int64_t{limit});
    std::vector<InboxDelivery> claimed;
    while (true) {
      auto row = claim->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (!*row) {
        break;
      }
      claimed.push_back(InboxDelivery{.id = claim->Int(0),
                                      .delivery_id = claim->Text(1),
                                      .event_name = claim->Text(2),
                                      .body = {},
                                      .received_at = FromMicros(claim->Int(3)),
                                      .attempts = claim->Int(4),
                                      .last_error = claim->Text(5)});
    }
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    auto select = db.Prepare(kSelectBody);
    if (!select) {
      return tl::unexpected(select.error());
    }
    for (auto& delivery : claimed) {
      select->Bind(1, delivery.id);
      auto row = select->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (*row) {
        delivery.body = select->Blob(0);
      }
      select->Reset();
    }
    return claimed;
  });
}

Status SqliteInbox::MarkDone(int64_t id) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kMarkDone);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, id).Bind(2, now);
    return ExpectOneRow(update->Run(), id);
  });
}

Status SqliteInbox::MarkAllDone(const std::vector<int64_t>& ids) {
  if (ids.empty()) {
    return {};
  }
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kMarkDone);
    if (!update) {
      return tl::unexpected(update.error());
    }
    for (const int64_t id : ids) {
      update->Bind(1, id).Bind(2, now);
      if (auto marked = ExpectOneRow(update->Run(), id); !marked) {
        return marked;  // the write's savepoint rolls the others back
      }
      update->Reset();
    }
    return {};
  });
}

Status SqliteInbox::MarkFailed(int64_t id, std::string_view error) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Status {
    auto update = db.Prepare(kMarkFailed);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, id).Bind(2, now).Bind(3, error);
    return ExpectOneRow(update->Run(), id);
  });
}

Result<InboxStatus> SqliteInbox::GetStatus(int64_t id) {
  return store_.Read([&](Connection& db) -> Result<InboxStatus> {
    auto select = db.Prepare(kSelectStatus);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, id);
    auto row = select->Step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return NotFound(fmt::format("inbox delivery {} not found", id));
    }
    const std::string status = select->Text(0);
    if (status == "done") {
      return InboxStatus::kDone;
    }
    return status == "failed" ? InboxStatus::kFailed : InboxStatus::kPending;
  });
}

Result<int64_t> SqliteInbox::CountPending() {
  return store_.Read([&](Connection& db) -> Result<int64_t> {
    auto select = db.Prepare(kCountPending);
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

Result<int64_t> SqliteInbox::DeleteDoneBefore(TimePoint before, int64_t limit) {
  return store_.Write([&](Connection& db) -> Result<int64_t> {
    auto remove_bodies = db.Prepare(kDeleteDoneBodies);
    if (!remove_bodies) {
      return tl::unexpected(remove_bodies.error());
    }
    remove_bodies->Bind(1, ToMicros(before)).Bind(2, limit);
    if (auto removed = remove_bodies->Run(); !removed) {
      return tl::unexpected(removed.error());
    }
    auto remove = db.Prepare(kDeleteDone);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, ToMicros(before)).Bind(2, limit);
    return remove->Run();
  });
}

}  // namespace worklog::store::sqlite
