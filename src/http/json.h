#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "domain/user.h"
#include "domain/worklog.h"
#include "http/request.h"

namespace worklog::http {

// Deeper nesting is refused before parsing (no JSON we accept comes close).
inline constexpr int kMaxJsonDepth = 64;
// kInvalidArgument naming `field` when `text` nests arrays and objects deeper than
// kMaxJsonDepth. A linear scan: safe on hostile input of any size.
Status CheckJsonNesting(std::string_view text, std::string_view field);

// Parses a request body that must be one JSON object. Errors name "body" and, for bad
// JSON, the byte where parsing failed (deep nesting and invalid UTF-8 are named as such).
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// Fields of a parsed object; each error names the field. A JSON null counts as absent.
Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  std::string_view field);
Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& object, std::string_view field);
Result<std::optional<bool>> OptionalBool(const nlohmann::json& object, std::string_view field);
// kInvalidArgument naming the first member of `object` that is not in `known`.
Status RejectUnknownFields(const nlohmann::json& object,
                           std::initializer_list<std::string_view> known);

// A positive integer id from a path segment or query value; errors name `field`.
Result<int64_t> ParseId(std::string_view field, std::string_view text);

// "2026-11-24T08:30:00Z" (UTC, whole seconds).
std::string Rfc3339(TimePoint instant);

nlohmann::json UserJson(const domain::User& user);
nlohmann::json WorklogJson(const domain::Worklog& worklog);

// `status` with `body` as application/json.
Response JsonResponse(int status, const nlohmann::json& body);
Response NoContent();

}  // namespace worklog::http
