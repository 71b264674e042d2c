#include "http/cookies.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace worklog::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SessionCookie, IsHttpOnlySameSiteLaxForTheWholeSite) {
  const std::string cookie = SessionCookie("abc", std::chrono::hours(24), /*secure=*/false);
  EXPECT_TRUE(cookie.starts_with("worklog_session=abc;"));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("; SameSite=Lax"));
  EXPECT_THAT(cookie, HasSubstr("; Path=/"));
  EXPECT_THAT(cookie, HasSubstr("; Max-Age=86400"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));
}

TEST(SessionCookie, IsSecureWhenThePublicUrlIsHttps) {
  EXPECT_THAT(SessionCookie("abc", std::chrono::hours(1), /*secure=*/true), HasSubstr("; Secure"));
  EXPECT_THAT(ClearedSessionCookie(/*secure=*/true), HasSubstr("; Secure"));
}

TEST(SessionCookie, ClearingSetsMaxAgeZero) {
  EXPECT_THAT(ClearedSessionCookie(false), HasSubstr("worklog_session=; Path=/; Max-Age=0"));
}

TEST(FindCookie, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(FindCookie("theme=dark; worklog_session=s3cr3t; lang=en", "worklog_session"), "s3cr3t");
  EXPECT_EQ(FindCookie("worklog_session=\"quoted\"", "worklog_session"), "quoted");
  EXPECT_EQ(FindCookie("other_worklog_session=x", "worklog_session"), std::nullopt);
  EXPECT_EQ(FindCookie("", "worklog_session"), std::nullopt);
  EXPECT_EQ(FindCookie("broken; worklog_session=v", "worklog_session"), "v");
}

}  // namespace
}  // namespace worklog::http
