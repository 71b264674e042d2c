#include "http/cookies.h"

#include <fmt/format.h>

namespace worklog::http {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

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
    const std::string_view pair = Trim(cookie_header.substr(0, semicolon));
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && Trim(pair.substr(0, equals)) == name) {
      std::string_view value = Trim(pair.substr(equals + 1));
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
