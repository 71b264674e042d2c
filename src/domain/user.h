#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace worklog::domain {

enum class Role { kAdmin, kUser };

std::string_view RoleName(Role role);  // "admin" | "user"
Result<Role> ParseRole(std::string_view field, std::string_view text);

// A staff member.
struct User {
  int64_t id = 0;
  std::string email;  // lowercased, unique
  std::string name;
  Role role = Role::kUser;
  std::string timezone = "UTC";  // IANA name
  std::string password_hash;     // Argon2id encoded; empty: cannot sign in with a password
  bool auto_log_day_end = false;
  TimePoint created_at{};
};

struct NewUser {
  std::string email;
  std::string name;
  Role role = Role::kUser;
  std::string timezone = "UTC";
  std::string password_hash;
};

// Value rules, each naming `field` in its error.
Result<std::string> NormalizeEmail(std::string_view field, std::string_view email);
Result<std::string> ValidateDisplayName(std::string_view field, std::string_view name);
// An IANA time zone known to the system's tz database ("Europe/Oslo", "UTC").
Result<std::string> ValidateTimeZone(std::string_view field, std::string_view tz);

}  // namespace worklog::domain
