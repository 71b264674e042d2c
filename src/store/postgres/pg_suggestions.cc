// Handled Activity Feed suggestions on PostgreSQL.
#include "store/postgres/pg_suggestions.h"

#include "store/codec.h"
#include "store/postgres/pg_store.h"

namespace worklog::store::postgres {
namespace {

constexpr std::string_view kInsertHandled = R"sql(
  INSERT INTO handled_suggestions (user_id, suggestion_id, action, worklog_id, handled_at_us)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (user_id, suggestion_id) DO NOTHING
)sql";

constexpr std::string_view kSelectHandled = R"sql(
  SELECT user_id, suggestion_id, action, worklog_id, handled_at_us
  FROM handled_suggestions WHERE user_id = $1 AND suggestion_id = $2
)sql";

constexpr std::string_view kFilterHandled = R"sql(
  SELECT suggestion_id FROM handled_suggestions
  WHERE user_id = $1 AND suggestion_id = ANY ($2::text[])
)sql";

Result<std::optional<HandledSuggestion>> SelectHandled(Connection& db, int64_t user_id,
                                                       std::string_view suggestion_id) {
  auto rows = db.Exec(kSelectHandled, Params().Add(user_id).Add(suggestion_id));
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  if (rows->empty()) {
    return std::optional<HandledSuggestion>{};
  }
  HandledSuggestion handled;
  handled.user_id = rows->Int(0, 0);
  handled.suggestion_id = rows->Text(0, 1);
  handled.action = rows->Text(0, 2);
  handled.worklog_id = rows->OptionalInt(0, 3);
  handled.handled_at = FromMicros(rows->Int(0, 4));
  return std::optional<HandledSuggestion>{std::move(handled)};
}

}  // namespace

Result<HandledSuggestion> PgSuggestions::MarkHandled(const HandledSuggestion& handled) {
  // INSERT … DO NOTHING then SELECT: safe to repeat after a lost connection.
  return store_.pool().Run([&](Connection& db) -> Result<HandledSuggestion> {
    auto inserted = db.Exec(kInsertHandled, Params()
                                                .Add(handled.user_id)
                                                .Add(handled.suggestion_id)
                                                .Add(handled.action)
                                                .Add(handled.worklog_id)
                                                .Add(ToMicros(handled.handled_at)));
    if (!inserted) {
      return tl::unexpected(inserted.error());
    }
    auto stored = SelectHandled(db, handled.user_id, handled.suggestion_id);
    if (!stored) {
      return tl::unexpected(stored.error());
    }
    if (!*stored) {
      return Internal("handled suggestion vanished after insert");
    }
    return std::move(**stored);
  });
}

Result<std::optional<HandledSuggestion>> PgSuggestions::GetHandled(int64_t user_id,
                                                                   std::string_view suggestion_id) {
  return store_.pool().Run(
      [&](Connection& db) { return SelectHandled(db, user_id, suggestion_id); });
}

Result<std::vector<std::string>> PgSuggestions::FilterHandled(
    int64_t user_id, const std::vector<std::string>& suggestion_ids) {
  if (suggestion_ids.empty()) {
    return std::vector<std::string>{};
  }
  return store_.pool().Run([&](Connection& db) -> Result<std::vector<std::string>> {
    auto rows = db.Exec(kFilterHandled, Params().Add(user_id).Add(PgTextArray(suggestion_ids)));
    if (!rows) {
      return tl::unexpected(rows.error());
    }
    std::vector<std::string> ids;
    ids.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i) {
      ids.push_back(rows->Text(i, 0));
    }
    return ids;
  });
}

}  // namespace worklog::store::postgres
