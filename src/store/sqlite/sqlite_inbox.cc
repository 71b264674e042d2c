// The webhook inbox on SQLite.
#include <algorithm>

#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

constexpr std::string_view kInsertDelivery = R"sql(
  INSERT INTO webhook_inbox (delivery_id, event_name, body, received_at_us)
  VALUES (?1, ?2, ?3, ?4)
  ON CONFLICT (delivery_id) DO NOTHING
)sql";

// Runs inside BEGIN IMMEDIATE: no other writer can claim between the SELECT and the UPDATE.
constexpr std::string_view kClaimDeliveries = R"sql(
  UPDATE webhook_inbox
  SET claimed_by = ?1, lease_until_us = ?2, attempts = attempts + 1
  WHERE id IN (SELECT id FROM webhook_inbox
               WHERE status = 'pending' AND lease_until_us <= ?3
               ORDER BY id LIMIT ?4)
  RETURNING id, delivery_id, event_name, body, received_at_us, attempts, last_error
)sql";

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

constexpr std::string_view kDeleteDone = R"sql(
  DELETE FROM webhook_inbox WHERE status = 'done' AND received_at_us < ?1
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
    insert->Bind(1, delivery_id)
        .Bind(2, event_name)
        .BindBlob(3, body)
        .Bind(4, ToMicros(received_at));
    auto changed = insert->Run();
    if (!changed) {
      return tl::unexpected(changed.error());
    }
    return *changed == 1 ? InboxInsertResult::kStored : InboxInsertResult::kDuplicate;
  });
}

Result<std::vector<InboxDelivery>> SqliteInbox::ClaimPending(int limit, std::string_view worker,
                                                             TimePoint lease_until) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<std::vector<InboxDelivery>> {
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
                                      .body = claim->Blob(3),
                                      .received_at = FromMicros(claim->Int(4)),
                                      .attempts = claim->Int(5),
                                      .last_error = claim->Text(6)});
    }
    std::sort(claimed.begin(), claimed.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
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

Result<int64_t> SqliteInbox::DeleteDoneBefore(TimePoint before) {
  return store_.Write([&](Connection& db) -> Result<int64_t> {
    auto remove = db.Prepare(kDeleteDone);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, ToMicros(before));
    return remove->Run();
  });
}

}  // namespace worklog::store::sqlite
