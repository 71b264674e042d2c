#pragma once

#include "store/suggestion_repository.h"

namespace worklog::store::postgres {

class PgStore;

// Handled Activity Feed suggestions on PostgreSQL.
class PgSuggestions final : public SuggestionRepository {
 public:
  explicit PgSuggestions(PgStore& store) : store_(store) {}
  Result<HandledSuggestion> MarkHandled(const HandledSuggestion& handled) override;
  Result<std::optional<HandledSuggestion>> GetHandled(int64_t user_id,
                                                      std::string_view suggestion_id) override;
  Result<std::vector<std::string>> FilterHandled(
      int64_t user_id, const std::vector<std::string>& suggestion_ids) override;

 private:
  PgStore& store_;
};

}  // namespace worklog::store::postgres
