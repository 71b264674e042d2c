#include "http/gzip.h"

#include <string>

#include <gtest/gtest.h>

namespace worklog::http {
namespace {

TEST(Gzip, RoundTripsAndShrinksRepetitiveJson) {
  std::string json = "{\"suggestions\":[";
  for (int i = 0; i < 2000; ++i) {
    json += R"({"id":"s)" + std::to_string(i) + R"(","why":"3 commits between 09:10 and 11:40"},)";
  }
  json += "{}]}";
  const std::string gzipped = Gzip(json);
  EXPECT_LT(gzipped.size() * 5, json.size());
  EXPECT_EQ(gzipped.substr(0, 2), "\x1f\x8b");  // a gzip member, as browsers expect
  auto back = Gunzip(gzipped);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, json);
  EXPECT_EQ(Gunzip(Gzip("")).value(), "");
  // Every level makes the same data again (the feed uses the fastest).
  for (const int level : {kGzipFastest, 9}) {
    const std::string at_level = Gzip(json, level);
    EXPECT_LT(at_level.size() * 5, json.size());
    EXPECT_EQ(Gunzip(at_level).value(), json);
  }
}

TEST(Gzip, TruncatedOrForeignDataIsAnError) {
  const std::string gzipped = Gzip("hello, feed");
  EXPECT_FALSE(Gunzip(gzipped.substr(0, gzipped.size() - 4)));
  EXPECT_FALSE(Gunzip("{\"plain\":true}"));
}

TEST(AcceptsGzip, AsBrowsersAndToolsSendIt) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.8"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, br"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

}  // namespace
}  // namespace worklog::http
