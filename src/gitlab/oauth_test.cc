#include "gitlab/oauth.h"

#include <atomic>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gitlab/curl_transport.h"
#include "gitlab/testing/scripted_server.h"

namespace worklog::gitlab {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RecordingSleeper;
using testing::ScriptedServer;

constexpr const char* kSecret = "app-client-secret-xyz";

OAuthApp App(const std::string& base) {
  auto url = BaseUrl::Parse(base);
  EXPECT_TRUE(url);
  return OAuthApp{*url, "app-id-1", kSecret,
                  "https://worklog.example.com/apps/gitlab/oauth/callback"};
}

// Query parameters of `url`, decoded.
std::multimap<std::string, std::string> QueryOf(const std::string& url) {
  httplib::Params params;
  httplib::detail::parse_query_text(url.substr(url.find('?') + 1), params);
  return {params.begin(), params.end()};
}

TEST(Pkce, ChallengeMatchesGitlabsTestVector) {
  EXPECT_EQ(PkceChallengeS256("ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf"),
            "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U");
}

TEST(Pkce, VerifiersAndStatesAreFreshAndUseTheAllowedAlphabet) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const std::string verifier = GenerateCodeVerifier();
    const std::string state = GenerateState();
    EXPECT_GE(verifier.size(), 43u);
    EXPECT_LE(verifier.size(), 128u);
    EXPECT_EQ(verifier.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
              std::string::npos);
    EXPECT_GE(state.size(), 32u);
    seen.insert(verifier);
    seen.insert(state);
  }
  EXPECT_EQ(seen.size(), 40u);
}

TEST(AuthorizeUrl, CarriesEveryParameterGitlabNeeds) {
  const OAuthApp app = App("https://gitlab.example.com/gitlab/");

  const AuthorizationRequest request = BeginAuthorization(app);

  EXPECT_THAT(request.authorize_url,
              ::testing::StartsWith("https://gitlab.example.com/gitlab/oauth/authorize?"));
  const auto query = QueryOf(request.authorize_url);
  auto param = [&](const std::string& name) {
    EXPECT_EQ(query.count(name), 1u) << name;
    return query.find(name) == query.end() ? std::string() : query.find(name)->second;
  };
  EXPECT_EQ(param("client_id"), "app-id-1");
  EXPECT_EQ(param("redirect_uri"), app.redirect_uri);
  EXPECT_EQ(param("response_type"), "code");
  EXPECT_EQ(param("state"), request.state);
  EXPECT_EQ(param("scope"), "api read_user");
  EXPECT_EQ(param("code_challenge"), PkceChallengeS256(request.code_verifier));
  EXPECT_EQ(param("code_challenge_method"), "S256");
  EXPECT_THAT(request.authorize_url, Not(HasSubstr(request.code_verifier)));
  EXPECT_THAT(request.authorize_url, Not(HasSubstr(kSecret)));
}

class OAuthClientTest : public ::testing::Test {
 protected:
  OAuthClient MakeClient(int attempts = 5) {
    OAuthClientOptions options;
    options.sleeper = &sleeper_;
    options.clock = &clock_;
    options.retry.max_attempts = attempts;
    return {transport_, App(server_.url()), options};
  }
  ScriptedServer server_;
  CurlTransport transport_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'700'000'000))};
  RecordingSleeper sleeper_{&clock_};
};

TEST_F(OAuthClientTest, CodeIsExchangedWithTheVerifier) {
  server_.Post("/oauth/token", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"access_token":"acc-1","token_type":"bearer","expires_in":7200,
                        "refresh_token":"ref-1","scope":"api read_user","created_at":1607635748})",
                    "application/json");
  });
  server_.Start();

  const auto tokens = MakeClient().ExchangeCode("the-code", "the-verifier");

  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_EQ(tokens->access_token, "acc-1");
  EXPECT_EQ(tokens->refresh_token, "ref-1");
  EXPECT_EQ(tokens->expires_in, std::chrono::seconds(7200));
  EXPECT_EQ(tokens->ExpiresAt(), TimePoint(std::chrono::seconds(1607635748 + 7200)));
  const auto request = server_.requests().at(0);
  EXPECT_EQ(request.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(request.Param("grant_type"), "authorization_code");
  EXPECT_EQ(request.Param("code"), "the-code");
  EXPECT_EQ(request.Param("code_verifier"), "the-verifier");
  EXPECT_EQ(request.Param("client_id"), "app-id-1");
  EXPECT_EQ(request.Param("client_secret"), kSecret);
  EXPECT_EQ(request.Param("redirect_uri"),
            "https://worklog.example.com/apps/gitlab/oauth/callback");
}

TEST_F(OAuthClientTest, RefreshReturnsTheRotatedRefreshToken) {
  server_.Post("/oauth/token", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("refresh_token") != "ref-1") {
      res.status = 400;
      res.set_content(R"({"error":"invalid_grant"})", "application/json");
      return;
    }
    res.set_content(R"({"access_token":"acc-2","token_type":"bearer","expires_in":7200,
                        "refresh_token":"ref-2","created_at":1700000000})",
                    "application/json");
  });
  server_.Start();

  const auto tokens = MakeClient().Refresh("ref-1");

  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_EQ(tokens->access_token, "acc-2");
  EXPECT_EQ(tokens->refresh_token, "ref-2");
  EXPECT_EQ(server_.requests().at(0).Param("grant_type"), "refresh_token");
}

TEST_F(OAuthClientTest, RejectedRefreshTokenMeansReauthorizationNeeded) {
  server_.Post("/oauth/token", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 400;
    // A server that echoes what it got must not get the token into our messages.
    const nlohmann::json body = {
        {"error", "invalid_grant"},
        {"error_description",
         "The provided authorization grant is invalid: " + req.get_param_value("refresh_token") +
             " " + req.get_param_value("client_secret")}};
    res.set_content(body.dump(), "application/json");
  });
  server_.Start();

  const auto tokens = MakeClient().Refresh("ref-stale-123456");

  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(tokens.error().message, HasSubstr("re-authorization needed"));
  EXPECT_THAT(tokens.error().message, HasSubstr("invalid"));
  EXPECT_THAT(tokens.error().message, Not(HasSubstr("ref-stale-123456")));
  EXPECT_THAT(tokens.error().message, Not(HasSubstr(kSecret)));
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OAuthClientTest, CodeAndVerifierNeverAppearInErrors) {
  server_.Post("/oauth/token", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 503;
    res.set_content(nlohmann::json{{"message", "down for " + req.get_param_value("code") + " " +
                                                   req.get_param_value("code_verifier")}}
                        .dump(),
                    "application/json");
  });
  server_.Start();

  const auto tokens = MakeClient(1).ExchangeCode("code-abc-123", "verifier-xyz-789");

  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(tokens.error().message, HasSubstr("down for"));
  EXPECT_THAT(tokens.error().message, Not(HasSubstr("code-abc-123")));
  EXPECT_THAT(tokens.error().message, Not(HasSubstr("verifier-xyz-789")));
}

TEST_F(OAuthClientTest, RefreshIsNotRepeatedOnceGitlabMayHaveRotatedTheToken) {
  server_.Post("/oauth/token",
               [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  server_.Start();

  const auto tokens = MakeClient().Refresh("ref-1");

  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OAuthClientTest, RateLimitedTokenRequestIsRetried) {
  std::atomic<int> calls = 0;
  server_.Post("/oauth/token", [&calls](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "2");
      return;
    }
    res.set_content(R"({"access_token":"acc-2","refresh_token":"ref-2","expires_in":7200})",
                    "application/json");
  });
  server_.Start();

  const auto tokens = MakeClient().Refresh("ref-1");

  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_THAT(sleeper_.waits(), ::testing::ElementsAre(std::chrono::milliseconds(2000)));
  EXPECT_EQ(tokens->created_at, clock_.Now());
}

TEST_F(OAuthClientTest, RevokePostsTheTokenWithTheClientCredentials) {
  server_.Post("/oauth/revoke", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  server_.Start();

  const auto revoked = MakeClient().Revoke("acc-1");

  ASSERT_TRUE(revoked) << revoked.error().message;
  const auto request = server_.requests().at(0);
  EXPECT_EQ(request.Param("token"), "acc-1");
  EXPECT_EQ(request.Param("client_id"), "app-id-1");
  EXPECT_EQ(request.Param("client_secret"), kSecret);
}

TEST_F(OAuthClientTest, RevokeFailureNamesNoToken) {
  server_.Post("/oauth/revoke", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 403;
    res.set_content(
        nlohmann::json{{"error", "unauthorized_client"},
                       {"error_description", "cannot revoke " + req.get_param_value("token")}}
            .dump(),
        "application/json");
  });
  server_.Start();

  const auto revoked = MakeClient().Revoke("acc-secret-99");

  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(revoked.error().message, Not(HasSubstr("acc-secret-99")));
}

TEST_F(OAuthClientTest, UnreachableGitlabIsUnavailableNotReauthorization) {
  server_.Start();
  OAuthClientOptions options;
  options.sleeper = &sleeper_;
  options.clock = &clock_;
  options.retry.max_attempts = 2;
  OAuthClient client(transport_, App("http://127.0.0.1:1"), options);

  const auto tokens = client.Refresh("ref-1");

  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(sleeper_.waits().size(), 1u);  // nothing was sent, so a retry is safe
}

}  // namespace
}  // namespace worklog::gitlab
