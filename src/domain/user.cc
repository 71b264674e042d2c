#include "domain/user.h"

#include <cstddef>
#include <stdexcept>
#include <string>

#include <date/tz.h>
#include <fmt/format.h>

#include "domain/utf8.h"

namespace worklog::domain {
namespace {

constexpr std::size_t kMaxEmailLength = 254;  // RFC 5321 path limit
constexpr std::size_t kMaxNameLength = 200;   // characters

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kUser:
      return "user";
  }
  return "user";
}

Result<Role> ParseRole(std::string_view field, std::string_view text) {
  if (text == "admin") {
    return Role::kAdmin;
  }
  if (text == "user") {
    return Role::kUser;
  }
  return InvalidArgument(field, fmt::format(R"(must be "admin" or "user", got "{}")", text));
}

Result<std::string> NormalizeEmail(std::string_view field, std::string_view email) {
  const std::string_view trimmed = Trim(email);
  if (trimmed.empty()) {
    return InvalidArgument(field, "is required: an e-mail address like name@example.com");
  }
  if (trimmed.size() > kMaxEmailLength) {
    return InvalidArgument(field, fmt::format("must be at most {} characters", kMaxEmailLength));
  }
  std::string normalized;
  normalized.reserve(trimmed.size());
  for (const char c : trimmed) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      return InvalidArgument(field, "must not contain spaces or control characters");
    }
    normalized.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  const std::size_t at = normalized.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == normalized.size() ||
      normalized.find('@', at + 1) != std::string::npos) {
    return InvalidArgument(field, "must be an e-mail address like name@example.com");
  }
  const std::string_view domain = std::string_view{normalized}.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return InvalidArgument(field, "has an invalid domain after '@'");
  }
  if (!Utf8Length(normalized)) {
    return InvalidArgument(field, "must be valid UTF-8");
  }
  return normalized;
}

Result<std::string> ValidateDisplayName(std::string_view field, std::string_view name) {
  const std::string_view trimmed = Trim(name);
  if (trimmed.empty()) {
    return InvalidArgument(field, "is required and must not be blank");
  }
  const auto length = Utf8Length(trimmed);
  if (!length) {
    return InvalidArgument(field, "must be valid UTF-8");
  }
  if (*length > kMaxNameLength) {
    return InvalidArgument(field, fmt::format("must be at most {} characters", kMaxNameLength));
  }
  for (const char c : trimmed) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return InvalidArgument(field, "must not contain control characters");
    }
  }
  return std::string(trimmed);
}

Result<std::string> ValidateTimeZone(std::string_view field, std::string_view tz) {
  if (tz.empty()) {
    return InvalidArgument(field, R"(is required: an IANA time zone like "Europe/Oslo" or "UTC")");
  }
  try {
    date::locate_zone(std::string(tz));
  } catch (const std::runtime_error&) {
    return InvalidArgument(
        field, fmt::format(R"(unknown time zone "{}": use an IANA name like "Europe/Oslo")", tz));
  }
  return std::string(tz);
}

}  // namespace worklog::domain
