#include "domain/user.h"

#include <string>

#include <gtest/gtest.h>

namespace worklog::domain {
namespace {

TEST(NormalizeEmail, LowercasesAndTrims) {
  EXPECT_EQ(NormalizeEmail("email", "  Ada.Lovelace@Example.COM ").value(),
            "ada.lovelace@example.com");
}

TEST(NormalizeEmail, RejectsTextWithoutExactlyOneAt) {
  for (const char* bad : {"", "ada", "@example.com", "ada@", "a@b@c", "ada lovelace@x.org",
                          "ada@.example.com", "ada@example..com"}) {
    const auto result = NormalizeEmail("email", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().field, "email") << bad;
  }
}

TEST(NormalizeEmail, RejectsOverlongAddresses) {
  const auto result = NormalizeEmail("email", std::string(250, 'a') + "@example.com");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().field, "email");
}

TEST(ValidateDisplayName, TrimsAndKeepsUnicode) {
  EXPECT_EQ(ValidateDisplayName("name", "  Åse Østby ").value(), "Åse Østby");
}

TEST(ValidateDisplayName, RejectsBlankControlAndOverlongNames) {
  for (const std::string& bad : {std::string("   "), std::string("Ada\x01"), std::string(201, 'x'),
                                 std::string("\xff\xfe")}) {
    const auto result = ValidateDisplayName("name", bad);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().field, "name");
  }
  // 200 two-byte characters are within the limit: it counts characters, not bytes.
  std::string long_unicode;
  for (int i = 0; i < 200; ++i) {
    long_unicode += "é";
  }
  EXPECT_TRUE(ValidateDisplayName("name", long_unicode));
}

TEST(ValidateTimeZone, AcceptsIanaNames) {
  EXPECT_EQ(ValidateTimeZone("timezone", "Europe/Oslo").value(), "Europe/Oslo");
  EXPECT_EQ(ValidateTimeZone("timezone", "UTC").value(), "UTC");
  EXPECT_TRUE(ValidateTimeZone("timezone", "America/Argentina/Buenos_Aires"));
}

TEST(ValidateTimeZone, RejectsUnknownZonesNamingTheField) {
  for (const char* bad : {"", "Mars/Olympus", "+02:00", "europe/oslo"}) {
    const auto result = ValidateTimeZone("timezone", bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().field, "timezone");
  }
}

TEST(Role, RoundTripsItsNames) {
  EXPECT_EQ(ParseRole("role", RoleName(Role::kAdmin)).value(), Role::kAdmin);
  EXPECT_EQ(ParseRole("role", RoleName(Role::kUser)).value(), Role::kUser);
  const auto bad = ParseRole("role", "root");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "role");
}

}  // namespace
}  // namespace worklog::domain
