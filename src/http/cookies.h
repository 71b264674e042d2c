#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace worklog::http {

inline constexpr std::string_view kSessionCookieName = "worklog_session";

// Set-Cookie value of the session cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age, and Secure
// when the server's public URL is https.
std::string SessionCookie(std::string_view session_id, std::chrono::seconds max_age, bool secure);
// Set-Cookie value that makes the browser forget the session cookie.
std::string ClearedSessionCookie(bool secure);

// The value of cookie `name` in a Cookie request header ("a=1; b=2").
std::optional<std::string> FindCookie(std::string_view cookie_header, std::string_view name);

}  // namespace worklog::http
