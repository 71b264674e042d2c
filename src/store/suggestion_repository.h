#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::store {

// A suggestion of the Activity Feed that its user logged or dismissed (DESIGN.md §3.5):
// suggestions are computed on read, so only this is remembered, by the suggestion's stable
// id (feed::SuggestionId), and a handled suggestion never comes back.
struct HandledSuggestion {
  int64_t user_id = 0;
  std::string suggestion_id;          // "sg_…"
  std::string action;                 // "logged" or "dismissed"
  std::optional<int64_t> worklog_id;  // the worklog it became ("logged")
  TimePoint handled_at{};
};

class SuggestionRepository {
 public:
  SuggestionRepository() = default;
  SuggestionRepository(const SuggestionRepository&) = delete;
  SuggestionRepository& operator=(const SuggestionRepository&) = delete;
  SuggestionRepository(SuggestionRepository&&) = delete;
  SuggestionRepository& operator=(SuggestionRepository&&) = delete;
  virtual ~SuggestionRepository() = default;

  // Remembers (user_id, suggestion_id) as handled and returns the stored record: when it
  // was already handled, the first record, unchanged (a retried log or dismiss is a no-op).
  // Durable on return.
  virtual Result<HandledSuggestion> MarkHandled(const HandledSuggestion& handled) = 0;
  virtual Result<std::optional<HandledSuggestion>> GetHandled(int64_t user_id,
                                                              std::string_view suggestion_id) = 0;
  // The ids of `user_id`'s handled suggestions among `suggestion_ids` (any order).
  virtual Result<std::vector<std::string>> FilterHandled(
      int64_t user_id, const std::vector<std::string>& suggestion_ids) = 0;
};

}  // namespace worklog::store
