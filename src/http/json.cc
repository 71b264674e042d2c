#include "http/json.h"

#include <charconv>
#include <limits>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace worklog::http {

Status CheckJsonNesting(std::string_view text, std::string_view field) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return InvalidArgument(field, fmt::format("nests arrays and objects deeper than {} levels "
                                                  "(at byte {})",
                                                  kMaxJsonDepth, i + 1));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return {};
}

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  if (auto nesting = CheckJsonNesting(body, "body"); !nesting) {
    return tl::unexpected(nesting.error());
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    if (body.empty()) {
      return InvalidArgument("body", "is empty: send a JSON object");
    }
    if (std::string_view(e.what()).find("UTF-8") != std::string_view::npos) {
      return InvalidArgument("body", fmt::format("is not valid UTF-8 (at byte {})", e.byte));
    }
    return InvalidArgument("body", fmt::format("is not valid JSON (at byte {})", e.byte));
  }
  if (!parsed.is_object()) {
    return InvalidArgument("body", "must be a JSON object");
  }
  return parsed;
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& object,
                                                  std::string_view field) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::string>();
  }
  if (!it->is_string()) {
    return InvalidArgument(field, "must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& object, std::string_view field) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    return std::optional<int64_t>();
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument(field, "is too large");
    }
    return std::optional<int64_t>(static_cast<int64_t>(value));
  }
  if (it->is_number_integer()) {
    return std::optional<int64_t>(it->get<int64_t>());
  }
  return InvalidArgument(field, "must be an integer");
}

Result<std::optional<bool>> OptionalBool(const nlohmann::json& object, std::string_view field) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    return std::optional<bool>();
  }
  if (!it->is_boolean()) {
    return InvalidArgument(field, "must be true or false");
  }
  return std::optional<bool>(it->get<bool>());
}

Status RejectUnknownFields(const nlohmann::json& object,
                           std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (const auto& name : known) {
      found = found || key == name;
    }
    if (!found) {
      return InvalidArgument(key, "is not a known field");
    }
  }
  return {};
}

Result<int64_t> ParseId(std::string_view field, std::string_view text) {
  int64_t id = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (text.empty() || ec != std::errc() || ptr != end || id <= 0) {
    return InvalidArgument(field, "must be a positive integer");
  }
  return id;
}

std::string Rfc3339(TimePoint instant) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(instant));
}

nlohmann::json UserJson(const domain::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"role", domain::RoleName(user.role)},
          {"timezone", user.timezone}};
}

nlohmann::json WorklogJson(const domain::Worklog& worklog) {
  return {{"id", worklog.id},
          {"user_id", worklog.user_id},
          {"issue_key", worklog.issue_key},
          {"start_date", worklog.start_date},
          {"start_time", worklog.start_time},
          {"duration_seconds", worklog.duration_seconds},
          {"description", worklog.description},
          {"origin", domain::OriginName(worklog.origin)},
          {"activity_keys", worklog.activity_keys},
          {"created_at", Rfc3339(worklog.created_at)},
          {"updated_at", Rfc3339(worklog.updated_at)}};
}

Response JsonResponse(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response NoContent() {
  Response response;
  response.status = 204;
  return response;
}

}  // namespace worklog::http
