#include "http/json_writer.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog::http {
namespace {

std::string NlohmannDump(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Written(const std::string& text) { return JsonWriter().String(text).Take(); }

TEST(JsonWriter, NestsObjectsAndArraysWithCommasWhereTheyBelong) {
  JsonWriter json;
  json.BeginObject()
      .Key("a")
      .BeginArray()
      .Int(1)
      .Int(-20)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .Null()
      .EndArray()
      .Key("b")
      .String("x")
      .Key("c")
      .BeginObject()
      .Key("d")
      .Null()
      .EndObject()
      .EndObject();
  EXPECT_EQ(json.str(), R"({"a":[1,-20,{},[],null],"b":"x","c":{"d":null}})");
  EXPECT_EQ(json.str(), nlohmann::json::parse(json.str()).dump());
}

TEST(JsonWriter, EscapesStringsAsNlohmannDoes) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) {
    controls.push_back(static_cast<char>(c));
  }
  for (const std::string& text :
       {std::string(""), std::string("plain"), std::string(R"(say "hi" \ path/to)"), controls,
        std::string("\x7f del"), std::string("café — 日本 😀"),
        std::string("PROJ-1 fix\r\n\tbody")}) {
    EXPECT_EQ(Written(text), NlohmannDump(text)) << text;
  }
  EXPECT_EQ(Written("a\x01"), R"("a\u0001")");
}

TEST(JsonWriter, InvalidUtf8BecomesTheReplacementCharacterAsInNlohmann) {
  for (const std::string& text :
       {std::string("lone \x80 continuation"), std::string("cut at the end \xe6\x97"),
        std::string("overlong \xc0\x80"), std::string("surrogate \xed\xa0\x80 half"),
        std::string("beyond U+10FFFF \xf4\x90\x80\x80"), std::string("\xf5\xff"),
        std::string("\xe6\x97\x41 then ascii"), std::string("ok \xc3\xa9 then bad \xc3")}) {
    const std::string written = Written(text);
    EXPECT_EQ(written, NlohmannDump(text));
    EXPECT_NE(written.find("\xef\xbf\xbd"), std::string::npos) << written;
    EXPECT_TRUE(nlohmann::json::accept(written));
  }
}

TEST(JsonWriter, WritesTheExtremeIntegers) {
  EXPECT_EQ(JsonWriter().Int(INT64_MIN).Take(), "-9223372036854775808");
  EXPECT_EQ(JsonWriter().Int(INT64_MAX).Take(), "9223372036854775807");
  EXPECT_EQ(JsonWriter().Int(0).Take(), "0");
}

}  // namespace
}  // namespace worklog::http
