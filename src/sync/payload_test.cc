#include "sync/payload.h"

#include <gtest/gtest.h>

#include "sync/gitlab_sync.h"

namespace worklog::sync {
namespace {

TEST(Payload, RoundTripsIntegersAndStringsWithAwkwardCharacters) {
  Payload payload;
  payload.Set("generation", int64_t{3})
      .Set("project_id", int64_t{-42})
      .Set("ref", std::string("feature/\"quoted\"\\back\nline\x01"));
  auto parsed = Payload::Parse(payload.ToJson());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->Int("generation"), 3);
  EXPECT_EQ(parsed->Int("project_id"), -42);
  EXPECT_EQ(parsed->Text("ref"), "feature/\"quoted\"\\back\nline\x01");
  EXPECT_FALSE(parsed->Int("ref").has_value());
}

TEST(Payload, IsWrittenAsCompactJsonWithSortedKeysAndReadsUtf8AndEscapes) {
  Payload payload;
  payload.Set("ref", std::string("caf\u00e9/\u6f22")).Set("generation", int64_t{7});
  EXPECT_EQ(payload.ToJson(), "{\"generation\":7,\"ref\":\"caf\u00e9/\u6f22\"}");
  auto parsed = Payload::Parse(R"({"ref":"a\u00e9\/b\ud83d\ude00","id":9223372036854775807})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->Text("ref"), "a\u00e9/b\U0001F600");
  EXPECT_EQ(parsed->Int("id"), INT64_MAX);
}

TEST(Payload, AnythingButAFlatObjectIsRejected) {
  for (const char* bad : {"", "[]", "{\"a\":{}}", "{\"a\":1", "{\"a\":1}x", "{\"a\":true}",
                          "{\"a\":1.5}", "{\"a\":null}", "{\"a\":9223372036854775808}"}) {
    EXPECT_FALSE(Payload::Parse(bad)) << bad;
  }
  EXPECT_TRUE(Payload::Parse(" { } "));
}

TEST(Payload, MissingIntegerNamesTheKey) {
  auto parsed = Payload::Parse(R"({"generation":"x"})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->RequireInt("generation").error().field, "generation");
}

TEST(GitlabCanReach, LoopbackPublicUrlIsReachableOnlyFromALoopbackGitlab) {
  EXPECT_TRUE(GitlabCanReach("http://127.0.0.1:8080", "http://127.0.0.1:8929"));
  EXPECT_TRUE(GitlabCanReach("http://localhost:8080", "http://[::1]:8929"));
  EXPECT_FALSE(GitlabCanReach("http://127.0.0.1:8080", "https://gitlab.com"));
  EXPECT_FALSE(GitlabCanReach("http://localhost", "https://git.example.com"));
  EXPECT_TRUE(GitlabCanReach("https://worklog.example.com", "https://gitlab.com"));
  EXPECT_TRUE(GitlabCanReach("https://worklog.example.com", "http://127.0.0.1:8929"));
}

TEST(HookUrl, IsThePublicUrlsWebhookPath) {
  EXPECT_EQ(HookUrl("https://worklog.example.com/"), "https://worklog.example.com/hooks/gitlab");
  EXPECT_EQ(HookUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080/hooks/gitlab");
}

}  // namespace
}  // namespace worklog::sync
