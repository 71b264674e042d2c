// Handled Activity Feed suggestions on SQLite.
#include "store/sqlite/sqlite_suggestions.h"

#include "store/codec.h"
#include "store/sqlite/sqlite_store.h"

namespace worklog::store::sqlite {
namespace {

constexpr std::string_view kInsertHandled = R"sql(
  INSERT INTO handled_suggestions (user_id, suggestion_id, action, worklog_id, handled_at_us)
  VALUES (?1, ?2, ?3, ?4, ?5)
  ON CONFLICT (user_id, suggestion_id) DO NOTHING
)sql";

constexpr std::string_view kSelectHandled = R"sql(
  SELECT user_id, suggestion_id, action, worklog_id, handled_at_us
  FROM handled_suggestions WHERE user_id = ?1 AND suggestion_id = ?2
)sql";

constexpr std::string_view kFilterHandled = R"sql(
  SELECT suggestion_id FROM handled_suggestions
  WHERE user_id = ?1 AND suggestion_id IN (SELECT value FROM json_each(?2))
)sql";

Result<std::optional<HandledSuggestion>> SelectHandled(Connection& db, int64_t user_id,
                                                       std::string_view suggestion_id) {
  auto select = db.Prepare(kSelectHandled);
  if (!select) {
    return tl::unexpected(select.error());
  }
  select->Bind(1, user_id).Bind(2, suggestion_id);
  auto row = select->Step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return std::optional<HandledSuggestion>{};
  }
  HandledSuggestion handled;
  handled.user_id = select->Int(0);
  handled.suggestion_id = select->Text(1);
  handled.action = select->Text(2);
  handled.worklog_id = select->OptionalInt(3);
  handled.handled_at = FromMicros(select->Int(4));
  return std::optional<HandledSuggestion>{std::move(handled)};
}

}  // namespace

Result<HandledSuggestion> SqliteSuggestions::MarkHandled(const HandledSuggestion& handled) {
  return store_.Write([&](Connection& db) -> Result<HandledSuggestion> {
    auto insert = db.Prepare(kInsertHandled);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    insert->Bind(1, handled.user_id)
        .Bind(2, handled.suggestion_id)
        .Bind(3, handled.action)
        .Bind(4, handled.worklog_id)
        .Bind(5, ToMicros(handled.handled_at));
    if (auto ran = insert->Run(); !ran) {
      return tl::unexpected(ran.error());
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

Result<std::optional<HandledSuggestion>> SqliteSuggestions::GetHandled(
    int64_t user_id, std::string_view suggestion_id) {
  return store_.Read([&](Connection& db) { return SelectHandled(db, user_id, suggestion_id); });
}

Result<std::vector<std::string>> SqliteSuggestions::FilterHandled(
    int64_t user_id, const std::vector<std::string>& suggestion_ids) {
  if (suggestion_ids.empty()) {
    return std::vector<std::string>{};
  }
  return store_.Read([&](Connection& db) -> Result<std::vector<std::string>> {
    auto select = db.Prepare(kFilterHandled);
    if (!select) {
      return tl::unexpected(select.error());
    }
    select->Bind(1, user_id).Bind(2, EncodeStringArray(suggestion_ids));
    std::vector<std::string> ids;
    while (true) {
      auto row = select->Step();
      if (!row) {
        return tl::unexpected(row.error());
      }
      if (!*row) {
        return ids;
      }
      ids.push_back(select->Text(0));
    }
  });
}

}  // namespace worklog::store::sqlite
