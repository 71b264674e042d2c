#include "sync/payload.h"

#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace worklog::sync {

Payload& Payload::Set(std::string key, int64_t value) {
  values_[std::move(key)] = value;
  return *this;
}

Payload& Payload::Set(std::string key, std::string value) {
  values_[std::move(key)] = std::move(value);
  return *this;
}

std::optional<int64_t> Payload::Int(std::string_view key) const {
  const auto found = values_.find(key);
  if (found == values_.end() || !std::holds_alternative<int64_t>(found->second)) {
    return std::nullopt;
  }
  return std::get<int64_t>(found->second);
}

std::optional<std::string> Payload::Text(std::string_view key) const {
  const auto found = values_.find(key);
  if (found == values_.end() || !std::holds_alternative<std::string>(found->second)) {
    return std::nullopt;
  }
  return std::get<std::string>(found->second);
}

Result<int64_t> Payload::RequireInt(std::string_view key) const {
  if (auto value = Int(key)) {
    return *value;
  }
  return InvalidArgument(key, fmt::format("the job payload has no integer \"{}\"", key));
}

std::string Payload::ToJson() const {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : values_) {
    std::visit([&, &key = key](const auto& v) { object[key] = v; }, value);
  }
  // Sorted keys, no spaces, control characters as \u00XX; a byte that is not UTF-8 (no
  // GitLab text has one) becomes U+FFFD instead of an exception.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Payload> Payload::Parse(std::string_view json) {
  const auto bad = [] { return InvalidArgument("payload", "not a flat JSON object"); };
  const nlohmann::json object = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) {  // also what a parse error leaves: `discarded`
    return bad();
  }
  Payload payload;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) {
      payload.Set(key, value.get<std::string>());
    } else if (value.is_number_integer() &&
               (!value.is_number_unsigned() ||
                value.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()})) {
      payload.Set(key, value.get<int64_t>());
    } else {
      return bad();
    }
  }
  return payload;
}

}  // namespace worklog::sync
