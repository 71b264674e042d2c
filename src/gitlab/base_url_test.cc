#include "gitlab/base_url.h"

#include <gtest/gtest.h>

namespace worklog::gitlab {
namespace {

std::string Normalized(std::string_view input, BaseUrlOptions options = {}) {
  auto url = BaseUrl::Parse(input, options);
  EXPECT_TRUE(url.has_value()) << input << ": " << (url ? "" : url.error().message);
  return url ? url->str() : std::string();
}

TEST(BaseUrl, GitlabComWithoutSchemeBecomesHttps) {
  EXPECT_EQ(Normalized("gitlab.com"), "https://gitlab.com");
  EXPECT_EQ(Normalized("  https://GitLab.com/  "), "https://gitlab.com");
}

TEST(BaseUrl, SelfManagedInstanceKeepsPortAndPathWithoutTrailingSlash) {
  EXPECT_EQ(Normalized("https://git.example.com:8443/gitlab/"),
            "https://git.example.com:8443/gitlab");
  EXPECT_EQ(Normalized("https://git.example.com:443"), "https://git.example.com");
}

TEST(BaseUrl, PastedApiRootIsTrimmedToTheInstanceRoot) {
  EXPECT_EQ(Normalized("https://gitlab.example.com/api/v4/"), "https://gitlab.example.com");
}

TEST(BaseUrl, ApiAndOAuthUrlsHangOffTheRoot) {
  const auto url = BaseUrl::Parse("https://git.example.com/gitlab");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->Api("/user"), "https://git.example.com/gitlab/api/v4/user");
  EXPECT_EQ(url->Url("/oauth/token"), "https://git.example.com/gitlab/oauth/token");
  EXPECT_EQ(url->origin(), "https://git.example.com");
}

TEST(BaseUrl, OtherSchemesAreRejectedNamingTheField) {
  for (const char* input : {"ftp://gitlab.example.com", "file:///etc/passwd", "javascript://x"}) {
    const auto url = BaseUrl::Parse(input);
    ASSERT_FALSE(url) << input;
    EXPECT_EQ(url.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(url.error().field, "base_url");
    EXPECT_NE(url.error().message.find("https://"), std::string::npos) << url.error().message;
  }
}

TEST(BaseUrl, PlainHttpIsAllowedForLoopbackOnlyUnlessEnabled) {
  EXPECT_EQ(Normalized("http://127.0.0.1:8929"), "http://127.0.0.1:8929");
  EXPECT_EQ(Normalized("http://localhost:3000/"), "http://localhost:3000");
  EXPECT_EQ(Normalized("http://[::1]:3000"), "http://[::1]:3000");

  const auto remote = BaseUrl::Parse("http://gitlab.example.com");
  ASSERT_FALSE(remote);
  EXPECT_NE(remote.error().message.find("must use https://"), std::string::npos);

  EXPECT_EQ(Normalized("http://gitlab.dev.internal", {.allow_insecure_http = true}),
            "http://gitlab.dev.internal");
}

TEST(BaseUrl, CredentialsQueriesAndEmptyInputAreRejected) {
  EXPECT_FALSE(BaseUrl::Parse("https://user:secret@gitlab.com"));
  EXPECT_FALSE(BaseUrl::Parse("https://gitlab.com/?private_token=x"));
  EXPECT_FALSE(BaseUrl::Parse("https://gitlab.com/#top"));
  EXPECT_FALSE(BaseUrl::Parse("   "));
  EXPECT_FALSE(BaseUrl::Parse("https://"));
}

TEST(BaseUrl, SameOriginComparesSchemeHostAndPort) {
  const auto url = BaseUrl::Parse("https://gitlab.com");
  ASSERT_TRUE(url);
  EXPECT_TRUE(SameOrigin(*url, "https://GITLAB.com:443/api/v4/projects?page=2"));
  EXPECT_FALSE(SameOrigin(*url, "http://gitlab.com/api/v4/projects"));
  EXPECT_FALSE(SameOrigin(*url, "https://gitlab.com.evil.example/api/v4"));
  EXPECT_FALSE(SameOrigin(*url, "/api/v4/projects"));
}

// What a redirect's error_description and a query's values become: unreserved characters
// stay, every other byte is %XX in upper-case hex, UTF-8 byte by byte.
TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode(""), "");
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(PercentEncode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(PercentEncode(std::string_view("a\0b", 3)), "a%00b");
}

}  // namespace
}  // namespace worklog::gitlab
