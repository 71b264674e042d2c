// Worklogs on SQLite.
#include <fmt/format.h>

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

// Columns read by ReadWorklog, in this order.
#define WORKLOG_COLUMNS                                                             \
  "id, user_id, issue_key, start_date, start_time, start_at_us, duration_seconds, " \
  "description, origin, activity_keys, dedupe_key, created_at_us, updated_at_us"

constexpr std::string_view kInsertWorklog =
    "INSERT INTO worklogs (user_id, issue_key, start_date, start_time, start_at_us,"
    " duration_seconds, description, origin, activity_keys, dedupe_key, created_at_us,"
    " updated_at_us)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)"
    " ON CONFLICT (user_id, dedupe_key) DO NOTHING"
    " RETURNING " WORKLOG_COLUMNS;

constexpr std::string_view kSelectWorklogByDedupeKey =
    "SELECT " WORKLOG_COLUMNS " FROM worklogs WHERE user_id = ?1 AND dedupe_key = ?2";

constexpr std::string_view kSelectWorklog =
    "SELECT " WORKLOG_COLUMNS " FROM worklogs WHERE id = ?1";

// A worklog of the user on that day, for that issue, already made from one of these
// activities.
constexpr std::string_view kSelectActivityClaim =
    "SELECT w.id, k.value FROM worklogs w, json_each(w.activity_keys) k"
    " WHERE w.user_id = ?1 AND w.start_date = ?2 AND w.issue_key = ?4"
    "   AND k.value IN (SELECT value FROM json_each(?3))"
    " LIMIT 1";

constexpr std::string_view kSelectUserWorklogs =
    "SELECT " WORKLOG_COLUMNS
    " FROM worklogs"
    " WHERE user_id = ?1 AND start_date >= ?2 AND start_date <= ?3"
    " ORDER BY start_at_us, id";

constexpr std::string_view kSelectAllWorklogs = "SELECT " WORKLOG_COLUMNS
                                                " FROM worklogs"
                                                " WHERE start_date >= ?1 AND start_date <= ?2"
                                                " ORDER BY start_at_us, id";

constexpr std::string_view kUpdateWorklog =
    "UPDATE worklogs SET issue_key = ?2, start_date = ?3, start_time = ?4, start_at_us = ?5,"
    " duration_seconds = ?6, description = ?7, updated_at_us = ?8"
    " WHERE id = ?1"
    " RETURNING " WORKLOG_COLUMNS;

constexpr std::string_view kDeleteWorklog = "DELETE FROM worklogs WHERE id = ?1";

#undef WORKLOG_COLUMNS

Result<domain::Worklog> ReadWorklog(const Statement& row) {
  domain::Worklog worklog;
  worklog.id = row.Int(0);
  worklog.user_id = row.Int(1);
  worklog.issue_key = row.Text(2);
  worklog.start_date = row.Text(3);
  worklog.start_time = row.Text(4);
  worklog.start_at = FromMicros(row.Int(5));
  worklog.duration_seconds = row.Int(6);
  worklog.description = row.Text(7);
  auto origin = domain::ParseOrigin("origin", row.Text(8));
  if (!origin) {
    return Internal(fmt::format("worklog {} has an unknown stored origin", worklog.id));
  }
  worklog.origin = *origin;
  auto keys = DecodeStringArray(row.Text(9));
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  worklog.activity_keys = std::move(*keys);
  worklog.dedupe_key = row.OptionalText(10);
  worklog.created_at = FromMicros(row.Int(11));
  worklog.updated_at = FromMicros(row.Int(12));
  return worklog;
}

// The next row as a worklog; nullopt when the statement is done.
Result<std::optional<domain::Worklog>> NextWorklog(Statement& statement) {
  auto row = statement.Step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return std::optional<domain::Worklog>();
  }
  return ReadWorklog(statement).map([](domain::Worklog w) { return std::optional(std::move(w)); });
}

Result<std::vector<domain::Worklog>> AllWorklogs(Statement& statement) {
  std::vector<domain::Worklog> worklogs;
  while (true) {
    auto next = NextWorklog(statement);
    if (!next) {
      return tl::unexpected(next.error());
    }
    if (!*next) {
      return worklogs;
    }
    worklogs.push_back(std::move(**next));
  }
}

}  // namespace

Result<domain::Worklog> SqliteWorklogs::Create(const domain::Worklog& worklog) {
  const int64_t now = ToMicros(store_.clock().Now());
  // One writer at a time: the dedupe and activity checks and the insert see the same state.
  return store_.Write([&](Connection& db) -> Result<domain::Worklog> {
    if (worklog.dedupe_key) {
      // The dedupe key was used before: hand back the first worklog.
      auto select = db.Prepare(kSelectWorklogByDedupeKey);
      if (!select) {
        return tl::unexpected(select.error());
      }
      select->Bind(1, worklog.user_id).Bind(2, worklog.dedupe_key);
      auto existing = NextWorklog(*select);
      if (!existing) {
        return tl::unexpected(existing.error());
      }
      if (*existing) {
        return std::move(**existing);
      }
    }
    if (!worklog.activity_keys.empty()) {
      auto claim = db.Prepare(kSelectActivityClaim);
      if (!claim) {
        return tl::unexpected(claim.error());
      }
      claim->Bind(1, worklog.user_id)
          .Bind(2, worklog.start_date)
          .Bind(3, EncodeStringArray(worklog.activity_keys))
          .Bind(4, worklog.issue_key);
      auto row = claim->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (*row) {
        return ActivityAlreadyLogged(claim->Text(1), claim->Int(0));
      }
    }
    auto insert = db.Prepare(kInsertWorklog);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, worklog.user_id)
        .Bind(2, worklog.issue_key)
        .Bind(3, worklog.start_date)
        .Bind(4, worklog.start_time)
        .Bind(5, ToMicros(worklog.start_at))
        .Bind(6, worklog.duration_seconds)
        .Bind(7, worklog.description)
        .Bind(8, domain::OriginName(worklog.origin))
        .Bind(9, EncodeStringArray(worklog.activity_keys))
        .Bind(10, worklog.dedupe_key)
        .Bind(11, now);
    auto created = NextWorklog(*insert);
    if (!created) {
      return tl::unexpected(created.error());
    }
    if (!*created) {
      return Internal("worklog insert was skipped although its dedupe key is unused");
    }
    return std::move(**created);
  });
}

Result<domain::Worklog> SqliteWorklogs::Get(int64_t id) {
  return store_.Read([&](Connection& db) -> Result<domain::Worklog> {
    auto select = db.Prepare(kSelectWorklog);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, id);
    auto found = NextWorklog(*select);
    if (!found) {
      return tl::unexpected(found.error());
    }
    if (!*found) {
      return NotFound(fmt::format("worklog {} not found", id));
    }
    return std::move(**found);
  });
}

Result<std::vector<domain::Worklog>> SqliteWorklogs::List(const WorklogQuery& query) {
  return store_.Read([&](Connection& db) -> Result<std::vector<domain::Worklog>> {
    auto select = db.Prepare(query.user_id ? kSelectUserWorklogs : kSelectAllWorklogs);
    if (!select) {
      return tl::unexpected(select.error());
    }
    if (query.user_id) {
      select->Bind(1, *query.user_id).Bind(2, query.from_date).Bind(3, query.to_date);
    } else {
      select->Bind(1, query.from_date).Bind(2, query.to_date);
    }
    return AllWorklogs(*select);
  });
}

Result<domain::Worklog> SqliteWorklogs::Update(const domain::Worklog& worklog) {
  const int64_t now = ToMicros(store_.clock().Now());
  return store_.Write([&](Connection& db) -> Result<domain::Worklog> {
    auto update = db.Prepare(kUpdateWorklog);
    if (!update) {
      return tl::unexpected(update.error());
    }
    update->Bind(1, worklog.id)
        .Bind(2, worklog.issue_key)
        .Bind(3, worklog.start_date)
        .Bind(4, worklog.start_time)
        .Bind(5, ToMicros(worklog.start_at))
        .Bind(6, worklog.duration_seconds)
        .Bind(7, worklog.description)
        .Bind(8, now);
    auto updated = NextWorklog(*update);
    if (!updated) {
      return tl::unexpected(updated.error());
    }
    if (!*updated) {
      return NotFound(fmt::format("worklog {} not found", worklog.id));
    }
    return std::move(**updated);
  });
}

Status SqliteWorklogs::Delete(int64_t id) {
  return store_.Write([&](Connection& db) -> Status {
    auto remove = db.Prepare(kDeleteWorklog);
    if (!remove) {
      return tl::unexpected(remove.error());
    }
    remove->Bind(1, id);
    auto changed = remove->Run();
    if (!changed) {
      return tl::unexpected(changed.error());
    }
    if (*changed == 0) {
      return NotFound(fmt::format("worklog {} not found", id));
    }
    return {};
  });
}

}  // namespace worklog::store::sqlite
