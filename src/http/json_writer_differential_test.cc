// JsonWriter against nlohmann::json on many generated strings: the Activity Feed's bodies
// carry commit messages and comments from GitLab payloads, any bytes at all, so the writer's
// escaping must agree with the library's on every one, valid UTF-8 or not.
#include <array>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/json_writer.h"

namespace worklog::http {
namespace {

// Bytes drawn to hit every branch of the escaping: ASCII, controls, quote and backslash,
// UTF-8 lead bytes of each length (valid and invalid ones), continuation bytes, and whole
// well-formed sequences at the edges of the ranges (U+0080, U+07FF, U+FFFF, U+10FFFF, the
// surrogate edge).
std::string Generated(std::mt19937& random) {
  static const auto pieces = std::to_array<std::string>({"a",
                                                         "Z",
                                                         " ",
                                                         "\"",
                                                         "\\",
                                                         "/",
                                                         "\n",
                                                         "\t",
                                                         "\r",
                                                         "\b",
                                                         "\f",
                                                         std::string(1, '\0'),
                                                         "\x01",
                                                         "\x1f",
                                                         "\x7f",
                                                         "\x80",
                                                         "\xbf",
                                                         "\xc0",
                                                         "\xc1",
                                                         "\xc2",
                                                         "\xdf",
                                                         "\xe0",
                                                         "\xed",
                                                         "\xef",
                                                         "\xf0",
                                                         "\xf4",
                                                         "\xf5",
                                                         "\xff",
                                                         "\xc2\x80",
                                                         "\xdf\xbf",
                                                         "\xe0\xa0\x80",
                                                         "\xed\x9f\xbf",
                                                         "\xed\xa0\x80",
                                                         "\xef\xbf\xbf",
                                                         "\xf0\x90\x80\x80",
                                                         "\xf4\x8f\xbf\xbf",
                                                         "\xf4\x90\x80\x80",
                                                         "\xe6\x97\xa5",
                                                         "\xf0\x9f\x98\x80"});
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 12);
  std::string text;
  for (int n = length(random); n > 0; --n) {
    text += pieces[piece(random)];
  }
  return text;
}

TEST(JsonWriterDifferential, AgreesWithNlohmannOnTwentyThousandGeneratedStrings) {
  std::mt19937 random(20261126);  // fixed: the same strings every run
  int invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = Generated(random);
    const std::string expected =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string written = JsonWriter().String(text).Take();
    ASSERT_EQ(written, expected) << "string #" << i << " of " << text.size() << " bytes";
    invalid += expected.find("\xef\xbf\xbd") != std::string::npos ? 1 : 0;
  }
  // Both kinds were exercised, not just one.
  EXPECT_GT(invalid, 1000);
  EXPECT_LT(invalid, 19000);
}

}  // namespace
}  // namespace worklog::http
