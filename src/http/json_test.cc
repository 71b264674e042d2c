#include "http/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog::http {
namespace {

using ::testing::HasSubstr;

TEST(ParseJsonObject, BadJsonNamesTheBodyAndTheByte) {
  const auto parsed = ParseJsonObject(R"({"issue_key": })");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().field, "body");
  EXPECT_THAT(parsed.error().message, HasSubstr("byte 15"));
}

TEST(ParseJsonObject, AnArrayIsNotAnObject) {
  const auto parsed = ParseJsonObject("[1, 2]");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().field, "body");
}

TEST(OptionalInt, RejectsFractionsStringsAndHugeNumbersNamingTheField) {
  const auto object = nlohmann::json::parse(
      R"({"a": 1.5, "b": "60", "c": 18446744073709551615, "d": -3, "e": null})");
  EXPECT_EQ(OptionalInt(object, "a").error().field, "a");
  EXPECT_EQ(OptionalInt(object, "b").error().field, "b");
  EXPECT_EQ(OptionalInt(object, "c").error().field, "c");
  EXPECT_EQ(OptionalInt(object, "d").value(), -3);
  EXPECT_EQ(OptionalInt(object, "e").value(), std::nullopt);
  EXPECT_EQ(OptionalInt(object, "missing").value(), std::nullopt);
}

TEST(RejectUnknownFields, NamesTheFirstUnknownMember) {
  const auto object = nlohmann::json::parse(R"({"issue_key": "A-1", "duraton": 5})");
  const auto checked = RejectUnknownFields(object, {"issue_key", "duration_seconds"});
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().field, "duraton");
}

TEST(ParseId, AcceptsOnlyPositiveIntegers) {
  EXPECT_EQ(ParseId("id", "42").value(), 42);
  EXPECT_FALSE(ParseId("id", "0"));
  EXPECT_FALSE(ParseId("id", "-1"));
  EXPECT_FALSE(ParseId("id", "4x"));
  EXPECT_FALSE(ParseId("id", ""));
  EXPECT_FALSE(ParseId("id", "99999999999999999999"));
  EXPECT_EQ(ParseId("user_id", "x").error().field, "user_id");
}

std::string NestedIn(int depth) {
  return R"({"a":)" + std::string(static_cast<std::size_t>(depth - 1), '[') +
         std::string(static_cast<std::size_t>(depth - 1), ']') + "}";
}

TEST(ParseJsonObject, NestingIsLimitedAndNamed) {
  EXPECT_TRUE(ParseJsonObject(NestedIn(kMaxJsonDepth)));
  const auto deep = ParseJsonObject(NestedIn(kMaxJsonDepth + 1));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().field, "body");
  EXPECT_NE(deep.error().message.find("deeper than 64"), std::string::npos);
  // Brackets inside strings (also after an escaped quote) are text, not nesting.
  EXPECT_TRUE(ParseJsonObject(
      R"({"a":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
}

TEST(ParseJsonObject, InvalidUtf8IsNamed) {
  const auto bad = ParseJsonObject("{\"a\":\"caf\xC3\x28\"}");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("UTF-8"), std::string::npos) << bad.error().message;
}

TEST(Rfc3339, IsUtcWithWholeSeconds) {
  const TimePoint instant = std::chrono::sys_days(std::chrono::year(2026) / 11 / 24) +
                            std::chrono::hours(8) + std::chrono::minutes(30) +
                            std::chrono::microseconds(1500);
  EXPECT_EQ(Rfc3339(instant), "2026-11-24T08:30:00Z");
}

}  // namespace
}  // namespace worklog::http
