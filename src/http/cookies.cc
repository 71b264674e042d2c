#include "http/cookies.h"

#include <fmt/format.h>

#include "common/text.h"

namespace worklog::http {

std::string SessionCookie(std::string_view session_id, std::chrono::seconds max_age, bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}", kSessionCookieName,
                     session_id, max_age.count(), secure ? "; Secure" : "");
}

std::string ClearedSessionCookie(bool secure) {
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", kSessionCookieName,
                     secure ? "; Secure" : "");
}

std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const std::size_t semicolon = cookie_header.find(';');
    const std::string_view pair = TrimBlanks(cookie_header.substr(0, semicolon));
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && TrimBlanks(pair.substr(0, equals)) == name) {
      std::string_view value = TrimBlanks(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    if (semicolon == std::string_view::npos) {
      break;
    }
    cookie_header.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

}  // namespace worklog::http
