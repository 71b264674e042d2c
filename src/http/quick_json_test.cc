// QuickJson never accepts a body that CheckJsonNesting + nlohmann::json::accept (the
// webhook receiver's full check) would refuse, and settles ordinary payloads itself.
#include "http/quick_json.h"

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace worklog::http {
namespace {

bool FullCheck(const std::string& text) {
  return CheckJsonNesting(text, "body").has_value() && nlohmann::json::accept(text);
}

// The check it stands in for must agree whenever it says yes.
void ExpectNoLooserThanFull(const std::string& text) {
  if (QuickJson(text).Valid()) {
    EXPECT_TRUE(FullCheck(text)) << "QuickJson accepted what the full check refuses: " << text;
  }
}

const std::string kPush = R"({
  "object_kind": "push", "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
  "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "ref": "refs/heads/main",
  "user_id": 4, "user_name": "Jöhn Smïth ✓ 😀", "project_id": 15,
  "project": {"id": 15, "web_url": "https://gitlab.example.com/a/b", "avatar_url": null},
  "commits": [{"id": "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327",
               "message": "PROJ-7 #time 1h fix\nsecond line \"quoted\" \u00e9 \ud83d\ude00 \/",
               "timestamp": "2026-11-24T09:10:00+01:00", "added": [], "removed": [],
               "author": {"name": "J", "email": "j@example.com"}}],
  "total_commits_count": 1, "size": -0, "ok": true, "no": false
})";

TEST(QuickJson, SettlesOrdinaryPayloadsItself) {
  EXPECT_TRUE(QuickJson(kPush).Valid());
  EXPECT_TRUE(QuickJson("{}").Valid());
  EXPECT_TRUE(QuickJson(" [1, -2, \"x\", null, true, false, {\"a\": []}] ").Valid());
  EXPECT_TRUE(FullCheck(kPush));
}

TEST(QuickJson, RefusesWhatTheFullCheckRefuses) {
  const std::vector<std::string> bad = {"",
                                        " ",
                                        "{",
                                        "}",
                                        "[1,]",
                                        "{\"a\":1,}",
                                        "{\"a\" 1}",
                                        "{a:1}",
                                        "[01]",
                                        "[1.]",
                                        "[.5]",
                                        "[-]",
                                        "[1e]",
                                        "[1e+]",
                                        "[tru]",
                                        "[nul]",
                                        "\"\\x\"",
                                        "\"\\u12G4\"",
                                        "\"\\ud800\"",
                                        "\"\\udc00\"",
                                        "\"\\ud800\\u0041\"",
                                        "\"a\tb\"",
                                        std::string("\"a\0b\"", 5),
                                        "\"\xC3\x28\"",
                                        "\"\xC0\xAF\"",
                                        "\"\xE0\x80\xAF\"",
                                        "\"\xED\xA0\x80\"",
                                        "\"\xF4\x90\x80\x80\"",
                                        "\"\xF8\x88\x80\x80\x80\"",
                                        "\"\xFF\"",
                                        "{} {}",
                                        "[] x",
                                        "\xEF\xBB\xBF{}",
                                        "'a'",
                                        "[1 2]",
                                        "{\"a\":1 \"b\":2}",
                                        "\"unterminated",
                                        std::string(65, '[') + std::string(65, ']')};
  for (const std::string& text : bad) {
    EXPECT_FALSE(QuickJson(text).Valid()) << text;
  }
}

TEST(QuickJson, LeavesNumbersThatMayOverflowToTheFullCheck) {
  EXPECT_FALSE(QuickJson("[1e999]").Valid());
  EXPECT_FALSE(FullCheck("[1e999]"));
  EXPECT_FALSE(QuickJson("[" + std::string(400, '9') + "]").Valid());
  EXPECT_FALSE(QuickJson("[1.5]").Valid());  // not settled here, but valid
  EXPECT_TRUE(FullCheck("[1.5]"));
  EXPECT_TRUE(QuickJson(std::string(64, '[') + std::string(64, ']')).Valid());
}

TEST(QuickJson, NeverLooserThanTheFullCheckOnMutatedPayloads) {
  std::mt19937 random(20261126);
  constexpr std::string_view bytes{"\x00\x1F\x7F\x80\xBF\xC2\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF", 14};
  const std::string alphabet =
      std::string("{}[]\",:\\ u0123456789eE.-+tfnal\t\n") + std::string(bytes);
  int settled = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = kPush;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % text.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(at, 1, c);
          break;
        default:
          text.erase(at, 1);
      }
    }
    ExpectNoLooserThanFull(text);
    settled += QuickJson(text).Valid() ? 1 : 0;
  }
  EXPECT_GT(settled, 0);  // the mutations are not all fatal: the property was exercised
}

}  // namespace
}  // namespace worklog::http
