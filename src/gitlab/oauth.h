#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "gitlab/base_url.h"
#include "gitlab/retry.h"
#include "gitlab/transport.h"

namespace worklog::gitlab {

inline constexpr std::string_view kDefaultScopes = "api read_user";

// An OAuth application registered on one GitLab instance (API-NOTES.md §2).
struct OAuthApp {
  BaseUrl base_url;
  std::string client_id;
  std::string client_secret;  // confidential apps; sent on token, refresh and revoke
  std::string redirect_uri;   // must equal the one registered, on every call
};

// What a caller keeps (server-side, bound to the browser session) between redirecting the
// user to GitLab and the callback: check `state`, then exchange the code with
// `code_verifier`. Both are secrets; never log them.
struct AuthorizationRequest {
  std::string authorize_url;
  std::string state;
  std::string code_verifier;
};

// Tokens from /oauth/token. Secrets: never log or print them.
struct TokenSet {
  std::string access_token;
  std::string refresh_token;
  std::string token_type;  // "bearer"
  std::string scope;       // space-separated
  std::chrono::seconds expires_in{0};
  TimePoint created_at{};  // GitLab's created_at, else when we received it

  TimePoint ExpiresAt() const { return created_at + expires_in; }
};

// PKCE (RFC 7636): a fresh verifier of 43 characters from [A-Za-z0-9_-], and its S256
// challenge, base64url(SHA-256(verifier)) without padding.
std::string GenerateCodeVerifier();
std::string PkceChallengeS256(std::string_view code_verifier);
// 32 random bytes, base64url: unpredictable, single-use.
std::string GenerateState();

// GET <base>/oauth/authorize?client_id&redirect_uri&response_type=code&state&scope
// &code_challenge&code_challenge_method=S256, every value percent-encoded.
std::string BuildAuthorizeUrl(const OAuthApp& app, std::string_view state,
                              std::string_view code_challenge,
                              std::string_view scopes = kDefaultScopes);

// A fresh state and verifier, and the URL to send the user's browser to.
AuthorizationRequest BeginAuthorization(const OAuthApp& app,
                                        std::string_view scopes = kDefaultScopes);

struct OAuthClientOptions {
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};
  Sleeper* sleeper = nullptr;    // nullptr: DefaultSleeper()
  const Clock* clock = nullptr;  // nullptr: DefaultClock()
};

// The token endpoints. Errors: kUnauthenticated "re-authorization needed" when GitLab
// rejects the code or refresh token (invalid_grant, invalid_client, ...); kUnavailable or
// kRateLimited when GitLab could not be reached (try again later, tokens unchanged).
// Messages never contain a token, code, verifier or secret. Thread-safe.
class OAuthClient {
 public:
  OAuthClient(Transport& transport, OAuthApp app, OAuthClientOptions options = {});

  // POST /oauth/token grant_type=authorization_code with the PKCE verifier.
  Result<TokenSet> ExchangeCode(std::string_view code, std::string_view code_verifier) const;

  // POST /oauth/token grant_type=refresh_token. GitLab rotates: the old access and refresh
  // tokens stop working, so the caller must store the returned TokenSet (its new
  // refresh_token) atomically before using it. Not retried once GitLab may have seen it.
  Result<TokenSet> Refresh(std::string_view refresh_token) const;

  // POST /oauth/revoke for an access or refresh token. A token GitLab no longer knows
  // counts as revoked.
  Status Revoke(std::string_view token) const;

  const OAuthApp& app() const { return app_; }

 private:
  // `secrets`: what `body` carries that no message or log line may show.
  Result<TokenSet> RequestToken(std::string body, std::string_view grant,
                                std::vector<std::string> secrets) const;

  Transport& transport_;
  OAuthApp app_;
  OAuthClientOptions options_;
};

}  // namespace worklog::gitlab
