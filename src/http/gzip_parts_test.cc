// A gzip body joined from parts deflated on their own is an ordinary gzip member of the
// joined text, whatever the parts (empty, tiny, larger than a deflate window, repetitive).
#include "http/gzip_parts.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/gzip.h"

namespace worklog::http {
namespace {

TEST(GzipParts, JoinedPartsGunzipToTheJoinedText) {
  const std::vector<std::string> texts = {R"({"a":1})", "", "x", std::string(70'000, 'y'),
                                          R"({"a":1}{"a":1})"};
  std::vector<std::string> parts;
  std::string expected = "[";
  bool first = true;
  for (const auto& text : texts) {
    parts.push_back(DeflatePart(text, kGzipFastest));
    if (!text.empty()) {
      expected += (first ? "" : ",") + text;
      first = false;
    }
  }
  expected += "]";
  const std::string body = GzipJoined("[", {parts.begin(), parts.end()}, ",", "]", kGzipFastest);
  auto text = Gunzip(body);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, expected);
  EXPECT_LT(body.size(), expected.size() / 10);  // the 70 KB of y compress
}

TEST(GzipParts, RandomPartsRoundTrip) {
  std::mt19937 random(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> texts(random() % 6);
    std::string expected = "head:";
    bool first = true;
    for (auto& text : texts) {
      const std::size_t size = random() % 3 == 0 ? 0 : random() % 5000;
      for (std::size_t i = 0; i < size; ++i) {
        text.push_back(static_cast<char>('a' + random() % (round % 2 == 0 ? 3 : 26)));
      }
      if (!text.empty()) {
        expected += (first ? "" : ";") + text;
        first = false;
      }
    }
    expected += ":tail";
    std::vector<std::string> parts;
    parts.reserve(texts.size());
    for (const auto& text : texts) {
      parts.push_back(DeflatePart(text, round % 3 == 0 ? kGzipSmallest : kGzipFastest));
    }
    auto text =
        Gunzip(GzipJoined("head:", {parts.begin(), parts.end()}, ";", ":tail", kGzipFastest));
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, expected) << "round " << round;
  }
}

TEST(GzipParts, NoPartsIsHeadAndTail) {
  auto text = Gunzip(GzipJoined("{\"s\":[", {}, ",", "]}", kGzipFastest));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "{\"s\":[]}");
}

}  // namespace
}  // namespace worklog::http
