#pragma once

#include <optional>
#include <string_view>

namespace worklog::sync {

// The raw text of the member `key` at the top level of the JSON object `object` (a number
// as written, a string without its quotes and still escaped, an object or array with its
// brackets); empty when absent or when `object` is not an object. Nested members with the
// same name are skipped. For reading an event's "id" and "created_at" without a JSON DOM
// (sync/ does not use nlohmann); the normalizer does the real parsing.
std::optional<std::string_view> TopLevelMember(std::string_view object, std::string_view key);

}  // namespace worklog::sync
