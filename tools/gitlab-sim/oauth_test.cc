#include "gitlab-sim/sim_test_util.h"

namespace worklog::gitlab_sim::testing {
namespace {

// The PKCE test vector from GitLab's doc/api/oauth2.md.
constexpr const char* kVerifier = "ks02i3jdikdo2k0dkfodf3m39rjfjsdk0wk349rj3jrhf";
constexpr const char* kChallenge = "2i0WFA-0AerkjQm4X4oDEhqA17QIAKNjXpagHBXmO_U";
constexpr const char* kRedirect = "http://127.0.0.1:1/callback";

std::string Param(const std::string& url, const std::string& name) {
  const auto start = url.find(name + "=");
  if (start == std::string::npos) {
    return "";
  }
  const auto value = start + name.size() + 1;
  return httplib::detail::decode_url(url.substr(value, url.find('&', value) - value), true);
}

class OAuthTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    MakeUser("alice");
    const Reply app =
        Post("/api/v4/applications",
             {{"name", "worklog"}, {"redirect_uri", kRedirect}, {"scopes", "api read_user"}});
    ASSERT_EQ(app.status, 201) << app.text;
    client_id_ = app.body["application_id"];
    secret_ = app.body["secret"];
  }

  std::string AuthorizePath(const std::string& extra = "") const {
    return "/oauth/authorize?client_id=" + client_id_ +
           "&redirect_uri=" + UrlEncodeForTest(kRedirect) +
           "&response_type=code&state=st4te&scope=api" + "&code_challenge=" + kChallenge +
           "&code_challenge_method=S256" + extra;
  }

  static std::string UrlEncodeForTest(const std::string& s) {
    return httplib::detail::encode_query_param(s);
  }

  static std::string SessionCookie(const httplib::Result& r) {
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // Signs alice in through the browser flow and returns the redirect with the code.
  std::string BrowserFlow() {
    auto first = client_->Get(AuthorizePath());
    EXPECT_EQ(first->status, 302);
    EXPECT_NE(first->get_header_value("Location").find("/users/sign_in"), std::string::npos);
    const std::string pre = SessionCookie(first);
    auto signed_in = client_->Post("/users/sign_in", {{"Cookie", pre}},
                                   "user%5Blogin%5D=alice&user%5Bpassword%5D=password-123",
                                   "application/x-www-form-urlencoded");
    EXPECT_EQ(signed_in->status, 302);
    cookie_ = SessionCookie(signed_in);
    const std::string back = signed_in->get_header_value("Location");
    EXPECT_NE(back.find("/oauth/authorize?client_id="), std::string::npos) << back;
    auto consent = client_->Get(back.substr(back.find("/oauth/")), {{"Cookie", cookie_}});
    EXPECT_EQ(consent->status, 200);
    EXPECT_NE(consent->body.find("Authorize worklog"), std::string::npos);
    const std::string form =
        "client_id=" + client_id_ + "&redirect_uri=" + UrlEncodeForTest(kRedirect) +
        "&state=st4te&response_type=code&scope=api&code_challenge=" + kChallenge +
        "&code_challenge_method=S256";
    auto approved = client_->Post("/oauth/authorize", {{"Cookie", cookie_}}, form,
                                  "application/x-www-form-urlencoded");
    EXPECT_EQ(approved->status, 302);
    return approved->get_header_value("Location");
  }

  Reply Token(const std::string& form) {
    return ToReply(client_->Post("/oauth/token", form, "application/x-www-form-urlencoded"));
  }

  Reply ExchangeCode(const std::string& code, const std::string& verifier = kVerifier) {
    return Token("grant_type=authorization_code&client_id=" + client_id_ + "&code=" + code +
                 "&redirect_uri=" + UrlEncodeForTest(kRedirect) + "&code_verifier=" + verifier);
  }

  Reply Me(const std::string& token) {
    return ToReply(client_->Get("/api/v4/user", {{"Authorization", "Bearer " + token}}));
  }

  std::string client_id_;
  std::string secret_;
  std::string cookie_;
};

TEST_F(OAuthTest, SignInAuthorizeAndTokenWithPkceGiveAnApiToken) {
  const std::string location = BrowserFlow();
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?code=", 0), 0U) << location;
  EXPECT_EQ(Param(location, "state"), "st4te");
  const Reply token = ExchangeCode(Param(location, "code"));
  ASSERT_EQ(token.status, 200) << token.text;
  EXPECT_EQ(token.body["token_type"], "Bearer");
  EXPECT_EQ(token.body["expires_in"], 7200);
  EXPECT_EQ(token.body["scope"], "api");
  EXPECT_TRUE(token.body["created_at"].is_number());
  EXPECT_EQ(Me(token.body["access_token"]).body["username"], "alice");

  const Reply info = ToReply(client_->Get(
      ("/oauth/token/info?access_token=" + token.body["access_token"].get<std::string>())));
  EXPECT_EQ(info.body["resource_owner_id"], 2);
  EXPECT_EQ(info.body["application"]["uid"], client_id_);
  EXPECT_EQ(info.body["scope"], json::array({"api"}));

  // A code works once.
  const Reply again = ExchangeCode(Param(location, "code"));
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.body["error"], "invalid_grant");
}

TEST_F(OAuthTest, WrongCodeVerifierIsAnInvalidGrant) {
  const std::string location = BrowserFlow();
  const Reply token = ExchangeCode(Param(location, "code"), std::string(43, 'a'));
  EXPECT_EQ(token.status, 400);
  EXPECT_EQ(token.body["error"], "invalid_grant");
  EXPECT_TRUE(token.body.contains("error_description"));
}

TEST_F(OAuthTest, RefreshRotatesAndInvalidatesTheOldPair) {
  const Reply first = ExchangeCode(Param(BrowserFlow(), "code"));
  const std::string old_access = first.body["access_token"];
  const std::string old_refresh = first.body["refresh_token"];
  const Reply second = Token("grant_type=refresh_token&refresh_token=" + old_refresh +
                             "&client_id=" + client_id_ + "&client_secret=" + secret_);
  ASSERT_EQ(second.status, 200) << second.text;
  EXPECT_NE(second.body["access_token"], old_access);
  EXPECT_NE(second.body["refresh_token"], old_refresh);
  const Reply stale = Me(old_access);
  EXPECT_EQ(stale.status, 401);
  EXPECT_EQ(stale.body["error"], "invalid_token");
  EXPECT_EQ(Token("grant_type=refresh_token&refresh_token=" + old_refresh +
                  "&client_id=" + client_id_ + "&client_secret=" + secret_)
                .body["error"],
            "invalid_grant");
  EXPECT_EQ(Me(second.body["access_token"]).status, 200);
}

TEST_F(OAuthTest, ExpiredAccessTokenIsRejectedButItsRefreshTokenStillWorks) {
  const Reply token = ExchangeCode(Param(BrowserFlow(), "code"));
  clock_.Advance(std::chrono::seconds{7201});
  const Reply expired = Me(token.body["access_token"]);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.body["error"], "invalid_token");
  EXPECT_EQ(expired.body["error_description"],
            "Token is expired. You can either do re-authorization or token refresh.");
  const Reply refreshed = Token(
      "grant_type=refresh_token&refresh_token=" + token.body["refresh_token"].get<std::string>() +
      "&client_id=" + client_id_ + "&client_secret=" + secret_);
  ASSERT_EQ(refreshed.status, 200);
  EXPECT_EQ(Me(refreshed.body["access_token"]).status, 200);
}

TEST_F(OAuthTest, RevokedTokenAnswersEmptyObjectAndStopsWorking) {
  const Reply token = ExchangeCode(Param(BrowserFlow(), "code"));
  const Reply revoked =
      ToReply(client_->Post("/oauth/revoke",
                            "client_id=" + client_id_ + "&client_secret=" + secret_ +
                                "&token=" + token.body["access_token"].get<std::string>(),
                            "application/x-www-form-urlencoded"));
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(revoked.body, json::object());
  const Reply me = Me(token.body["access_token"]);
  EXPECT_EQ(me.status, 401);
  EXPECT_EQ(me.body["error"], "invalid_token");
}

TEST_F(OAuthTest, SecondAuthorizationOfTheSameScopesSkipsTheConsentScreen) {
  ExchangeCode(Param(BrowserFlow(), "code"));
  auto again = client_->Get(AuthorizePath(), {{"Cookie", cookie_}});
  ASSERT_EQ(again->status, 302);
  EXPECT_NE(again->get_header_value("Location").find("code="), std::string::npos);
}

TEST_F(OAuthTest, BadRedirectUriIsShownNotRedirectedAndBadScopeIsRedirected) {
  auto bad_redirect = client_->Get(("/oauth/authorize?client_id=" + client_id_ +
                                    "&redirect_uri=http%3A%2F%2Fevil.example%2F&"
                                    "response_type=code"));
  EXPECT_EQ(bad_redirect->status, 400);
  EXPECT_FALSE(bad_redirect->has_header("Location"));
  auto bad_client = client_->Get("/oauth/authorize?client_id=nope&response_type=code");
  EXPECT_EQ(bad_client->status, 401);
  auto bad_scope = client_->Get(("/oauth/authorize?client_id=" + client_id_ +
                                 "&redirect_uri=" + UrlEncodeForTest(kRedirect) +
                                 "&response_type=code&state=s1&scope=sudo"));
  ASSERT_EQ(bad_scope->status, 302);
  const std::string location = bad_scope->get_header_value("Location");
  EXPECT_EQ(Param(location, "error"), "invalid_scope");
  EXPECT_EQ(Param(location, "state"), "s1");
}

TEST_F(OAuthTest, WrongPasswordShowsTheSignInFormAgain) {
  auto r = client_->Post("/users/sign_in", "user%5Blogin%5D=alice&user%5Bpassword%5D=nope-nope",
                         "application/x-www-form-urlencoded");
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("Invalid login or password."), std::string::npos);
  EXPECT_FALSE(r->has_header("Set-Cookie"));
}

TEST_F(OAuthTest, TokenEndpointErrorsFollowRfc6749) {
  EXPECT_EQ(Token("grant_type=password").body["error"], "unsupported_grant_type");
  const Reply bad_client = Token("grant_type=authorization_code&client_id=nope&code=x");
  EXPECT_EQ(bad_client.status, 401);
  EXPECT_EQ(bad_client.body["error"], "invalid_client");
  EXPECT_EQ(Token("grant_type=authorization_code&client_id=" + client_id_ +
                  "&client_secret=" + secret_ + "&code=nope&redirect_uri=x")
                .body["error"],
            "invalid_grant");
}

}  // namespace
}  // namespace worklog::gitlab_sim::testing
