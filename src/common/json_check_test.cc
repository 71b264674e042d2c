#include "common/json_check.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog {
namespace {

constexpr int kDeep = 1 << 20;

bool Valid(std::string_view text) { return CheckJson(text, kDeep) == JsonCheck::kValid; }

TEST(CheckJsonTest, AcceptsWhatJsonIs) {
  for (const char* text :
       {"{}", "[]", "0", "-0", "1.5e-3", "-12E+7", "\"\"", "true", "false", "null", " \t\r\n{} ",
        R"({"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00\n\""})", "\xEF\xBB\xBF{}",
        "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"", "1e-400", "[1,2,3]"}) {
    EXPECT_TRUE(Valid(text)) << text;
    EXPECT_TRUE(nlohmann::json::accept(text)) << text;
  }
}

TEST(CheckJsonTest, RefusesWhatJsonIsNot) {
  for (const char* text : {"",
                           " ",
                           "{",
                           "}",
                           "[1,]",
                           "{\"a\":1,}",
                           "{\"a\"}",
                           "{1:2}",
                           "01",
                           "1.",
                           ".5",
                           "-",
                           "1e",
                           "+1",
                           "tru",
                           "nul",
                           "True",
                           "'a'",
                           "\"a",
                           R"("\x")",
                           R"("\u12")",
                           R"("\udc00")",
                           R"("\ud800")",
                           R"("\ud800\u0041")",
                           "\"a\tb\"",
                           "\"\xC0\xAF\"",
                           "\"\xED\xA0\x80\"",
                           "\"\xF4\x90\x80\x80\"",
                           "\"\xE2\x82\"",
                           "1e400",
                           "-1e400",
                           "{} {}",
                           "[] x",
                           "\xEF\xBB{}",
                           "/* c */ {}",
                           "NaN",
                           "[1 2]",
                           "{\"a\" 1}"}) {
    EXPECT_FALSE(Valid(text)) << text;
    EXPECT_FALSE(nlohmann::json::accept(text)) << text;
  }
  EXPECT_FALSE(Valid(std::string("\"a\0b\"", 5)));
  EXPECT_FALSE(Valid(std::string("{}\0", 3)));
  EXPECT_FALSE(Valid(std::string(400, '9')));  // a double holds it? no: inf
  EXPECT_TRUE(Valid(std::string(300, '9')));
}

TEST(CheckJsonTest, CountsNestingLikeTheDepthLimit) {
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
  };
  EXPECT_EQ(CheckJson(nested(64), 64), JsonCheck::kValid);
  EXPECT_EQ(CheckJson(nested(65), 64), JsonCheck::kTooDeep);
  EXPECT_EQ(CheckJson("{\"a\":{\"b\":{}}}", 3), JsonCheck::kValid);
  EXPECT_EQ(CheckJson("{\"a\":{\"b\":{}}}", 2), JsonCheck::kTooDeep);
  EXPECT_EQ(CheckJson("[[],[],[[]]]", 3), JsonCheck::kValid);
  // Past the 256 levels kept without allocating.
  EXPECT_EQ(CheckJson(nested(5000), 5000), JsonCheck::kValid);
  EXPECT_EQ(CheckJson(std::string(5000, '[') + "{\"a\":1}" + std::string(5000, ']'), kDeep),
            JsonCheck::kValid);
  EXPECT_EQ(CheckJson(std::string(5000, '[') + "{\"a\":1]" + std::string(5000, ']'), kDeep),
            JsonCheck::kInvalid);
}

// The same yes or no as nlohmann::json::accept on 60,000 mutations of JSON documents:
// bytes replaced, inserted, removed and cut off, from an alphabet of what JSON's grammar
// turns on (quotes, escapes, digits, signs, brackets, UTF-8 lead and continuation bytes).
TEST(CheckJsonTest, AgreesWithNlohmannOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"object_kind":"push","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","ref":"refs/heads/PROJ-7-fix","user_id":4,"user_name":"John Smith","user_email":"john@example.com","project":{"id":15,"path_with_namespace":"mike/diaspora"},"commits":[{"id":"b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327","message":"Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information","timestamp":"2011-12-12T14:27:31+02:00","author":{"name":"Jordi Mallach","email":"jordi@softcatala.org"},"added":["CHANGELOG"],"modified":[],"removed":[]}],"total_commits_count":4})",
      R"([1, -2.5e+10, 0.000001, 1E5, true, false, null, "a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud834\udd1e", {}, [], [[{"k": [0]}]]])",
      "{\"caf\xC3\xA9\": \"\xE2\x82\xAC\xF0\x9F\x98\x80\xED\x9F\xBF\xEF\xBF\xBD\xF4\x8F\xBF\xBF\"}",
      "\xEF\xBB\xBF [ 123456789012345678901234567890, -0, 0.5, 1e308, 1e-320 ]",
  };
  const std::string alphabet =
      "{}[]:,\"\\/ \t\n\r0123456789+-.eEuabfnrtlsDdCc\x01\x1F\x7F\x80\xBF\xC0\xC2\xDF\xE0\xED"
      "\xEF\xF0\xF4\xF5\xFF";
  std::mt19937 random(20261126);  // fixed: a failure is reproducible
  const auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  int valid = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string text = seeds[pick(seeds.size())];
    const std::size_t edits = 1 + pick(3);
    for (std::size_t e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = pick(text.size());
      switch (pick(4)) {
        case 0:
          text[at] = alphabet[pick(alphabet.size())];
          break;
        case 1:
          text.insert(at, 1, alphabet[pick(alphabet.size())]);
          break;
        case 2:
          text.erase(at, 1 + pick(3));
          break;
        default:
          if (pick(8) == 0) {
            text.resize(at);
          } else {  // a piece of another seed in the middle
            const std::string& other = seeds[pick(seeds.size())];
            const std::size_t from = pick(other.size());
            text.insert(at, other.substr(from, 1 + pick(12)));
          }
      }
    }
    const bool expected = nlohmann::json::accept(text);
    ASSERT_EQ(Valid(text), expected) << "round " << round << ": " << text;
    valid += expected ? 1 : 0;
  }
  // Both outcomes were exercised.
  EXPECT_GT(valid, 300);
  EXPECT_LT(valid, 57000);
}

}  // namespace
}  // namespace worklog
