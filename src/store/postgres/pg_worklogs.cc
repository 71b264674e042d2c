// Worklogs on PostgreSQL.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

// Columns read by ReadWorklog, in this order.
#define WORKLOG_COLUMNS                                                                     \
  "id, user_id, issue_key, to_char(start_date, 'YYYY-MM-DD'),"                              \
  " to_char(start_time, 'HH24:MI:SS'), start_at_us, duration_seconds, description, origin," \
  " activity_keys::text, dedupe_key, created_at_us, updated_at_us"

constexpr std::string_view kInsertWorklog =
    "INSERT INTO worklogs (user_id, issue_key, start_date, start_time, start_at_us,"
    " duration_seconds, description, origin, activity_keys, dedupe_key, created_at_us,"
    " updated_at_us)"
    " VALUES ($1, $2, $3::date, $4::time, $5, $6, $7, $8, $9::jsonb, $10, $11, $11)"
    " ON CONFLICT (user_id, dedupe_key) DO NOTHING"
    " RETURNING " WORKLOG_COLUMNS;

constexpr std::string_view kSelectWorklogByDedupeKey =
    "SELECT " WORKLOG_COLUMNS " FROM worklogs WHERE user_id = $1 AND dedupe_key = $2";

constexpr std::string_view kSelectWorklog =
    "SELECT " WORKLOG_COLUMNS " FROM worklogs WHERE id = $1";

// Serializes the worklog creations of one user, on every node, until the transaction ends
// (FOR NO KEY UPDATE does not block the foreign-key checks of inserts).
constexpr std::string_view kLockUser = "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE";

// A worklog of the user on that day already made from one of these activities.
constexpr std::string_view kSelectActivityClaim =
    "SELECT w.id, k.value FROM worklogs w, jsonb_array_elements_text(w.activity_keys) k"
    " WHERE w.user_id = $1 AND w.start_date = $2::date AND w.issue_key = $4"
    "   AND k.value IN (SELECT jsonb_array_elements_text($3::jsonb))"
    " LIMIT 1";

constexpr std::string_view kSelectUserWorklogs =
    "SELECT " WORKLOG_COLUMNS
    " FROM worklogs"
    " WHERE user_id = $1 AND start_date BETWEEN $2::date AND $3::date"
    " ORDER BY start_at_us, id";

constexpr std::string_view kSelectAllWorklogs = "SELECT " WORKLOG_COLUMNS
                                                " FROM worklogs"
                                                " WHERE start_date BETWEEN $1::date AND $2::date"
                                                " ORDER BY start_at_us, id";

constexpr std::string_view kUpdateWorklog =
    "UPDATE worklogs SET issue_key = $2, start_date = $3::date, start_time = $4::time,"
    " start_at_us = $5, duration_seconds = $6, description = $7, updated_at_us = $8"
    " WHERE id = $1"
    " RETURNING " WORKLOG_COLUMNS;

constexpr std::string_view kDeleteWorklog = "DELETE FROM worklogs WHERE id = $1";

#undef WORKLOG_COLUMNS

Result<domain::Worklog> ReadWorklog(const Rows& rows, int row) {
  domain::Worklog worklog;
  worklog.id = rows.Int(row, 0);
  worklog.user_id = rows.Int(row, 1);
  worklog.issue_key = rows.Text(row, 2);
  worklog.start_date = rows.Text(row, 3);
  worklog.start_time = rows.Text(row, 4);
  worklog.start_at = FromMicros(rows.Int(row, 5));
  worklog.duration_seconds = rows.Int(row, 6);
  worklog.description = rows.Text(row, 7);
  auto origin = domain::ParseOrigin("origin", rows.Text(row, 8));
  if (!origin) {
    return Internal(fmt::format("worklog {} has an unknown stored origin", worklog.id));
  }
  worklog.origin = *origin;
  auto keys = DecodeStringArray(rows.Text(row, 9));
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  worklog.activity_keys = std::move(*keys);
  worklog.dedupe_key = rows.OptionalText(row, 10);
  worklog.created_at = FromMicros(rows.Int(row, 11));
  worklog.updated_at = FromMicros(rows.Int(row, 12));
  return worklog;
}

Result<std::vector<domain::Worklog>> AllWorklogs(const Rows& rows) {
  std::vector<domain::Worklog> worklogs;
  worklogs.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    auto worklog = ReadWorklog(rows, i);
    if (!worklog) {
      return tl::unexpected(worklog.error());
    }
    worklogs.push_back(std::move(*worklog));
  }
  return worklogs;
}

}  // namespace

Result<domain::Worklog> PgWorklogs::Create(const domain::Worklog& worklog) {
  const int64_t now = ToMicros(store_.clock().Now());
  // With a dedupe key a repeat is harmless, so a lost connection may be retried.
  const bool idempotent = worklog.dedupe_key.has_value();
  return store_.pool().Run(
      [&](Connection& db) -> Result<domain::Worklog> {
        auto transaction = Transaction::Begin(db);
        if (!transaction) {
          return tl::unexpected(transaction.error());
        }
        auto locked = db.Exec(kLockUser, Params().Add(worklog.user_id));
        if (!locked) {
          return tl::unexpected(locked.error());
        }
        if (worklog.dedupe_key) {
          // The dedupe key was used before: hand back the first worklog.
          auto existing = db.Exec(kSelectWorklogByDedupeKey,
                                  Params().Add(worklog.user_id).Add(worklog.dedupe_key));
          if (!existing) {
            return tl::unexpected(existing.error());
          }
          if (!existing->empty()) {
            return ReadWorklog(*existing, 0);
          }
        }
        if (!worklog.activity_keys.empty()) {
          auto claim =
              db.Exec(kSelectActivityClaim, Params()
                                                .Add(worklog.user_id)
                                                .Add(worklog.start_date)
                                                .Add(EncodeStringArray(worklog.activity_keys))
                                                .Add(worklog.issue_key));
          if (!claim) {
            return tl::unexpected(claim.error());
          }
          if (!claim->empty()) {
            return ActivityAlreadyLogged(claim->Text(0, 1), claim->Int(0, 0));
          }
        }
        auto inserted = db.Exec(kInsertWorklog, Params()
                                                    .Add(worklog.user_id)
                                                    .Add(worklog.issue_key)
                                                    .Add(worklog.start_date)
                                                    .Add(worklog.start_time)
                                                    .Add(ToMicros(worklog.start_at))
                                                    .Add(worklog.duration_seconds)
                                                    .Add(worklog.description)
                                                    .Add(domain::OriginName(worklog.origin))
                                                    .Add(EncodeStringArray(worklog.activity_keys))
                                                    .Add(worklog.dedupe_key)
                                                    .Add(now));
        if (!inserted) {
          return tl::unexpected(inserted.error());
        }
        if (inserted->empty()) {
          return Internal("worklog insert was skipped although its dedupe key is unused");
        }
        auto created = ReadWorklog(*inserted, 0);
        if (!created) {
          return created;
        }
        if (auto committed = transaction->Commit(); !committed) {
          return tl::unexpected(committed.error());
        }
        return created;
      },
      idempotent);
}

Result<domain::Worklog> PgWorklogs::Get(int64_t id) {
  return store_.pool().Run([&](Connection& db) -> Result<domain::Worklog> {
    auto rows = db.Exec(kSelectWorklog, Params().Add(id));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound(fmt::format("worklog {} not found", id));
    }
    return ReadWorklog(*rows, 0);
  });
}

Result<std::vector<domain::Worklog>> PgWorklogs::List(const WorklogQuery& query) {
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<domain::Worklog>> {
    auto rows = query.user_id
                    ? db.Exec(kSelectUserWorklogs,
                              Params().Add(*query.user_id).Add(query.from_date).Add(query.to_date))
                    : db.Exec(kSelectAllWorklogs, Params().Add(query.from_date).Add(query.to_date));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    return AllWorklogs(*rows);
  });
}

Result<domain::Worklog> PgWorklogs::Update(const domain::Worklog& worklog) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.pool().Run([&](Connection& db) -> Result<domain::Worklog> {
    auto rows = db.Exec(kUpdateWorklog, Params()
                                            .Add(worklog.id)
                                            .Add(worklog.issue_key)
                                            .Add(worklog.start_date)
                                            .Add(worklog.start_time)
                                            .Add(ToMicros(worklog.start_at))
                                            .Add(worklog.duration_seconds)
                                            .Add(worklog.description)
                                            .Add(now));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
      return NotFound(fmt::format("worklog {} not found", worklog.id));
    }
    return ReadWorklog(*rows, 0);
  });
}

Status PgWorklogs::Delete(int64_t id) {
  return store_.pool().Run(
      [&](Connection& db) -> Status {
        auto rows = db.Exec(kDeleteWorklog, Params().Add(id));
        if (!rows) {
          return tl::unexpected(rows.error());
        }
        if (rows->Affected() == 0) {
          return NotFound(fmt::format("worklog {} not found", id));
        }
        return {};
      },
      /*retry_on_lost_connection=*/false);
}

}  // namespace worklog::store::postgres
